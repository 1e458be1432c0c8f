package logs

import (
	"errors"
	"net/netip"
	"testing"
	"time"
)

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// want is the subset of Entry a parser test checks.
type want struct {
	kind     Kind
	method   string
	target   string
	status   int
	peer     string
	client   string
	xff      string
	errKind  string
	outcome  string
	pattern  string
	level    Level
	time     time.Time
	unparsed bool
}

func check(t *testing.T, p Parser, line string, w want) {
	t.Helper()
	var e Entry
	err := p.Parse([]byte(line), &e)
	if w.unparsed {
		if !errors.Is(err, ErrUnparsable) {
			t.Fatalf("Parse = %v, want ErrUnparsable", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	addr := func(a netip.Addr) string {
		if !a.IsValid() {
			return ""
		}
		return a.String()
	}
	got := want{kind: e.Kind, method: e.Method, target: e.Target, status: e.Status, peer: addr(e.Peer),
		client: addr(e.ClientIP), xff: e.XFF, errKind: e.ErrorKind, outcome: e.Outcome, pattern: e.Pattern, level: e.Level, time: e.Time}
	if !got.time.Equal(w.time) {
		t.Errorf("time = %v, want %v", got.time, w.time)
	}
	got.time, w.time = time.Time{}, time.Time{}
	if got != w {
		t.Errorf("parsed\n got %+v\nwant %+v", got, w)
	}
}

func TestALBParser(t *testing.T) {
	tests := []struct {
		name string
		line string
		want want
	}{
		{
			name: "documented example",
			line: `http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"`,
			want: want{kind: KindRequest, method: "GET", target: "/", status: 200, peer: "192.168.131.39", client: "192.168.131.39", time: mustTime("2018-07-02T22:23:00.186641Z")},
		},
		{
			name: "https with query, target failed",
			line: `https 2026-11-25T10:00:00.000000Z app/lb/1 203.0.113.9:4431 - -1 -1 -1 502 - 0 0 "GET https://voice.example.com:443/offer?x=1 HTTP/1.1" "-" ECDHE TLSv1.2 arn "Root=1" "voice.example.com" "arn" 0 2026-11-25T10:00:00.000000Z "forward" "-" "-" "-" "-" "-" "-"`,
			want: want{kind: KindRequest, method: "GET", target: "/offer?x=1", status: 502, peer: "203.0.113.9", client: "203.0.113.9", time: mustTime("2026-11-25T10:00:00Z")},
		},
		{
			name: "websocket, ipv6 client",
			line: `wss 2026-11-25T10:00:00.5Z app/lb/1 [2001:db8::7]:5000 10.0.3.15:8080 0.001 0.002 0.000 101 101 10 20 "GET wss://voice.example.com:443/ws HTTP/1.1" "Mozilla/5.0 \"quoted\"" - -`,
			want: want{kind: KindRequest, method: "GET", target: "/ws", status: 101, peer: "2001:db8::7", client: "2001:db8::7", time: mustTime("2026-11-25T10:00:00.5Z")},
		},
		{
			name: "invalid method kept for the classifier",
			line: `http 2026-11-25T10:00:00Z app/lb/1 198.51.100.7:1 10.0.3.15:8080 0 0 0 405 405 1 1 "ABCD http://voice.example.com:80/ HTTP/1.1" "-"`,
			want: want{kind: KindRequest, method: "ABCD", target: "/", status: 405, peer: "198.51.100.7", client: "198.51.100.7", time: mustTime("2026-11-25T10:00:00Z")},
		},
		{name: "truncated", line: `http 2026-11-25T10:31:07.000000Z app/lb/1`, want: want{unparsed: true}},
		{name: "unknown type", line: `ftp 2026-11-25T10:00:00Z app/lb/1 1.2.3.4:1 - 0 0 0 200 200 1 1 "GET / HTTP/1.1" "-"`, want: want{unparsed: true}},
		{name: "request not quoted", line: `http 2026-11-25T10:00:00Z app/lb/1 1.2.3.4:1 - 0 0 0 200 200 1 1 GET / HTTP/1.1 "-"`, want: want{unparsed: true}},
		{name: "bad client", line: `http 2026-11-25T10:00:00Z app/lb/1 nohost - 0 0 0 200 200 1 1 "GET / HTTP/1.1" "-"`, want: want{unparsed: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { check(t, ALBParser{}, tc.line, tc.want) })
	}
}

func TestCLFParser(t *testing.T) {
	ts := mustTime("2026-11-25T10:00:00Z")
	tests := []struct {
		name string
		line string
		want want
	}{
		{name: "common", line: `192.0.2.14 - alice [25/Nov/2026:10:00:00 +0000] "GET /metrics HTTP/1.1" 200 10432`,
			want: want{kind: KindRequest, method: "GET", target: "/metrics", status: 200, peer: "192.0.2.14", time: ts}},
		{name: "combined", line: `10.0.1.23 - - [25/Nov/2026:10:00:00 +0000] "POST /whip HTTP/1.1" 201 2210 "-" "Mozilla/5.0"`,
			want: want{kind: KindRequest, method: "POST", target: "/whip", status: 201, peer: "10.0.1.23", time: ts}},
		{name: "nginx main with xff", line: `10.0.1.23 - - [25/Nov/2026:11:00:00 +0100] "ABCD / HTTP/1.1" 405 0 "-" "-" "198.51.100.7, 10.0.0.9"`,
			want: want{kind: KindRequest, method: "ABCD", target: "/", status: 405, peer: "10.0.1.23", xff: "198.51.100.7, 10.0.0.9", time: ts}},
		{name: "tls garbage request", line: `203.0.113.99 - - [25/Nov/2026:10:00:00 +0000] "\x16\x03\x01" 400 157 "-" "-" "-"`,
			want: want{kind: KindRequest, method: `\x16\x03\x01`, status: 400, peer: "203.0.113.99", time: ts}},
		{name: "no date", line: `10.0.1.23 - - "GET / HTTP/1.1" 200 1`, want: want{unparsed: true}},
		{name: "bad status", line: `10.0.1.23 - - [25/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" OK 1`, want: want{unparsed: true}},
		{name: "not an address", line: `upstream timed out (110: Connection timed out) [x]`, want: want{unparsed: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { check(t, CLFParser{}, tc.line, tc.want) })
	}
}

func TestJSONParser(t *testing.T) {
	ts := mustTime("2026-11-25T10:00:00.123Z")
	tests := []struct {
		name string
		line string
		want want
	}{
		{name: "session.started", line: `{"time":"2026-11-25T10:00:00.123Z","level":"INFO","msg":"session started","event":"session.started","component":"voice","session_id":"a1","client_ip":"192.0.2.7"}`,
			want: want{kind: KindSessionStarted, client: "192.0.2.7", time: ts}},
		{name: "session.ended completed", line: `{"time":"2026-11-25T10:00:00.123Z","level":"INFO","msg":"x","event":"session.ended","outcome":"completed","duration_seconds":12.5,"reason":"hangup"}`,
			want: want{kind: KindSessionCompleted, outcome: "completed", time: ts}},
		{name: "session.ended abandoned", line: `{"time":"2026-11-25T10:00:00.123Z","level":"INFO","msg":"x","event":"session.ended","outcome":"abandoned"}`,
			want: want{kind: KindSessionEnded, outcome: "abandoned", time: ts}},
		{name: "tts.error with escapes and nesting", line: `{"time":"2026-11-25T10:00:00.123Z","level":"ERROR","msg":"x","event":"tts.error","provider":"elevenlabs","reason":"policy_violation","error":"voice_settings \"outside\" first\u00e9","extra":{"a":[1,{"b":"}"}]}}`,
			want: want{kind: KindError, errKind: "tts_policy_violation", level: LevelError, time: ts}},
		{name: "stt.error unknown reason is other", line: `{"time":"2026-11-25T10:00:00.123Z","level":"WARN","msg":"x","event":"stt.error","reason":"martian"}`,
			want: want{kind: KindError, errKind: "stt_other", level: LevelWarn, time: ts}},
		{name: "http.scanner", line: `{"time":"2026-11-25T10:00:00.123Z","level":"DEBUG","msg":"x","event":"http.scanner","pattern":"weblogic","method":"GET","path":"/console/x","client_ip":"198.51.100.7"}`,
			want: want{kind: KindScanner, method: "GET", target: "/console/x", pattern: "weblogic", client: "198.51.100.7", time: ts}},
		{name: "http.request", line: `{"time":"2026-11-25T10:00:00.123Z","level":"INFO","msg":"x","event":"http.request","method":"POST","path":"/whip","status":201,"duration_seconds":0.01,"client_ip":"::ffff:192.0.2.1"}`,
			want: want{kind: KindRequest, method: "POST", target: "/whip", status: 201, client: "192.0.2.1", time: ts}},
		{name: "connection failed", line: `{"level":"ERROR","msg":"x","event":"connection.state","state":"failed"}`,
			want: want{kind: KindError, errKind: "connection_failed", level: LevelError}},
		{name: "plain slog warning", line: `{"time":"2026-11-25T10:00:00.123Z","level":"WARN","msg":"slow"}`,
			want: want{kind: KindWarning, level: LevelWarn, time: ts}},
		{name: "truncated", line: `{"time":"2026-11-25T11:40:00Z","level":"INFO","msg":"trunc`, want: want{unparsed: true}},
		{name: "trailing garbage", line: `{"event":"session.started"} x`, want: want{unparsed: true}},
		{name: "no event or msg", line: `{"a":1}`, want: want{unparsed: true}},
		{name: "array", line: `[1,2]`, want: want{unparsed: true}},
		{name: "bad literal", line: `{"event":"x","n":tru}`, want: want{unparsed: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { check(t, JSONParser{}, tc.line, tc.want) })
	}
}

func TestPythonVoicebotRules(t *testing.T) {
	rs, err := LoadShippedRuleSet("python-voicebot")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		line string
		want want
	}{
		{name: "aiohttp access (incident)", line: `INFO:aiohttp.access:10.0.1.23 [25/Nov/2026:10:00:00 +0000] "GET /ws HTTP/1.1" 101 0 "-" "Mozilla/5.0"`,
			want: want{kind: KindRequest, method: "GET", target: "/ws", status: 101, peer: "10.0.1.23", time: mustTime("2026-11-25T10:00:00Z")}},
		{name: "aiohttp access with xff", line: `INFO:aiohttp.access:10.0.1.23 [25/Nov/2026:10:00:00 +0000] "ABCD / HTTP/1.1" 405 14 "-" "-" "198.51.100.7"`,
			want: want{kind: KindRequest, method: "ABCD", target: "/", status: 405, peer: "10.0.1.23", xff: "198.51.100.7", time: mustTime("2026-11-25T10:00:00Z")}},
		{name: "webrtc timeout (incident)", line: `ERROR: Timeout establishing the connection to the remote peer`,
			want: want{kind: KindError, errKind: "webrtc_connection_timeout", level: LevelError}},
		{name: "elevenlabs policy", line: `ERROR:bot:ElevenLabs error: {"message": "voice_settings are only allowed in the first message (policy)", "code": 1008}`,
			want: want{kind: KindError, errKind: "tts_policy_violation", level: LevelError}},
		{name: "elevenlabs other", line: `ERROR:bot:ElevenLabs error: {"message": "quota exceeded", "code": 429}`,
			want: want{kind: KindError, errKind: "tts_other", level: LevelError}},
		{name: "transcribe timeout", line: `ERROR:bot:BadRequestException: Your request timed out because no new audio was received for 15 seconds.`,
			want: want{kind: KindError, errKind: "stt_timeout", level: LevelError}},
		{name: "session created", line: `INFO:bot:Session created: 3f2a9c`, want: want{kind: KindSessionStarted}},
		{name: "session completed", line: `INFO:bot:Session 3f2a9c completed (duration 184.2s, 12 turns)`, want: want{kind: KindSessionCompleted}},
		{name: "session abandoned", line: `INFO:bot:Session 3f2a9c ended: abandoned (client closed)`, want: want{kind: KindSessionEnded, outcome: "abandoned"}},
		{name: "dynamodb save", line: `INFO:bot:Saved session 3f2a9c to DynamoDB table voicebot-sessions`, want: want{kind: KindStoreWrite}},
		{name: "dynamodb failure", line: `ERROR:bot:Failed to save session 3f2a9c to DynamoDB: ProvisionedThroughputExceededException`, want: want{kind: KindStoreWrite, level: LevelError}},
		{name: "warning", line: `WARNING:aioice.ice:Could not bind to 10.0.3.15 - [Errno 99]`, want: want{kind: KindWarning, level: LevelWarn}},
		{name: "other error", line: `ERROR:aiohttp.server:Error handling request`, want: want{kind: KindError, errKind: "other", level: LevelError}},
		{name: "print output", line: `offer received, creating peer connection`, want: want{unparsed: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { check(t, rs, tc.line, tc.want) })
	}
}

func TestParseCLFTimeMatchesTimeParse(t *testing.T) {
	for _, s := range []string{
		"25/Nov/2026:10:00:00 +0000", "01/Jan/2000:23:59:59 -0930", "29/Feb/2024:00:00:00 +1400",
		"31/Feb/2026:00:00:00 +0000", "25/Nov/2026:24:00:00 +0000", "25/Xyz/2026:10:00:00 +0000",
		"5/Nov/2026:10:00:00 +0000", "25/Nov/2026:10:00:00 0000", "",
	} {
		t.Run(s, func(t *testing.T) {
			got, gerr := parseCLFTime([]byte(s))
			want, werr := time.Parse(clfTimeLayout, s)
			if (gerr == nil) != (werr == nil) || !got.Equal(want) {
				t.Errorf("parseCLFTime = %v, %v; time.Parse = %v, %v", got, gerr, want, werr)
			}
		})
	}
}
