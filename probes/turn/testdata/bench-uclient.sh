#!/bin/sh
# Baseline for BenchmarkTURNProbe: coturn's own turnutils_uclient against a
# coturn on loopback, same flags as internal/coturntest. It allocates over
# UDP (with the 401 challenge), sends N 64-byte messages through the relay
# to turnutils_peer and back, and prints the wall time of each run and
# uclient's own RTT figures (1 ms resolution).
#   usage: probes/turn/testdata/bench-uclient.sh [runs] [messages]
set -eu
RUNS=${1:-5}
MSGS=${2:-3}
DIR=$(mktemp -d)
PORT=34781
PEER=34791
turnserver -n --listening-ip=127.0.0.1 --relay-ip=127.0.0.1 --listening-port=$PORT \
  --lt-cred-mech --user probe:probe-password --realm voicewatch.test --no-tls --no-dtls \
  --no-cli --allow-loopback-peers --fingerprint --min-port=15000 --max-port=15999 \
  --userdb="$DIR/db" --pidfile="$DIR/pid" --log-file=stdout --simple-log >"$DIR/turn.log" 2>&1 &
TURN_PID=$!
turnutils_peer -L 127.0.0.1 -p $PEER >"$DIR/peer.log" 2>&1 &
PEER_PID=$!
trap 'kill $TURN_PID $PEER_PID 2>/dev/null; wait 2>/dev/null; rm -rf "$DIR"' EXIT
sleep 0.5
i=0
while [ $i -lt "$RUNS" ]; do
  start=$(date +%s%N)
  turnutils_uclient -u probe -w probe-password -e 127.0.0.1 -r $PEER -p $PORT \
    -n "$MSGS" -m 1 -l 64 -z 1 -c -X 127.0.0.1 >"$DIR/uclient.log" 2>&1
  end=$(date +%s%N)
  rtt=$(grep -o 'Average round trip delay.*' "$DIR/uclient.log" | head -1)
  echo "run $i: wall $(( (end - start) / 1000000 )) ms; $rtt"
  i=$((i + 1))
done
