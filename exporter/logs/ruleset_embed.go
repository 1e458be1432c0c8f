package logs

import (
	"bytes"
	"embed"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"
)

//go:embed rules/*.yaml
var shippedRules embed.FS

// ShippedRuleSets lists the names of the rule sets built into the binary
// (rules/*.yaml), usable as --format rules:NAME.
func ShippedRuleSets() []string {
	ents, _ := shippedRules.ReadDir("rules")
	var names []string
	for _, e := range ents {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(names)
	return names
}

// LoadShippedRuleSet loads a built-in rule set by name (e.g. python-voicebot).
func LoadShippedRuleSet(name string) (*RuleSet, error) {
	b, err := shippedRules.ReadFile(path.Join("rules", name+".yaml"))
	if err != nil {
		return nil, fmt.Errorf("%w: no shipped rule set %q (have %s)", ErrUnknownFormat, name, strings.Join(ShippedRuleSets(), ", "))
	}
	return LoadRuleSet(name+".yaml", bytes.NewReader(b))
}

// loadRuleSetRef loads "NAME" (a shipped set) or a path to a YAML file.
func loadRuleSetRef(ref string) (*RuleSet, error) {
	if !strings.ContainsAny(ref, `/\`) && !strings.HasSuffix(ref, ".yaml") && !strings.HasSuffix(ref, ".yml") {
		return LoadShippedRuleSet(ref)
	}
	f, err := os.Open(ref)
	if err != nil {
		return nil, fmt.Errorf("rule set: %w", err)
	}
	defer f.Close()
	return LoadRuleSet(ref, f)
}
