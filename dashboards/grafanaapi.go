package dashboards

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// This file applies the Grafana dashboards through the Grafana HTTP API:
// the folder is created when missing, and each dashboard is upserted with
// POST /api/dashboards/db (overwrite) only when it differs from the stored
// one, so a second apply changes nothing.

const defaultHTTPTimeout = 30 * time.Second

// grafanaClient talks to one Grafana. The token is only ever put in the
// Authorization header, never in errors or logs.
type grafanaClient struct {
	base   *url.URL
	token  string
	client *http.Client
}

// apiStatusError is a non-2xx answer from Grafana.
type apiStatusError struct {
	method, path string
	status       int
	message      string
}

func (e *apiStatusError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.method, e.path, e.status, e.message)
}

func (e *apiStatusError) Unwrap() error { return ErrGrafanaAPI }

// do sends a JSON request and decodes a JSON answer into out (if non-nil).
// It returns the HTTP status; non-2xx statuses other than those in ok are
// errors.
func (c *grafanaClient) do(ctx context.Context, method, path string, in, out any, ok ...int) (int, error) {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return 0, fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(data)
	}
	u := c.base.JoinPath(path)
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, redactURLError(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return resp.StatusCode, fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		for _, s := range ok {
			if s == resp.StatusCode {
				return resp.StatusCode, nil
			}
		}
		var msg struct {
			Message string `json:"message"`
		}
		text := strings.TrimSpace(string(data))
		if json.Unmarshal(data, &msg) == nil && msg.Message != "" {
			text = msg.Message
		}
		if len(text) > 200 {
			text = text[:200] + "…"
		}
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			text += " (check that GRAFANA_TOKEN is a service account token with the Editor role)"
		}
		return resp.StatusCode, &apiStatusError{method: method, path: path, status: resp.StatusCode, message: text}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

// redactURLError drops the request URL's user info, if any, from err.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.User != nil {
			u.User = nil
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}

// ensureFolder creates the folder when it does not exist.
func (c *grafanaClient) ensureFolder(ctx context.Context, uid, title string) (bool, error) {
	status, err := c.do(ctx, http.MethodGet, "/api/folders/"+url.PathEscape(uid), nil, nil, http.StatusNotFound)
	if err != nil {
		return false, err
	}
	if status != http.StatusNotFound {
		return false, nil
	}
	_, err = c.do(ctx, http.MethodPost, "/api/folders", map[string]string{"uid": uid, "title": title}, nil)
	return err == nil, err
}

// ApplyGrafana upserts every Grafana dashboard into the configured folder of
// the Grafana at baseURL, authenticating with token (a service account
// token). Dashboards equal to the stored ones are left alone and reported
// unchanged.
func (g *Generator) ApplyGrafana(ctx context.Context, baseURL, token string) ([]ApplyResult, error) {
	if token == "" {
		return nil, ErrNoToken
	}
	base, err := url.Parse(baseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("%w: --grafana-url %q is not an http(s) URL such as http://127.0.0.1:3000", ErrUsage, redactURL(baseURL))
	}
	if base.User != nil {
		return nil, fmt.Errorf("%w: --grafana-url must not contain credentials; put the token in GRAFANA_TOKEN", ErrUsage)
	}
	ds, err := g.Grafana()
	if err != nil {
		return nil, err
	}
	c := &grafanaClient{base: base, token: token, client: g.client}
	created, err := c.ensureFolder(ctx, g.cfg.FolderUID, g.cfg.FolderTitle)
	if err != nil {
		return nil, fmt.Errorf("grafana folder %s: %w", g.cfg.FolderUID, err)
	}
	if created {
		g.logger.Info("created grafana folder", "uid", g.cfg.FolderUID, "title", g.cfg.FolderTitle)
	}
	results := make([]ApplyResult, 0, len(ds))
	for _, d := range ds {
		action, err := c.upsert(ctx, d, g.cfg.FolderUID)
		if err != nil {
			return results, fmt.Errorf("grafana dashboard %s: %w", d.UID, err)
		}
		g.logger.Info("applied grafana dashboard", "uid", d.UID, "action", string(action))
		results = append(results, ApplyResult{Target: "grafana", UID: d.UID, Title: d.Title, Action: action})
	}
	return results, nil
}

// upsert writes one dashboard unless the stored copy is already equal.
func (c *grafanaClient) upsert(ctx context.Context, d Dashboard, folderUID string) (Action, error) {
	want, err := d.JSON()
	if err != nil {
		return "", err
	}
	var stored struct {
		Dashboard json.RawMessage `json:"dashboard"`
		Meta      struct {
			FolderUID string `json:"folderUid"`
		} `json:"meta"`
	}
	status, err := c.do(ctx, http.MethodGet, "/api/dashboards/uid/"+url.PathEscape(d.UID), nil, &stored, http.StatusNotFound)
	if err != nil {
		return "", err
	}
	action := ActionCreated
	if status != http.StatusNotFound {
		if stored.Meta.FolderUID == folderUID && sameJSON(want, stored.Dashboard, "id", "version") {
			return ActionUnchanged, nil
		}
		action = ActionUpdated
	}
	req := struct {
		Dashboard json.RawMessage `json:"dashboard"`
		FolderUID string          `json:"folderUid"`
		Overwrite bool            `json:"overwrite"`
		Message   string          `json:"message"`
	}{Dashboard: want, FolderUID: folderUID, Overwrite: true, Message: "agent dashboards apply"}
	if _, err := c.do(ctx, http.MethodPost, "/api/dashboards/db", req, nil); err != nil {
		return "", err
	}
	return action, nil
}

// redactURL removes user info from a URL string for messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	return u.String()
}
