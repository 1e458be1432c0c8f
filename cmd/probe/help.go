package main

const usageText = `probe — synthetic STUN, TURN, WebRTC and HTTP checks for a voice agent.

Usage:
  probe stun   URI...                       STUN Binding over UDP and TCP
  probe turn   URI [credentials]            TURN allocate, relay echo, refresh, deallocate
  probe webrtc URL [--token T] [...]        a real call over WHIP, audio out and back
  probe http   URL                          GET a health endpoint
  probe run    --config probes.yaml         a suite (see docs/ci-github-actions.md)

Examples:
  probe stun stun:127.0.0.1:3478 stun:stun2.example.com
  VOICEWATCH_TURN_PASSWORD=... probe turn 'turn:turn.example.com:3478?transport=udp' --username probe
  probe turn 'turns:turn.example.com:5349?transport=tcp' --secret-file /run/secrets/turn --ca-file ca.pem
  probe webrtc https://agent.example.com/whip --token-file token --relay-only \
      --ice-server 'turn:turn.example.com:3478?transport=udp' --ice-username probe \
      --assert max_ice_gathering=3s --assert require_candidate=relay
  probe http https://agent.example.com/-/healthy
  probe run --config probes.yaml --target https://staging.example.com --format junit --output probes.xml

Credentials (keep them out of shell history: prefer files or environment):
  --username U                TURN user (long-term credentials)
  --password P | --password-file F | env VOICEWATCH_TURN_PASSWORD
  --secret S | --secret-file F | env VOICEWATCH_TURN_SECRET     TURN REST shared secret
  --token T | --token-file F | env VOICEWATCH_WHIP_TOKEN        WHIP bearer token
  In suites, write ${NAME} to read a value from the environment.

Common flags (anywhere on the line):
  --format text|json|junit|markdown   report format (default text)
  --output FILE                       write the report to FILE; a text summary still goes to stdout
  --junit FILE / --json FILE          also write a JUnit / JSON report (one run, several reports)
  --markdown FILE                     also append a Markdown summary (e.g. "$GITHUB_STEP_SUMMARY")
  --timeout D                         per-attempt timeout (default 10s)
  --repeat N                          attempts per probe (default 1); see min_success_ratio
  --parallel N                        probes run at once (default 4)
  --assert KEY=VALUE                  max_duration=5s, max_<phase>=3s, require_candidate=relay,
                                      min_success_ratio=0.9 (repeatable; ad hoc commands)
  -v                                  debug logs on stderr (never with secrets)

Kind flags:
  stun:   --transport udp,tcp  --rto 500ms
  turn:   --ca-file F  --server-name N  --peer-address IP:PORT
          --packets N (relay echoes: loss, RTT mean/p95, jitter; default 20)
  webrtc: --ice-server URI (repeatable) --ice-username U --ice-password P | --ice-password-file F
          --ice-secret S | --ice-secret-file F
          --relay-only  --trickle  --loopback  --no-audio  --no-ice-discovery
          --relay-acceptance-min-wait D
          --greeting wait|interrupt (hear the bot's greeting out, or talk over it)
          --require-reply  --reply-timeout D  --hold D (stay on after the reply
          to measure RTCP loss, jitter and RTT); assert max_response_latency=D
          (by default the ICE servers the endpoint announces in OPTIONS /whip
          Link headers, RFC 9725 §4.6, are used too; its TURN credentials included)
  http:   --expect-status 200
  run:    --config FILE  --target BASEURL

Exit status: 0 all probes passed, 1 a probe failed, 2 usage or configuration error.
A failed probe names its phase, a reason (dns, unreachable, timeout, bad_credentials,
stale_nonce, forbidden_peer, allocation_quota, tls, protocol, ice_failed, dtls_failed,
no_audio, assertion, http_status, signaling, ...) and what to check.
`
