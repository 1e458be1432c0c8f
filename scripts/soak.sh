#!/usr/bin/env bash
# soak.sh — run `agent demo` (media core, embedded STUN/TURN, sidecar with
# probes, synthetic calls) for SOAK_DURATION and sample the process's RSS and
# goroutines from the sidecar's /metrics every SOAK_INTERVAL; write a
# Markdown report with the samples. RSS and goroutines come from the media
# core's /metrics (Go and process collectors; `agent demo` is one process,
# and the sidecar's /metrics has no process collector), the rest from the
# sidecar's /metrics.
#
#   make soak                                   # 30 minutes
#   SOAK_DURATION=180 scripts/soak.sh           # a 3-minute smoke run
#
# Everything binds to 127.0.0.1; when unprivileged network namespaces are
# available the run is re-executed inside one with only loopback, so pion's
# multicast never leaves the machine. Ends only the demo process it started.
set -euo pipefail

SOAK_DURATION=${SOAK_DURATION:-1800}   # seconds
SOAK_INTERVAL=${SOAK_INTERVAL:-30}     # seconds
SOAK_CALL_INTERVAL=${SOAK_CALL_INTERVAL:-2s}
SOAK_REPORT=${SOAK_REPORT:-soak-report.md}
AGENT=${AGENT:-bin/agent}

if [[ -z "${VOICEWATCH_SOAK_INSIDE:-}" ]] && command -v unshare >/dev/null && unshare -rn true 2>/dev/null; then
	export VOICEWATCH_SOAK_INSIDE=1
	exec unshare -rn sh -c 'ip link set lo up && exec "$0" "$@"' "$0" "$@"
fi

[[ -x "$AGENT" ]] || { echo "soak: $AGENT not found; run 'make build' first" >&2; exit 2; }

work=$(mktemp -d)
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
listen=127.0.0.1:$(port); turn=127.0.0.1:$(port); sidecar=127.0.0.1:$(port)

"$AGENT" demo --listen "$listen" --turn-listen "$turn" --sidecar-listen "$sidecar" \
	--call-interval "$SOAK_CALL_INTERVAL" --store-dir "$work/sessions" --emf-path "$work/emf.log" \
	--log-level warn >"$work/demo.log" 2>&1 &
demo=$!
cleanup() { kill "$demo" 2>/dev/null || true; wait "$demo" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

metric() { # metric NAME FILE -> value of the unlabelled series
	awk -v n="$1" '$1 == n { print $2; exit }' "$2"
}
labelled_sum() { # sum of every series of a metric family
	awk -v n="$1" 'index($1, n"{") == 1 || $1 == n { s += $2 } END { printf "%.0f\n", s }' "$2"
}

for _ in $(seq 1 100); do
	curl -fsS "http://$sidecar/-/ready" >/dev/null 2>&1 && break
	sleep 0.2
done

start=$(date +%s)
rows=()
while :; do
	now=$(date +%s); elapsed=$((now - start))
	if curl -fsS "http://$sidecar/metrics" -o "$work/m.txt" && curl -fsS "http://$listen/metrics" -o "$work/v.txt"; then
		rss=$(metric process_resident_memory_bytes "$work/v.txt")
		gr=$(metric go_goroutines "$work/v.txt")
		started=$(labelled_sum voice_sessions_started_total "$work/m.txt")
		completed=$(awk '/^voice_sessions_ended_total\{.*outcome="completed"/ { s += $2 } END { printf "%.0f\n", s }' "$work/m.txt")
		probes_ok=$(awk '/^probe_success\{/ { n++; s += $2 } END { printf "%d/%d\n", s, n }' "$work/m.txt")
		series=$(grep -vc '^#' "$work/m.txt")
		rows+=("| $elapsed | $(awk -v b="$rss" 'BEGIN { printf "%.1f", b / 1048576 }') | $gr | $started | $completed | $probes_ok | $series |")
		echo "soak: t=${elapsed}s rss=${rss} goroutines=${gr} sessions=${started} completed=${completed} probes=${probes_ok} series=${series}" >&2
	else
		echo "soak: t=${elapsed}s sidecar /metrics unavailable" >&2
		rows+=("| $elapsed | – | – | – | – | – | – |")
	fi
	kill -0 "$demo" 2>/dev/null || { echo "soak: agent demo exited" >&2; tail -20 "$work/demo.log" >&2; exit 1; }
	((elapsed >= SOAK_DURATION)) && break
	sleep "$SOAK_INTERVAL"
done

{
	echo "## Soak: agent demo for $((SOAK_DURATION / 60)) min $((SOAK_DURATION % 60)) s"
	echo
	echo "$(date -u +%F), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')); synthetic call every $SOAK_CALL_INTERVAL; samples every ${SOAK_INTERVAL}s (RSS and goroutines of the one demo process from the media core's /metrics; the rest from the sidecar's /metrics)."
	echo
	echo "| t (s) | RSS (MiB) | goroutines | sessions started | completed | probes ok | series on /metrics |"
	echo "|---|---|---|---|---|---|---|"
	printf '%s\n' "${rows[@]}"
} >"$SOAK_REPORT"
echo "soak: report in $SOAK_REPORT" >&2
