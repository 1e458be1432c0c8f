package dashboards

import (
	"fmt"
	"os"
	"path/filepath"
)

// File is one generated file, with its path relative to the export directory.
type File struct {
	Path string
	Data []byte
}

// Files returns every generated file: grafana/*.json, cloudwatch/*.json and
// the Grafana provisioning files. The layout is the one committed under
// dashboards/.
func (g *Generator) Files() ([]File, error) {
	ds, err := g.Grafana()
	if err != nil {
		return nil, err
	}
	var out []File
	for _, d := range ds {
		data, err := d.JSON()
		if err != nil {
			return nil, err
		}
		out = append(out, File{Path: filepath.Join("grafana", d.Name+".json"), Data: data})
	}
	body, err := g.CloudWatchBody()
	if err != nil {
		return nil, err
	}
	out = append(out, File{Path: filepath.Join("cloudwatch", g.cfg.CloudWatch.DashboardName+".json"), Data: body})
	return append(out, g.provisioning()...), nil
}

// Export writes Files under dir, creating directories as needed.
func (g *Generator) Export(dir string) ([]File, error) {
	files, err := g.Files()
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		p := filepath.Join(dir, f.Path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		g.logger.Debug("wrote dashboard file", "path", p)
	}
	return files, nil
}
