package logs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInvalidRuleSets: each testdata/rules/invalid-*.yaml fails with an
// error that names the problem.
func TestInvalidRuleSets(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{file: "invalid-unknown-field.yaml", want: "field severity not found"},
		{file: "invalid-emit.yaml", want: `rule #1 "r": emit "erorr" is not one of request, error, warning`},
		{file: "invalid-regex.yaml", want: `rule #1 "r": regex does not compile`},
		{file: "invalid-request-groups.yaml", want: `emit request needs named groups (?P<method>...) and (?P<path>...)`},
		{file: "invalid-error-kind.yaml", want: "emit error needs `error_kind` or a (?P<kind>...) group"},
		{file: "invalid-duplicate.yaml", want: `rule #2: duplicate name "r"`},
		{file: "invalid-no-rules.yaml", want: "`rules` is empty"},
		{file: "invalid-level.yaml", want: `level "loud" is not one of info, warn, error`},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", "rules", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			_, err = LoadRuleSet(tc.file, f)
			if !errors.Is(err, ErrInvalidRuleSet) {
				t.Fatalf("err = %v, want ErrInvalidRuleSet", err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), tc.file+": ") {
				t.Errorf("err = %q, want it to start with the file name and contain %q", err, tc.want)
			}
		})
	}
}

func TestShippedRuleSetsLoad(t *testing.T) {
	names := ShippedRuleSets()
	if len(names) == 0 {
		t.Fatal("no shipped rule sets")
	}
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			if _, err := LoadShippedRuleSet(n); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestRuleFirstMatchWinsAndGroups(t *testing.T) {
	rs, err := LoadRuleSet("inline", strings.NewReader(`
name: inline
time_layout: "2006-01-02 15:04:05"
rules:
  - name: fail
    regex: '^(?P<time>\S+ \S+) ERROR (?P<kind>[a-z_]+):'
    emit: error
  - name: any_error
    regex: 'ERROR'
    emit: error
    error_kind: generic
  - name: ended
    regex: 'ended (?P<outcome>\w+)'
    emit: session_ended
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line, kind, errKind, outcome string
		wantTime                     bool
	}{
		{line: "2026-11-25 10:00:00 ERROR db_down: x", kind: "error", errKind: "db_down", wantTime: true},
		{line: "ERROR somewhere", kind: "error", errKind: "generic"},
		{line: "session ended completed", kind: "session_completed", outcome: "completed"},
		{line: "session ended failed", kind: "session_ended", outcome: "failed"},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			var e Entry
			if err := rs.Parse([]byte(tc.line), &e); err != nil {
				t.Fatal(err)
			}
			if string(e.Kind) != tc.kind || e.ErrorKind != tc.errKind || e.Outcome != tc.outcome || e.Time.IsZero() == tc.wantTime {
				t.Errorf("got kind=%s err=%s outcome=%s time=%v", e.Kind, e.ErrorKind, e.Outcome, e.Time)
			}
		})
	}
}
