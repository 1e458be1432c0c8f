#!/usr/bin/env bash
# Sidecar vs OpenTelemetry Collector, side by side in the same run (issue 4,
# "Benchmarks"): both scrape the same synthetic 10k-series target
# (exporter/sidecar/internal/benchtarget) every 10 s on 127.0.0.1 and write
# CloudWatch Embedded Metric Format to a file. The script reports CPU time
# and peak/steady RSS of each process over the same window (from
# /proc/PID/stat and /proc/PID/status), the EMF each wrote, and one histogram
# line of each so the difference in what reaches CloudWatch is visible.
# Then it runs the datums-per-PutMetricData test (VOICEWATCH_BENCH=1).
#
# The collector is built with the collector builder (ocb) from modules the Go
# module proxy serves (scripts/otelcol/builder.yaml), in WORK, outside the
# repository; its code is never kept in the repository. A built collector in
# WORK is reused.
#
# The sidecar is the agent the sidecar image ships (go build -tags
# sidecaronly); -F measures the full agent binary instead.
#
# Usage: scripts/bench-otelcol.sh [-w WORK] [-d SECONDS] [-W WARMUP] [-p PORT] [-b] [-F]
#   -w  work directory (default /tmp/voicewatch-bench-otelcol)
#   -d  measured window in seconds (default 240)
#   -W  warm-up before the window in seconds (default 30)
#   -p  loopback port of the target; the sidecar listens on the next one (default 19500)
#   -b  build only (the collector, agent and target), do not run
#   -F  the full agent (every command), not the sidecar image's build
# Environment: OTELCOL_BIN uses an already built collector; OCB_VERSION
# (default v0.161.0) is the builder's version.
set -euo pipefail

args=("$@")
repo=$(cd "$(dirname "$0")/.." && pwd)
work=/tmp/voicewatch-bench-otelcol
window=240
warmup=30
port=19500
build_only=0
agent_tags=sidecaronly
while getopts "w:d:W:p:bF" opt; do
  case $opt in
    w) work=$OPTARG ;;
    d) window=$OPTARG ;;
    W) warmup=$OPTARG ;;
    p) port=$OPTARG ;;
    b) build_only=1 ;;
    F) agent_tags= ;;
    *) sed -n '2,28p' "$0" >&2; exit 2 ;;
  esac
done
ocb_version=${OCB_VERSION:-v0.161.0}
target=127.0.0.1:$port
listen=127.0.0.1:$((port + 1))
mkdir -p "$work"
log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

# --- build ------------------------------------------------------------------

# Modules the manifest replaces: the proxy lists versions of them that it
# does not serve, so check each zip downloads before a 5-minute build.
check_replaces() {
  local line mod ver out
  grep -E '^\s*- .* => ' "$repo/scripts/otelcol/builder.yaml" | while read -r line; do
    mod=$(awk '{print $4}' <<<"$line")
    ver=$(awk '{print $5}' <<<"$line")
    out=$(go mod download -json "$mod@$ver" 2>&1 || true)
    if grep -q '"Error"' <<<"$out" || ! grep -q '"Zip"' <<<"$out"; then
      log "replace $mod@$ver does not download from the module proxy:"
      printf '%s\n' "$out" >&2
      return 1
    fi
    log "replace $mod@$ver: zip downloads"
  done
}

build_collector() {
  otelcol=${OTELCOL_BIN:-$work/otelcol/otelcol-bench}
  if [ -x "$otelcol" ]; then
    log "collector: reusing $otelcol"
    return
  fi
  log "collector: installing the builder $ocb_version"
  GOBIN=$work/bin go install "go.opentelemetry.io/collector/cmd/builder@$ocb_version"
  check_replaces
  sed "s#^  output_path: .*#  output_path: $work/otelcol#" "$repo/scripts/otelcol/builder.yaml" >"$work/manifest.yaml"
  log "collector: building (about 5 minutes; log in $work/build.log)"
  if ! "$work/bin/builder" --config "$work/manifest.yaml" >"$work/build.log" 2>&1; then
    log "collector build failed; the end of $work/build.log:"
    tail -40 "$work/build.log" >&2
    exit 1
  fi
}

