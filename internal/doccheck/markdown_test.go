package doccheck

import (
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	md := "# Runbook: `Foo` bar\n" +
		"Edit `ice.udp_port_min` and see [the docs](../metrics.md#voice) and `a](b)`.\n" +
		"\n" +
		"| key | default |\n" +
		"|---|---|\n" +
		"| `listen`, `auth.tokens` | `127.0.0.1:8080` |\n" +
		"| `a\\|b` | x |\n" +
		"\n" +
		"| alert | x |\n" +
		"|---|---|\n" +
		"| `ProbeSTUNFailing` | y |\n" +
		"```sh\n" +
		"agent demo \\\n" +
		"  --listen 127.0.0.1:0   # comment\n" +
		"\n" +
		"```\n" +
		"after `x`\n"
	doc := Parse(md)
	want := []Mention{
		{Kind: Span, Text: "Foo", Line: 1},
		{Kind: Span, Text: "ice.udp_port_min", Line: 2},
		{Kind: Span, Text: "a](b)", Line: 2},
		{Kind: Link, Text: "../metrics.md#voice", Line: 2},
		{Kind: Span, Text: "listen", Line: 6, KeyColumn: true},
		{Kind: Span, Text: "auth.tokens", Line: 6, KeyColumn: true},
		{Kind: Span, Text: "127.0.0.1:8080", Line: 6},
		{Kind: Span, Text: "a\\|b", Line: 7, KeyColumn: true},
		{Kind: Span, Text: "ProbeSTUNFailing", Line: 11},
		{Kind: CodeLine, Text: "agent demo    --listen 127.0.0.1:0   # comment", Line: 13, Lang: "sh"},
		{Kind: Block, Text: "agent demo \\\n  --listen 127.0.0.1:0   # comment\n\n", Line: 13, Lang: "sh"},
		{Kind: Span, Text: "x", Line: 17},
	}
	if !reflect.DeepEqual(doc.Mentions, want) {
		t.Errorf("mentions:\n got %+v\nwant %+v", doc.Mentions, want)
	}
	if !doc.Anchors["runbook-foo-bar"] {
		t.Errorf("anchors %v lack runbook-foo-bar", doc.Anchors)
	}
}

func TestCommands(t *testing.T) {
	for _, tc := range []struct {
		line string
		want [][]string
	}{
		{"$ go run ./cmd/agent demo", [][]string{{"go", "run", "./cmd/agent", "demo"}}},
		{`VOICEWATCH_TURN_PASSWORD=x probe turn 'turn:h:3478?transport=udp' --username "u v"  # note`,
			[][]string{{"probe", "turn", "turn:h:3478?transport=udp", "--username", "u v"}}},
		{"curl -s 127.0.0.1:8080/metrics | grep -E '^voice_(a|b)' && docker compose restart voice",
			[][]string{{"curl", "-s", "127.0.0.1:8080/metrics"}, {"grep", "-E", "^voice_(a|b)"}, {"docker", "compose", "restart", "voice"}}},
	} {
		if got := Commands(tc.line); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Commands(%q) = %q, want %q", tc.line, got, tc.want)
		}
	}
}
