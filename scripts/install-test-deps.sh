#!/usr/bin/env bash
# Installs, through apt, the real parts the tests use: coturn (TURN/STUN),
# prometheus (promtool), prometheus-alertmanager (amtool), chromium, haproxy
# (two media cores behind a load balancer), and the namespace tools. Does
# nothing when they are all present.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have turnserver || need+=(coturn)
have prometheus && have promtool || need+=(prometheus)
have amtool || need+=(prometheus-alertmanager)
{ [ -x /usr/lib/chromium/chromium ] || have chromium; } || need+=(chromium)
have haproxy || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
have ip || need+=(iproute2)
have unshare || need+=(util-linux)

if [ ${#need[@]} -eq 0 ]; then
  echo "test dependencies: all present"
  exit 0
fi
echo "test dependencies: installing ${need[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if have sudo && sudo -n true 2>/dev/null; then
    sudo=(sudo)
  else
    echo "test dependencies: missing ${need[*]}; run as root: apt-get install ${need[*]}" >&2
    echo "  (tests that need them skip locally, and fail when CI=true)" >&2
    [ "${CI:-}" = "true" ] && exit 1
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "test dependencies: installed ${need[*]}"
