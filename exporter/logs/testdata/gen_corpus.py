#!/usr/bin/env python3
"""Generates the labelled log corpus in testdata/corpus (deterministic).

It replays the incident of DESIGN.md over two hours (25 Nov 2026 10:00-12:00
UTC): 14 sessions started, 10 completed; 6 WebRTC connection timeouts; 8
Transcribe silence timeouts; 6 ElevenLabs policy violations; 141 scanner
requests (WebLogic console RCE, sendmail injection, invalid methods, ...),
all through an ALB whose nodes are 10.0.1.23 and 10.0.2.77, with the real
client in X-Forwarded-For (bot, nginx) or the ALB client field (ALB log).

Each FILE.log has FILE.labels: one line per log line, the expected class
(legitimate | scanner | unparsable), then `pattern=P` for scanner lines and
`error=KIND` for legitimate errors. The labels are written from what the
generator meant each line to be, not from the classifier's output.

Run from exporter/logs: python3 testdata/gen_corpus.py
"""
import datetime as dt
import json
import random

R = random.Random(20261125)
T0 = dt.datetime(2026, 11, 25, 10, 0, 0, tzinfo=dt.timezone.utc)
ALB_NODES = ["10.0.1.23", "10.0.2.77"]
USERS = ["192.0.2.%d" % i for i in (14, 27, 33, 58, 61, 90, 102, 117, 140, 166, 171, 203, 219, 240)]
SCANNERS = ["198.51.100.7", "198.51.100.23", "203.0.113.45", "203.0.113.99", "198.51.100.150"]
UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
SCAN_UA = ["Mozilla/5.0 zgrab/0.x", "curl/7.88.1", "-", "Mozilla/5.0 (compatible; Nmap Scripting Engine)"]

# (request method, target, status, pattern); 141 in total.
SCANS = (
    [("GET", "/console/bea-helpsets/..%252f..%252fconsole.portal?_nfpb=true&_pageLabel=&handle=com.tangosol.coherence.mvel2.sh.ShellSession(%22java.lang.Runtime.getRuntime().exec(%27id%27);%22)", 404, "weblogic")] * 52
    + [("POST", "/console/css/%252e%252e%252fconsole.portal", 404, "weblogic")] * 8
    + [("GET", "/bsguest.cgi?email=x;/usr/sbin/sendmail%20-t%20<%20/etc/hosts", 404, "cgi_injection")] * 30
    + [("GET", "/cgi-bin/luci/;stok=/locale?form=country&operation=write&country=$(id)", 404, "cgi_injection")] * 5
    + [("ABCD", "/", 405, "invalid_method")] * 28
    + [("GET", "/.env", 404, "dotfile")] * 8
    + [("POST", "/wp-login.php", 404, "wordpress")] * 5
    + [("GET", "/static/..%2f..%2f..%2fetc/passwd", 404, "path_traversal")] * 3
    + [("GET", "/actuator/health", 404, "admin_panel")] * 2
)
assert len(SCANS) == 141, len(SCANS)


def minute_times(n):
    """n sorted random times within the two hours."""
    return sorted(T0 + dt.timedelta(seconds=R.uniform(0, 7199)) for _ in range(n))


class Out:
    def __init__(self):
        self.rows = []  # (time, seq, line, label)

    def add(self, t, line, label):
        self.rows.append((t, len(self.rows), line, label))

    def write(self, name):
        self.rows.sort(key=lambda r: (r[0], r[1]))
        with open("testdata/corpus/%s.log" % name, "w") as f:
            for r in self.rows:
                f.write(r[2] + "\n")
        with open("testdata/corpus/%s.labels" % name, "w") as f:
            for r in self.rows:
                f.write(r[3] + "\n")


def clf_time(t):
    return t.strftime("%d/%b/%Y:%H:%M:%S +0000")


def sessions():
    """14 sessions: start time, user, outcome, incidents."""
    starts = minute_times(14)
    outcomes = ["completed"] * 10 + ["abandoned"] * 3 + ["failed"]
    R.shuffle(outcomes)
    out = []
    for i, t in enumerate(starts):
        out.append(dict(id="%08x" % R.getrandbits(32), t=t, user=USERS[i], outcome=outcomes[i],
                        dur=R.uniform(40, 420), timeouts=0, stt=0, tts=0))
    # 6 connection timeouts (~30% of 20 attempts), 8 Transcribe timeouts, 6 ElevenLabs errors.
    for k in (0, 2, 5, 6, 9, 12):
        out[k]["timeouts"] += 1
    for k in (1, 1, 3, 4, 7, 8, 8, 11):
        out[k]["stt"] += 1
    for k in (2, 4, 6, 10, 10, 13):
        out[k]["tts"] += 1
    return out


