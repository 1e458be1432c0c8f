package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// sample is one series of an instant query.
type sample struct {
	Metric map[string]string
	Value  float64
}

var errNoData = errors.New("no data")

// query runs an instant query against the stack's Prometheus.
func (s *stack) query(expr string) ([]sample, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	form := url.Values{"query": {expr}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.promURL+"/api/v1/query", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Status, ErrorType, Error string
		Data                     struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("decode answer (HTTP %d): %w", resp.StatusCode, err)
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("%s: %s", body.ErrorType, body.Error)
	}
	switch body.Data.ResultType {
	case "vector":
		var v []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		}
		if err := json.Unmarshal(body.Data.Result, &v); err != nil {
			return nil, err
		}
		out := make([]sample, 0, len(v))
		for _, x := range v {
			f, _ := strconv.ParseFloat(fmt.Sprint(x.Value[1]), 64)
			out = append(out, sample{Metric: x.Metric, Value: f})
		}
		return out, nil
	case "scalar":
		var v [2]any
		if err := json.Unmarshal(body.Data.Result, &v); err != nil {
			return nil, err
		}
		f, _ := strconv.ParseFloat(fmt.Sprint(v[1]), 64)
		return []sample{{Value: f}}, nil
	}
	return nil, fmt.Errorf("unexpected result type %q", body.Data.ResultType)
}

// value runs a query that must return one series and returns its value.
func (s *stack) value(expr string) (float64, error) {
	res, err := s.query(expr)
	if err != nil {
		return 0, err
	}
	switch len(res) {
	case 0:
		return 0, errNoData
	case 1:
		return res[0].Value, nil
	}
	return 0, fmt.Errorf("%d series, want 1", len(res))
}

// firing returns the names of the alerts Prometheus has firing now.
func (s *stack) firing() []string {
	res, err := s.query(`ALERTS{alertstate="firing"}`)
	if err != nil {
		return []string{"(query failed: " + err.Error() + ")"}
	}
	var out []string
	for _, r := range res {
		out = append(out, r.Metric["alertname"]+"{"+r.Metric["severity"]+"}")
	}
	sort.Strings(out)
	return out
}

// amAlert is one alert as the Alertmanager API reports it.
type amAlert struct {
	Labels map[string]string `json:"labels"`
	Status struct {
		State       string   `json:"state"`
		InhibitedBy []string `json:"inhibitedBy"`
	} `json:"status"`
}

// amAlerts returns the alerts Alertmanager holds now.
func (s *stack) amAlerts() ([]amAlert, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.amURL+"/api/v2/alerts", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out []amAlert
	return out, json.NewDecoder(resp.Body).Decode(&out)
}
