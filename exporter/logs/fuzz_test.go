package logs

import (
	"bytes"
	"errors"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"testing"
	"unicode/utf8"
)

// seedLines adds every line of the corpus file as a fuzz seed (the seeds
// in testdata/fuzz/<FuzzName> are added by go test itself).
func seedLines(f *testing.F, file string) {
	for _, l := range readLines(f, filepath.Join("testdata", "corpus", file+".log")) {
		f.Add([]byte(l))
	}
}

// fuzzParser checks what must hold for any input: no panic, errors wrap
// ErrUnparsable, parsed requests have a status in range or 0, and a parse
// is deterministic.
func fuzzParser(f *testing.F, p Parser) {
	f.Fuzz(func(t *testing.T, line []byte) {
		var e1, e2 Entry
		err := p.Parse(line, &e1)
		if err != nil {
			if !errors.Is(err, ErrUnparsable) {
				t.Fatalf("error %v does not wrap ErrUnparsable", err)
			}
			return
		}
		if e1.Kind == "" {
			t.Fatal("parsed entry without a kind")
		}
		if e1.Status < 0 || e1.Status > 999 {
			t.Fatalf("status %d", e1.Status)
		}
		if err := p.Parse(bytes.Clone(line), &e2); err != nil || !reflect.DeepEqual(e1, e2) {
			t.Fatalf("not deterministic: %+v vs %+v (%v)", e1, e2, err)
		}
		c := NewClassifier(p, nil, nil)
		if cls := c.Classify(line, &e2); cls == ClassScanner && e2.Pattern == "" {
			t.Fatal("scanner without pattern")
		}
		if e2.ErrorKindOf() != "" && e2.Class != ClassLegitimate {
			t.Fatal("error on non-legitimate line")
		}
	})
}

func FuzzALBParser(f *testing.F) {
	seedLines(f, "alb")
	fuzzParser(f, ALBParser{})
}

func FuzzCLFParser(f *testing.F) {
	seedLines(f, "access")
	fuzzParser(f, CLFParser{})
}

func FuzzJSONParser(f *testing.F) {
	seedLines(f, "media")
	fuzzParser(f, JSONParser{})
}

func FuzzCloudFrontParser(f *testing.F) {
	seedLines(f, "cloudfront")
	fuzzParser(f, CloudFrontParser{})
}

func FuzzWAFParser(f *testing.F) {
	seedLines(f, "waf")
	fuzzParser(f, WAFParser{})
}

func FuzzAutoParser(f *testing.F) {
	for _, n := range []string{"voicebot", "alb", "access", "media", "cloudfront", "waf"} {
		seedLines(f, n)
	}
	p, err := NewAutoParser()
	if err != nil {
		f.Fatal(err)
	}
	fuzzParser(f, p)
}

// FuzzRuleSet fuzzes the rule engine's input side: rule set YAML. Any input
// either fails with ErrInvalidRuleSet or yields a set that parses lines
// without panicking.
func FuzzRuleSet(f *testing.F) {
	f.Add([]byte("name: a\nrules:\n  - name: r\n    regex: '^(?P<method>\\S+) (?P<path>\\S+) (?P<status>\\d+)'\n    emit: request\n"), []byte("GET / 200"))
	f.Add([]byte("name: a\nrules:\n  - name: r\n    regex: '(?P<kind>\\w+)'\n    emit: error\n    contains: x\n"), []byte("x oops"))
	f.Add([]byte("name: a\ntime_layout: '2006'\nrules:\n  - {name: r, regex: '(?P<time>\\d+)', emit: info}\n"), []byte("2026"))
	f.Fuzz(func(t *testing.T, yml, line []byte) {
		rs, err := LoadRuleSet("fuzz.yaml", bytes.NewReader(yml))
		if err != nil {
			if !errors.Is(err, ErrInvalidRuleSet) {
				t.Fatalf("error %v does not wrap ErrInvalidRuleSet", err)
			}
			return
		}
		var e Entry
		if err := rs.Parse(line, &e); err != nil && !errors.Is(err, ErrUnparsable) {
			t.Fatal(err)
		}
		if e.Event != "" && !utf8.ValidString(e.Event) {
			t.Fatalf("rule name %q is not UTF-8", e.Event)
		}
	})
}

// FuzzRulePrefilter: the first-byte prefilter never skips a line that the
// rule's regex matches.
func FuzzRulePrefilter(f *testing.F) {
	f.Add(`^(?:ERROR|CRITICAL):`, []byte("ERROR:x"))
	f.Add(`^(?i)info:`, []byte("Info:x"))
	f.Add(`^[a-z]+\d`, []byte("abc1"))
	f.Add(`^(?:é|x)`, []byte("é"))
	f.Add(`^(a|b)?c`, []byte("c"))
	f.Fuzz(func(t *testing.T, expr string, line []byte) {
		re, err := regexp.Compile(expr)
		if err != nil {
			return
		}
		set, ok := firstBytes(expr)
		if !ok || !re.Match(line) {
			return
		}
		if len(line) == 0 || !set[line[0]] {
			t.Fatalf("prefilter of %q skips %q, which matches", expr, line)
		}
	})
}

// FuzzFastMatcher: where the one-pass rule matcher accepts a regex, it
// returns exactly what regexp's FindSubmatchIndex returns.
func FuzzFastMatcher(f *testing.F) {
	rs, err := LoadShippedRuleSet("python-voicebot")
	if err != nil {
		f.Fatal(err)
	}
	lines := readLines(f, filepath.Join("testdata", "corpus", "voicebot.log"))
	for i, r := range rs.Rules {
		f.Add(r.Regex, []byte(lines[i*7%len(lines)]))
	}
	f.Add(`^a(?:bc)?`, []byte("abx"))
	f.Add(`^a(?:bc)?$`, []byte("abc"))
	f.Add(`^(?P<x>[^ ]*) (?P<y>\d{3})(?: "(?P<z>[^"]*)")?$`, []byte(`ab 200 "q"`))
	f.Add(`^(?i)info:[^\n]*`, []byte("INFO:x"))
	f.Add(`^[^a]*b`, []byte("\xffb"))
	f.Fuzz(func(t *testing.T, expr string, line []byte) {
		re, err := regexp.Compile(expr)
		if err != nil {
			return
		}
		fm := compileFast(expr, re.NumSubexp())
		if fm == nil {
			return
		}
		want := re.FindSubmatchIndex(line)
		got := fm.match(line, nil)
		if !slices.Equal(got, want) {
			t.Fatalf("%q on %q: fast %v, regexp %v", expr, line, got, want)
		}
	})
}
