package dashtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Grafana is a fake of the parts of the Grafana HTTP API that
// `agent dashboards apply` uses: folders (GET /api/folders/{uid}, POST
// /api/folders) and dashboards (GET /api/dashboards/uid/{uid}, POST
// /api/dashboards/db). Like Grafana, it bumps a dashboard's version on
// every save, rejects a save of an existing UID without overwrite, and
// answers 401 to a wrong bearer token.
type Grafana struct {
	// URL is the base URL.
	URL string

	token string
	mu    sync.Mutex
	// folders by UID → title
	folders    map[string]string
	dashboards map[string]StoredDashboard
	writes     int
}

// StoredDashboard is a dashboard as the fake stores it.
type StoredDashboard struct {
	Model     map[string]any
	FolderUID string
	Version   int
}

// NewGrafana starts a fake Grafana on 127.0.0.1 that accepts token; it is
// closed when the test ends.
func NewGrafana(t testing.TB, token string) *Grafana {
	t.Helper()
	g := &Grafana{token: token, folders: map[string]string{}, dashboards: map[string]StoredDashboard{}}
	srv := httptest.NewServer(http.HandlerFunc(g.serveHTTP))
	t.Cleanup(srv.Close)
	g.URL = srv.URL
	return g
}

// Dashboards returns a copy of the stored dashboards by UID.
func (g *Grafana) Dashboards() map[string]StoredDashboard {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make(map[string]StoredDashboard, len(g.dashboards))
	for k, v := range g.dashboards {
		out[k] = v
	}
	return out
}

// Folders returns the folder titles by UID.
func (g *Grafana) Folders() map[string]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make(map[string]string, len(g.folders))
	for k, v := range g.folders {
		out[k] = v
	}
	return out
}

// Writes counts successful POSTs (folders and dashboards).
func (g *Grafana) Writes() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.writes
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (g *Grafana) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+g.token {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "invalid API key"})
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/folders/"):
		uid := strings.TrimPrefix(r.URL.Path, "/api/folders/")
		title, ok := g.folders[uid]
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "folder not found"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"uid": uid, "title": title})
	case r.Method == http.MethodPost && r.URL.Path == "/api/folders":
		var in struct{ UID, Title string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Title == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "bad folder"})
			return
		}
		if _, ok := g.folders[in.UID]; ok {
			writeJSON(w, http.StatusConflict, map[string]string{"message": "a folder with the same uid already exists"})
			return
		}
		g.folders[in.UID] = in.Title
		g.writes++
		writeJSON(w, http.StatusOK, map[string]any{"uid": in.UID, "title": in.Title})
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/dashboards/uid/"):
		uid := strings.TrimPrefix(r.URL.Path, "/api/dashboards/uid/")
		d, ok := g.dashboards[uid]
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "Dashboard not found"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"dashboard": d.Model, "meta": map[string]any{"folderUid": d.FolderUID, "version": d.Version}})
	case r.Method == http.MethodPost && r.URL.Path == "/api/dashboards/db":
		var in struct {
			Dashboard map[string]any `json:"dashboard"`
			FolderUID string         `json:"folderUid"`
			Overwrite bool           `json:"overwrite"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Dashboard == nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "bad dashboard"})
			return
		}
		uid, _ := in.Dashboard["uid"].(string)
		if uid == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "dashboard uid required"})
			return
		}
		if _, ok := g.folders[in.FolderUID]; !ok && in.FolderUID != "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "folder not found"})
			return
		}
		old, exists := g.dashboards[uid]
		if exists && !in.Overwrite {
			writeJSON(w, http.StatusPreconditionFailed, map[string]string{"status": "version-mismatch", "message": "The dashboard has been changed by someone else"})
			return
		}
		version := old.Version + 1
		in.Dashboard["version"] = version
		in.Dashboard["id"] = len(g.dashboards) + 1
		g.dashboards[uid] = StoredDashboard{Model: in.Dashboard, FolderUID: in.FolderUID, Version: version}
		g.writes++
		writeJSON(w, http.StatusOK, map[string]any{"uid": uid, "status": "success", "version": version, "url": "/d/" + uid})
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "not found"})
	}
}