otelcol=${OTELCOL_BIN:-$work/otelcol/otelcol-bench}
if [ -z "${BENCH_IN_NETNS:-}" ]; then
  build_collector
  log "building agent and benchtarget from $repo"
  (cd "$repo" && go build -tags "$agent_tags" -o "$work/agent" ./cmd/agent && go build -o "$work/benchtarget" ./exporter/sidecar/internal/benchtarget/cmd/benchtarget)
  [ "$build_only" = 1 ] && { log "built: $otelcol $work/agent $work/benchtarget"; exit 0; }
  # As root, run in a fresh network namespace whose only interface is
  # loopback, so neither process can reach anything but 127.0.0.1.
  if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v ip >/dev/null; then
    log "running in a new network namespace (loopback only)"
    exec unshare -n env BENCH_IN_NETNS=1 bash "$0" "${args[@]}"
  fi
else
  ip link set lo up
fi

# --- run --------------------------------------------------------------------

pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

rm -f "$work"/sidecar-emf.log "$work"/collector-emf.log "$work"/samples.tsv
sed -e "s#@TARGET@#$target#" -e "s#@LISTEN@#$listen#" -e "s#@EMF@#$work/sidecar-emf.log#" \
  "$repo/scripts/otelcol/sidecar.yaml.tmpl" >"$work/sidecar.yaml"
sed -e "s#@TARGET@#$target#" "$repo/scripts/otelcol/collector.yaml.tmpl" >"$work/collector.yaml"

"$work/benchtarget" -listen "$target" >"$work/target.log" 2>&1 &
pids+=($!)
deadline=$((SECONDS + 20))
until curl -fsS -o /dev/null "http://$target/metrics" 2>/dev/null; do
  [ $SECONDS -lt $deadline ] || { log "target did not come up"; cat "$work/target.log" >&2; exit 1; }
  sleep 0.2
done
cat "$work/target.log" >&2

"$work/agent" sidecar --config "$work/sidecar.yaml" --log-level warn >"$work/sidecar.out" 2>"$work/sidecar.err" &
sidecar_pid=$!
pids+=($sidecar_pid)
# No AWS credentials and no instance metadata: stdout mode makes no AWS calls.
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE \
  AWS_EC2_METADATA_DISABLED=true AWS_REGION=us-east-1 AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent \
  "$otelcol" --config "$work/collector.yaml" >"$work/collector-emf.log" 2>"$work/collector.err" &
collector_pid=$!
pids+=($collector_pid)
log "sidecar pid $sidecar_pid, collector pid $collector_pid; warm-up ${warmup}s, window ${window}s"

# cpu_ticks PID: utime+stime (fields 14 and 15 of /proc/PID/stat; the
# command name may contain spaces, so count from the closing parenthesis).
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
alive() { kill -0 "$sidecar_pid" 2>/dev/null && kill -0 "$collector_pid" 2>/dev/null; }
sample() {
  local p
  printf '%s' "$SECONDS"
  for p in "$sidecar_pid" "$collector_pid"; do
    printf '\t%s\t%s\t%s' "$(cpu_ticks "$p")" "$(status_kb "$p" VmRSS)" "$(status_kb "$p" VmHWM)"
  done
  printf '\t%s\t%s\n' "$(stat -c %s "$work/sidecar-emf.log" 2>/dev/null || echo 0)" "$(stat -c %s "$work/collector-emf.log")"
}