def gen_bot():
    o = Out()
    node = lambda: R.choice(ALB_NODES)

    def access(t, peer, method, target, status, size, ua, xff, label, ref="-"):
        o.add(t, 'INFO:aiohttp.access:%s [%s] "%s %s HTTP/1.1" %d %d "%s" "%s" "%s"'
              % (peer, clf_time(t), method, target, status, size, ref, ua, xff), label)

    # ALB health checks: every 30 s from each node, no X-Forwarded-For.
    for s in range(0, 7200, 30):
        for n in ALB_NODES:
            access(T0 + dt.timedelta(seconds=s + R.uniform(0, 1)), n, "GET", "/health", 200, 2, "ELB-HealthChecker/2.0", "-", "legitimate")
    for s in sessions():
        t, u = s["t"], s["user"]
        step = lambda sec: t + dt.timedelta(seconds=sec)
        access(step(0), node(), "GET", "/", 200, 5120, UA, u, "legitimate")
        access(step(0.2), node(), "GET", "/static/app.js", 200, 48211, UA, u, "legitimate", "https://voice.example.com/")
        access(step(0.3), node(), "GET", "/favicon.ico", 404, 14, UA, u, "legitimate")
        o.add(step(1), "INFO:bot:Session created: %s" % s["id"], "legitimate")
        o.add(step(7.1), "WARNING:bot:ICE gathering took %.1fs (1 STUN server, UDP ports closed)" % R.uniform(5, 7), "legitimate")
        at = 7.2
        for _ in range(s["timeouts"]):
            access(step(at), node(), "POST", "/offer", 200, 1834, UA, u, "legitimate")
            o.add(step(at + 60), "ERROR:bot:Timeout establishing the connection to the remote peer", "legitimate error=webrtc_connection_timeout")
            at += 61
        access(step(at), node(), "POST", "/offer", 200, 1834, UA, u, "legitimate")
        for k in range(s["stt"]):
            o.add(step(at + 30 + k * 20), "ERROR:bot:Transcribe error: BadRequestException: Your request timed out because no new audio was received for 15 seconds.", "legitimate error=stt_timeout")
        for k in range(s["tts"]):
            o.add(step(at + 40 + k * 20), 'ERROR:bot:ElevenLabs error: {"message": "Invalid message: voice_settings may only be provided in the first message of the stream (policy)", "code": 1008}', "legitimate error=tts_policy_violation")
            o.add(step(at + 40.01 + k * 20), "Traceback (most recent call last):", "legitimate")
            o.add(step(at + 40.02 + k * 20), '  File "/app/bot/tts.py", line 88, in stream', "legitimate")
            o.add(step(at + 40.03 + k * 20), "    await ws.send(json.dumps(message))", "legitimate")
            o.add(step(at + 40.04 + k * 20), "websockets.exceptions.ConnectionClosedError: received 1008 (policy violation) voice_settings", "legitimate")
        end = step(at + s["dur"])
        if s["outcome"] == "completed":
            o.add(end, "INFO:bot:Session %s completed (duration %.1fs, %d turns)" % (s["id"], s["dur"], R.randint(3, 20)), "legitimate")
        else:
            o.add(end, "INFO:bot:Session %s ended: %s (client closed the connection)" % (s["id"], s["outcome"]), "legitimate")
        access(end, node(), "GET", "/ws", 101, 0, UA, u, "legitimate")
        o.add(end + dt.timedelta(seconds=0.2), "INFO:bot:Saved session %s to DynamoDB table voicebot-sessions" % s["id"], "legitimate")
    # One failed save and one request that failed inside the bot.
    t = T0 + dt.timedelta(minutes=77)
    o.add(t, "ERROR:bot:Failed to save session 5b0e11aa to DynamoDB: ProvisionedThroughputExceededException", "legitimate error=store_write_failed")
    access(t + dt.timedelta(seconds=3), node(), "POST", "/offer", 500, 91, UA, USERS[3], "legitimate error=http_5xx")
    # Scanners: ALB node as peer, real address in X-Forwarded-For.
    for (m, target, status, pat), t in zip(SCANS, minute_times(len(SCANS))):
        access(t, node(), m, target, status, 14, R.choice(SCAN_UA), R.choice(SCANNERS), "scanner pattern=" + pat)
    # Lines the rule set does not know.
    for t, line in zip(minute_times(4), [
        "Exception in callback _SelectorSocketTransport._read_ready()",
        "Task was destroyed but it is pending!",
        "offer received, creating peer connection",
        "\x1b[33mdebug: pc state\x1b[0m",
    ]):
        o.add(t, line, "unparsable")
    o.write("voicebot")


