package alerts

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Paths of the generated files, relative to the export directory (the
// committed copies live under alerts/).
const (
	PathRules        = "prometheus/voicewatch.rules.yml"
	PathAlertmanager = "alertmanager/alertmanager.yml"
	PathCloudWatch   = "cloudwatch/cloudwatch.json"
)

// Files renders every generated artefact, keyed by its path relative to the
// export directory.
func (c Config) Files() (map[string][]byte, error) {
	rules, err := c.PrometheusRules().Marshal()
	if err != nil {
		return nil, err
	}
	am, err := c.AlertmanagerConfig()
	if err != nil {
		return nil, err
	}
	defs, err := c.CloudWatchDefinitions()
	if err != nil {
		return nil, err
	}
	cw, err := defs.Marshal()
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{PathRules: rules, PathAlertmanager: am, PathCloudWatch: cw}
	runbooks, err := c.RunbookFiles()
	if err != nil {
		return nil, err
	}
	for p, b := range runbooks {
		files[p] = b
	}
	return files, nil
}

// Export writes Files under dir, creating directories as needed, and
// returns the paths written, sorted.
func (c Config) Export(dir string) ([]string, error) {
	files, err := c.Files()
	if err != nil {
		return nil, err
	}
	var written []string
	for _, rel := range sortedKeys(files) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return written, fmt.Errorf("export %s: %w", rel, err)
		}
		if err := os.WriteFile(p, files[rel], 0o644); err != nil {
			return written, fmt.Errorf("export %s: %w", rel, err)
		}
		written = append(written, p)
	}
	sort.Strings(written)
	return written, nil
}
