package dashboards

import "errors"

// Sentinel errors returned by this package; test them with errors.Is.
var (
	// ErrInvalidConfig is returned when a Config fails validation.
	ErrInvalidConfig = errors.New("dashboards: invalid config")
	// ErrUsage is returned for a bad value the user named (e.g. a Grafana URL).
	ErrUsage = errors.New("dashboards: usage")
	// ErrGrafanaAPI is returned when the Grafana HTTP API answers with an
	// unexpected status.
	ErrGrafanaAPI = errors.New("dashboards: grafana api")
	// ErrNoToken is returned by apply --grafana-url when GRAFANA_TOKEN is unset.
	ErrNoToken = errors.New("dashboards: GRAFANA_TOKEN is not set")
	// ErrCloudWatch is returned when PutDashboard reports validation errors.
	ErrCloudWatch = errors.New("dashboards: cloudwatch")
)
