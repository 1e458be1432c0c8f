package e2e

import (
	"github.com/voicewatch/voicewatch/dashboards/dashtest"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
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
	res, err := dashtest.Attach(s.promURL).Query(ctx, expr)
	if err != nil {
		return nil, err
	}
	out := make([]sample, 0, len(res))
	for _, r := range res {
		f, _ := strconv.ParseFloat(r.Value, 64)
		out = append(out, sample{Metric: r.Metric, Value: f})
	}
	return out, nil
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