def gen_alb():
    o = Out()
    arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/voicebot/73e2d6bc24d8a067"
    lb = "app/voicebot-alb/50dc6c495c0c9188"

    def entry(t, typ, client, target, elb, tgt, method, url, ua, label):
        tid = "Root=1-%08x-%024x" % (int(t.timestamp()), R.getrandbits(96))
        target_f = target + ":8080" if target != "-" else "-"
        o.add(t, '%s %s %s %s:%d %s %.3f %.3f %.3f %s %s %d %d "%s %s HTTP/1.1" "%s" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 %s "%s" "voice.example.com" "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012" 0 %s "forward" "-" "-" "%s" "%s" "-" "-" TID_%032x'
              % (typ, t.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), lb, client, R.randint(1024, 65535), target_f,
                 0.001, R.uniform(0.001, 0.2) if tgt != "-" else -1, 0.0, elb, tgt, R.randint(200, 900), R.randint(100, 50000),
                 method, url, ua, arn, tid, (t - dt.timedelta(seconds=0.01)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                 target_f, tgt, R.getrandbits(128)), label)

    host = "https://voice.example.com:443"
    for s in sessions():
        tgt = R.choice(["10.0.3.15", "10.0.4.28"])
        u = s["user"]
        step = lambda sec: s["t"] + dt.timedelta(seconds=sec)
        entry(step(0), "https", u, tgt, "200", "200", "GET", host + "/", UA, "legitimate")
        entry(step(0.2), "https", u, tgt, "200", "200", "GET", host + "/static/app.js", UA, "legitimate")
        entry(step(7.2), "https", u, tgt, "200", "200", "POST", host + "/offer", UA, "legitimate")
        entry(step(7.5 + s["dur"]), "wss", u, tgt, "101", "101", "GET", "wss://voice.example.com:443/ws", UA, "legitimate")
    # A task restart: the ALB answers 502 for a few requests.
    t = T0 + dt.timedelta(minutes=63)
    for k in range(3):
        entry(t + dt.timedelta(seconds=k), "https", USERS[5], "-", "502", "-", "POST", host + "/offer", UA, "legitimate error=http_5xx")
    for (m, target, status, pat), t in zip(SCANS, minute_times(len(SCANS))):
        entry(t, R.choice(["http", "https"]), R.choice(SCANNERS), R.choice(["10.0.3.15", "10.0.4.28"]), str(status), str(status),
              m, ("http://voice.example.com:80" if R.random() < 0.5 else host) + target, R.choice(SCAN_UA), "scanner pattern=" + pat)
    for t, (line, label) in zip(minute_times(2), [
        ("http 2026-11-25T10:31:07.000000Z app/voicebot-alb/50dc6c495c0c9188", "unparsable"),  # cut short
        ("#Version: 1.0", "header"),  # a log header line: neither a record nor unparsable
    ]):
        o.add(t, line, label)
    o.write("alb")


def gen_access():
    o = Out()

    def line(t, peer, method, target, status, size, ua, xff, label):
        o.add(t, '%s - - [%s] "%s %s HTTP/1.1" %d %d "-" "%s" "%s"' % (peer, clf_time(t), method, target, status, size, ua, xff), label)

    for s in sessions():
        u = s["user"]
        line(s["t"], R.choice(ALB_NODES), "GET", "/", 200, 5120, UA, u, "legitimate")
        line(s["t"] + dt.timedelta(seconds=1), R.choice(ALB_NODES), "POST", "/whip", 201, 2210, UA, u, "legitimate")
        line(s["t"] + dt.timedelta(seconds=s["dur"]), R.choice(ALB_NODES), "DELETE", "/whip/" + s["id"], 200, 0, UA, u, "legitimate")
    line(T0 + dt.timedelta(minutes=40), ALB_NODES[0], "POST", "/whip", 503, 0, UA, USERS[2], "legitimate error=http_5xx")
    # Common log format (no referer/agent) works too.
    o.add(T0 + dt.timedelta(minutes=41), '192.0.2.14 - alice [%s] "GET /metrics HTTP/1.1" 200 10432' % clf_time(T0 + dt.timedelta(minutes=41)), "legitimate")
    for (m, target, status, pat), t in zip(SCANS[::4], minute_times(len(SCANS[::4]))):
        line(t, R.choice(ALB_NODES), m, target, status, 150, R.choice(SCAN_UA), R.choice(SCANNERS), "scanner pattern=" + pat)
    t = T0 + dt.timedelta(minutes=90)
    o.add(t, '203.0.113.99 - - [%s] "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03" 400 157 "-" "-" "-"' % clf_time(t), "scanner pattern=invalid_method")
    o.add(t, "upstream timed out (110: Connection timed out) while reading response header", "unparsable")
    o.write("access")


