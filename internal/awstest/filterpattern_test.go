package awstest

import (
	"strings"
	"testing"
)

// The test vectors are the examples of "Filter pattern syntax for metric
// filters, subscription filters, filter log events, and Live Tail" (Amazon
// CloudWatch Logs User Guide): its sample events and, per pattern, the
// events the guide says match.
var termEvents = []string{
	"[ERROR 400] BAD REQUEST",
	"[ERROR 401] UNAUTHORIZED REQUEST",
	"[ERROR 419] MISSING ARGUMENTS",
	"[ERROR 420] INVALID ARGUMENTS",
}

const jsonEvent = `{
  "eventType": "UpdateTrail",
  "sourceIPAddress": "111.111.111.111",
  "arrayKey": ["value", "another value"],
  "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
  "SomeObject": null,
  "cluster.name": "c",
  "bandwidth": 75,
  "latency": 1000,
  "ThisFlag": true
}`

func TestFilterPatternTerms(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		want    []int // indexes of termEvents that match
	}{
		{"ERROR", []int{0, 1, 2, 3}},
		{"ERROR ARGUMENTS", []int{2, 3}},
		{"?ERROR ?ARGUMENTS", []int{0, 1, 2, 3}},
		{"?REQUEST ?MISSING", []int{0, 1, 2}},
		{`"INVALID ARGUMENTS"`, []int{3}},
		{"ERROR -ARGUMENTS", []int{0, 1}},
		{"", []int{0, 1, 2, 3}},
		{"error", nil}, // case-sensitive
	} {
		var got []int
		for i, ev := range termEvents {
			ok, err := MatchFilter(tc.pattern, ev)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				got = append(got, i)
			}
		}
		if !equalInts(got, tc.want) {
			t.Errorf("%q matches %v, want %v", tc.pattern, got, tc.want)
		}
	}
}

func TestFilterPatternJSON(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		want    bool
	}{
		{`{ $.eventType = "UpdateTrail" }`, true},
		{`{ $.eventType = "DeleteTrail" }`, false},
		{`{ $.sourceIPAddress != 123.123.* }`, true},
		{`{ $.sourceIPAddress = 111.111.* }`, true},
		{`{ $.arrayKey[0] = "value" }`, true},
		{`{ $.objectList[1].id = 2 }`, true},
		{`{ $.SomeObject IS NULL }`, true},
		{`{ $.SomeOtherObject NOT EXISTS }`, true},
		{`{ $.ThisFlag IS TRUE }`, true},
		{`{ $.bandwidth > 75 }`, false},
		{`{ $.latency >= 500 }`, true},
		{`{ ($.eventType = "UpdateTrail") && ($.bandwidth < 100) }`, true},
		{`{ ($.eventType = "DeleteTrail") || ($.latency = 1000) }`, true},
		{`{ $.eventType = "UpdateTrail" && $.missing != "x" }`, false}, // a comparison on a missing property does not match
	} {
		got, err := MatchFilter(tc.pattern, jsonEvent)
		if err != nil {
			t.Fatalf("%s: %v", tc.pattern, err)
		}
		if got != tc.want {
			t.Errorf("%s = %t, want %t", tc.pattern, got, tc.want)
		}
	}
	if ok, _ := MatchFilter(`{ $.eventType = "UpdateTrail" }`, "UpdateTrail, not JSON"); ok {
		t.Error("a JSON pattern matched a non-JSON event")
	}
	for _, bad := range []string{`{ $.a = "x" `, `{ a = "x" }`, `{ $.a < "x" }`, `[ip, user]`} {
		if _, err := MatchFilter(bad, jsonEvent); err == nil || !strings.Contains(err.Error(), "filter pattern") {
			t.Errorf("%s: err = %v, want a filter pattern error", bad, err)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
