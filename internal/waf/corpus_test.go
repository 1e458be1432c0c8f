package waf

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/wafv2/types"

	"github.com/voicewatch/voicewatch/internal/httpguard"
	"github.com/voicewatch/voicewatch/internal/httpguard/httpguardtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// wafRequest is what the web ACL's custom rules look at.
type wafRequest struct{ method, path, query, ua string }

// evaluator runs the custom rules of a web ACL on requests as AWS WAF
// would: statements in priority order, the first terminating (Block) match
// decides; managed rule groups, rate-based and geographic rules are not
// evaluated (they need AWS's data), so this measures what the rules
// generated from the guard's table block by themselves.
type evaluator struct {
	rules []types.Rule
	res   map[string]*regexp.Regexp
}

func newEvaluator(t testing.TB, p *Plan) *evaluator {
	e := &evaluator{rules: p.WebACL.Rules, res: map[string]*regexp.Regexp{}}
	return e
}

func (e *evaluator) blockedBy(r wafRequest) string {
	for i := range e.rules {
		rule := &e.rules[i]
		if rule.Action == nil || rule.Action.Block == nil {
			continue
		}
		if e.match(rule.Statement, r) {
			return aws.ToString(rule.Name)
		}
	}
	return ""
}

func (e *evaluator) match(st *types.Statement, r wafRequest) bool {
	switch {
	case st.NotStatement != nil:
		return !e.match(st.NotStatement.Statement, r)
	case st.OrStatement != nil:
		for i := range st.OrStatement.Statements {
			if e.match(&st.OrStatement.Statements[i], r) {
				return true
			}
		}
		return false
	case st.ByteMatchStatement != nil:
		b := st.ByteMatchStatement
		v := transform(field(b.FieldToMatch, r), b.TextTransformations)
		return b.PositionalConstraint == types.PositionalConstraintExactly && v == string(b.SearchString)
	case st.RegexMatchStatement != nil:
		rm := st.RegexMatchStatement
		src := aws.ToString(rm.RegexString)
		re, ok := e.res[src]
		if !ok {
			re = regexp.MustCompile(src)
			e.res[src] = re
		}
		return re.MatchString(transform(field(rm.FieldToMatch, r), rm.TextTransformations))
	}
	return false
}

func field(f *types.FieldToMatch, r wafRequest) string {
	switch {
	case f.UriPath != nil:
		return r.path
	case f.QueryString != nil:
		return r.query
	case f.Method != nil:
		return r.method
	case f.SingleHeader != nil && strings.EqualFold(aws.ToString(f.SingleHeader.Name), "user-agent"):
		return r.ua
	}
	return ""
}

// transform applies AWS WAF text transformations in priority order.
func transform(s string, tt []types.TextTransformation) string {
	for _, t := range tt {
		switch t.Type {
		case types.TextTransformationTypeLowercase:
			s = strings.ToLower(s)
		case types.TextTransformationTypeUrlDecode:
			s = urlDecode(s, false)
		case types.TextTransformationTypeUrlDecodeUni:
			s = urlDecode(s, true)
		}
	}
	return s
}

// urlDecode decodes %XX (and, with uni, %uXXXX); malformed escapes stay.
func urlDecode(s string, uni bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			if uni && i+5 < len(s) && (s[i+1] == 'u' || s[i+1] == 'U') {
				if n, err := strconv.ParseUint(s[i+2:i+6], 16, 32); err == nil {
					b.WriteString(string(rune(n)))
					i += 5
					continue
				}
			}
			if i+2 < len(s) {
				if n, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
					b.WriteByte(byte(n))
					i += 2
					continue
				}
			}
		}
		b.WriteByte(s[i])
	}
	if !utf8.ValidString(b.String()) {
		return strings.ToValidUTF8(b.String(), "\uFFFD")
	}
	return b.String()
}

func splitTarget(target string) (path, query string) {
	path, query, _ = strings.Cut(target, "?")
	return path, query
}

// TestWAFOnTheCorpus runs the generated custom rules on the guard's
// labelled corpus: no legitimate request may be blocked, and the rules
// block at least 97 % of what the guard rejects. Per-family results are
// kept in testdata/corpus-report.md (go test -run TestWAFOnTheCorpus
// -update) and quoted in docs/benchmarks.md.
func TestWAFOnTheCorpus(t *testing.T) {
	c := httpguardtest.Load(t)
	plan := mustBuild(t, Config{Routes: c.Routes})
	ev := newEvaluator(t, plan)
	routes, err := httpguard.ParseRoutes(c.Routes)
	if err != nil {
		t.Fatal(err)
	}
	guard := httpguard.NewClassifier(routes)
	var missed []string
	fams, total := httpguardtest.Evaluate(c, func(r httpguardtest.Request) string {
		path, query := splitTarget(r.Target)
		by := ev.blockedBy(wafRequest{method: r.Method, path: path, query: query, ua: r.UserAgent})
		if by == "" && guard.Classify(r.Method, r.Target, r.UserAgent) != "" {
			missed = append(missed, fmt.Sprintf("%s: %s %s", r.Family, r.Method, r.Target))
		}
		return by
	})
	if total.FalsePositives != 0 {
		t.Errorf("%d legitimate requests blocked", total.FalsePositives)
	}
	if total.Recall() < 0.97 {
		t.Errorf("recall %.3f, want >= 0.97; missed:\n%s", total.Recall(), strings.Join(missed, "\n"))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "AWS WAF custom rules (generated from the guard's table; managed, rate and geographic rules not evaluated) on %d requests:\n\n",
		len(c.Requests))
	b.WriteString("| family | requests | recall | precision |\n|---|---:|---:|---:|\n")
	for _, s := range append(fams, total) {
		if s.Recall() < 1 || s.FalsePositives > 0 || s.Family == "all" {
			fmt.Fprintf(&b, "| %s | %d | %.2f | %.2f |\n", s.Family, s.Requests, s.Recall(), s.Precision())
		}
	}
	fmt.Fprintf(&b, "\nFamilies not listed: recall 1.00, precision 1.00. Requests the guard rejects and the WAF lets through:\n\n")
	for _, m := range missed {
		fmt.Fprintf(&b, "- `%s`\n", m)
	}
	golden := filepath.Join("testdata", "corpus-report.md")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -run TestWAFOnTheCorpus -update)", err)
	}
	if b.String() != string(want) {
		t.Errorf("%s is stale (go test -run TestWAFOnTheCorpus -update):\n%s", golden, b.String())
	}
}