def gen_media():
    o = Out()

    def ev(t, level, msg, event, label, **kw):
        d = {"time": t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z", "level": level, "msg": msg, "event": event, "component": kw.pop("component", "voice")}
        d.update(kw)
        o.add(t, json.dumps(d, separators=(",", ":")), label)

    for s in sessions():
        step = lambda sec: s["t"] + dt.timedelta(seconds=sec)
        sid, u = s["id"], s["user"]
        ev(step(0), "INFO", "http request", "http.request", "legitimate", method="POST", path="/whip", status=201, duration_seconds=0.012, client_ip=u, component="http")
        ev(step(0.01), "INFO", "session started", "session.started", "legitimate", session_id=sid, client_ip=u)
        ev(step(0.3), "INFO", "ice gathering complete", "ice.gathering", "legitimate", session_id=sid, duration_seconds=round(R.uniform(0.2, 2.5), 3), candidates=4)
        ev(step(0.4), "INFO", "connection state", "connection.state", "legitimate", session_id=sid, state="connected")
        ev(step(0.5), "INFO", "websocket open", "websocket.open", "legitimate", session_id=sid, client_ip=u)
        for k in range(s["stt"]):
            ev(step(20 + k), "WARN", "stt error", "stt.error", "legitimate error=stt_timeout", provider="transcribe", reason="timeout", error="no new audio was received for 15 seconds")
        for k in range(s["tts"]):
            ev(step(30 + k), "ERROR", "tts error", "tts.error", "legitimate error=tts_policy_violation", provider="elevenlabs", reason="policy_violation", error="voice_settings \"outside\" first message")
        if s["timeouts"]:
            ev(step(10), "WARN", "ice timeout", "ice.timeout", "legitimate error=ice_timeout", session_id=sid)
        ev(step(s["dur"]), "INFO", "session ended", "session.ended", "legitimate", session_id=sid, outcome=s["outcome"], duration_seconds=round(s["dur"], 3), reason="hangup")
        ev(step(s["dur"] + 0.1), "INFO", "websocket closed", "websocket.close", "legitimate", session_id=sid)
        ev(step(s["dur"] + 0.2), "INFO", "store write", "store.write", "legitimate", session_id=sid, result="ok")
    ev(T0 + dt.timedelta(minutes=50), "ERROR", "connection state", "connection.state", "legitimate error=connection_failed", session_id="deadbeef", state="failed")
    ev(T0 + dt.timedelta(minutes=51), "WARN", "store write", "store.write", "legitimate error=store_write_failed", session_id="deadbeef", result="error")
    for (m, target, status, pat), t in zip(SCANS[::3], minute_times(len(SCANS[::3]))):
        ev(t, "DEBUG", "scanner request rejected", "http.scanner", "scanner pattern=" + pat, pattern=pat, method=m, path=target, client_ip=R.choice(SCANNERS), component="httpguard")
    ev(T0 + dt.timedelta(minutes=99), "INFO", "http request", "http.request", "scanner pattern=dotfile", method="GET", path="/.git/config", status=404, duration_seconds=0.0001, client_ip=SCANNERS[0], component="http")
    t = T0 + dt.timedelta(minutes=100)
    o.add(t, '{"time":"2026-11-25T11:40:00Z","level":"INFO","msg":"trunc', "unparsable")
    o.add(t, "panic: runtime error: invalid memory address or nil pointer dereference", "unparsable")
    o.write("media")


gen_bot()
gen_alb()
gen_access()
gen_media()
