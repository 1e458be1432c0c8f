package dashboards

import (
	"encoding/json"
	"reflect"
)

// Action says what apply did (or would do) to one dashboard.
type Action string

// Apply actions.
const (
	ActionCreated   Action = "created"
	ActionUpdated   Action = "updated"
	ActionUnchanged Action = "unchanged"
	// ActionWouldPut is reported by a dry run, which makes no API calls.
	ActionWouldPut Action = "would put (dry run)"
)

// ApplyResult is the outcome of applying one dashboard.
type ApplyResult struct {
	// Target is "grafana" or "cloudwatch".
	Target string
	// UID is the Grafana UID or the CloudWatch dashboard name.
	UID string
	// Title is the dashboard title.
	Title string
	// Action is what happened.
	Action Action
	// Warnings are validation messages returned by the API, if any.
	Warnings []string
}

// sameJSON reports whether two JSON documents are equal once decoded,
// ignoring the top-level keys in ignore. Key order and whitespace do not
// matter.
func sameJSON(a, b []byte, ignore ...string) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	for _, m := range []any{x, y} {
		if obj, ok := m.(map[string]any); ok {
			for _, k := range ignore {
				delete(obj, k)
			}
		}
	}
	return reflect.DeepEqual(x, y)
}