end=$((SECONDS + warmup))
while [ $SECONDS -lt $end ]; do alive || break; sleep 1; done
alive || { log "a process died during warm-up"; tail -20 "$work"/sidecar.err "$work"/collector.err >&2; exit 1; }
wc_start_s=$(wc -l <"$work/sidecar-emf.log" 2>/dev/null || echo 0)
wc_start_c=$(wc -l <"$work/collector-emf.log")
printf 't\ts_ticks\ts_rss_kb\ts_hwm_kb\tc_ticks\tc_rss_kb\tc_hwm_kb\ts_emf_bytes\tc_emf_bytes\n' >"$work/samples.tsv"
end=$((SECONDS + window))
while :; do
  alive || { log "a process died during the window"; tail -20 "$work"/sidecar.err "$work"/collector.err >&2; exit 1; }
  sample >>"$work/samples.tsv"
  [ $SECONDS -lt $end ] || break
  sleep 5
done
wc_end_s=$(wc -l <"$work/sidecar-emf.log")
wc_end_c=$(wc -l <"$work/collector-emf.log")
cleanup
pids=()

# --- report -----------------------------------------------------------------

python3 - "$work" "$(getconf CLK_TCK)" "$((wc_end_s - wc_start_s))" "$((wc_end_c - wc_start_c))" <<'PY'
import json, statistics, sys
work, hz, lines_s, lines_c = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rows = [l.rstrip("\n").split("\t") for l in open(f"{work}/samples.tsv")][1:]
rows = [[int(x) for x in r] for r in rows]
secs = rows[-1][0] - rows[0][0]
def proc(o):
    cpu = (rows[-1][o] - rows[0][o]) / hz
    rss = [r[o + 1] / 1024 for r in rows]
    return dict(cpu=cpu, pct=100 * cpu / secs, steady=statistics.median(rss),
                wmax=max(rss), hwm=rows[-1][o + 2] / 1024)
s, c = proc(1), proc(4)
bs, bc = rows[-1][7] - rows[0][7], rows[-1][8] - rows[0][8]
out = [f"window {secs} s, {len(rows)} samples every 5 s (after the warm-up)", "",
       "| | sidecar (agent sidecar, emf) | collector (ocb: prometheus + awsemf) | sidecar / collector |",
       "|---|---:|---:|---:|"]
def row(name, k, fmt):
    out.append(f"| {name} | {fmt.format(s[k])} | {fmt.format(c[k])} | {s[k] / c[k]:.2f} |")
row("CPU time in the window (s)", "cpu", "{:.2f}")
row("CPU (% of one core)", "pct", "{:.2f}")
row("steady RSS: median VmRSS in the window (MiB)", "steady", "{:.1f}")
row("max VmRSS in the window (MiB)", "wmax", "{:.1f}")
row("peak RSS: VmHWM since start (MiB)", "hwm", "{:.1f}")
out.append(f"| EMF lines written in the window | {lines_s} | {lines_c} | {lines_s / max(lines_c, 1):.2f} |")
out.append(f"| EMF bytes written in the window | {bs} | {bc} | {bs / max(bc, 1):.2f} |")

def histogram_line(path, key):
    for line in open(path):
        if key not in line or not line.startswith("{"):
            continue
        try:
            d = json.loads(line)
        except ValueError:
            continue
        if str(d.get("id")) == "0" and isinstance(d.get(key), dict):
            return d
    return None
key = "bench_histogram_00_seconds"
for name, path in (("sidecar", f"{work}/sidecar-emf.log"), ("collector", f"{work}/collector-emf.log")):
    d = histogram_line(path, key)
    out += ["", f"{name}: {key}{{id=\"0\"}} in its EMF output:", ""]
    if d is None:
        out.append("    (no such line)")
    else:
        out.append("    " + json.dumps({key: d[key], "_aws.CloudWatchMetrics": d["_aws"]["CloudWatchMetrics"]}, separators=(",", ":")))
open(f"{work}/summary.md", "w").write("\n".join(out) + "\n")
print("\n".join(out))
PY

log "datums per PutMetricData request through the whole sidecar (VOICEWATCH_BENCH=1)"
(cd "$repo" && VOICEWATCH_BENCH=1 go test -count=1 -timeout 300s -run '^TestPutMetricDataBatching10k$' -v ./exporter/sidecar/ | grep -E 'datums|target|^(ok|FAIL|---)')
log "samples: $work/samples.tsv, summary: $work/summary.md"
