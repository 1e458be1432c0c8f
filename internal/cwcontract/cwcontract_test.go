package cwcontract

import (
	"strings"
	"testing"
)

// TestExactMatch: a read finds a published metric only with the same
// namespace, name and exactly the same dimension names (a subset or a
// superset finds nothing), as CloudWatch matches metrics.
func TestExactMatch(t *testing.T) {
	pub := Published{}
	emf := `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"VW","Dimensions":[["Environment","Service","kind"],["Environment","Service"]],"Metrics":[{"Name":"probe_success"}]}]},"Environment":"prod","Service":"vw","kind":"stun","probe_success":0}
{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"VW","Dimensions":[["Environment","Service"]],"Metrics":[{"Name":"lat_seconds","Unit":"Seconds"}]}]},"Environment":"prod","Service":"vw","lat_seconds":{"Values":[0.1,0.2],"Counts":[2,3],"Count":5,"Sum":0.8,"Min":0.1,"Max":0.2}}
`
	if err := pub.AddEMF(strings.NewReader(emf)); err != nil {
		t.Fatal(err)
	}
	m := func(name string, dims map[string]string) Read {
		return Read{Where: "t", Metric: Metric{Namespace: "VW", Name: name, Dimensions: dims}}
	}
	for _, tc := range []struct {
		name string
		read Read
		want int
	}{
		{"exact set", m("probe_success", map[string]string{"Environment": "prod", "Service": "vw", "kind": "stun"}), 1},
		{"roll-up", m("probe_success", map[string]string{"Environment": "prod", "Service": "vw"}), 1},
		{"other value", m("probe_success", map[string]string{"Environment": "prod", "Service": "vw", "kind": "turn"}), 0},
		{"subset", m("probe_success", map[string]string{"kind": "stun"}), 0},
		{"superset", m("probe_success", map[string]string{"Environment": "prod", "Service": "vw", "kind": "stun", "probe": "a"}), 0},
		{"other namespace", Read{Metric: Metric{Namespace: "X", Name: "probe_success", Dimensions: map[string]string{"Environment": "prod", "Service": "vw"}}}, 0},
		{"search schema", Read{Search: true, Metric: Metric{Namespace: "VW", Name: "probe_success", Dimensions: map[string]string{"Environment": "prod", "Service": "vw", "kind": ""}}}, 1},
		{"search schema with another dimension", Read{Search: true, Metric: Metric{Namespace: "VW", Name: "probe_success", Dimensions: map[string]string{"Environment": "", "Service": "", "probe": ""}}}, 0},
		{"histogram", m("lat_seconds", map[string]string{"Environment": "prod", "Service": "vw"}), 1},
	} {
		if got := len(pub.Matches(tc.read)); got != tc.want {
			t.Errorf("%s: %d matches, want %d", tc.name, got, tc.want)
		}
	}
	if s := pub.Matches(m("lat_seconds", map[string]string{"Environment": "prod", "Service": "vw"})); s[0].Values[0] != 5 {
		t.Errorf("histogram sample count = %v, want 5", s[0].Values)
	}
}

// TestDashboardReads parses metric rows and SEARCH expressions of our
// namespace only.
func TestDashboardReads(t *testing.T) {
	body := `{"widgets":[{"properties":{"title":"w","metrics":[
	  ["VW","m","Environment","prod","Service","vw",{"stat":"Sum"}],
	  [{"expression":"SEARCH('{VW,Environment,Service,result} MetricName=\"c\" Environment=\"prod\" Service=\"vw\"', 'Sum', 300)"}],
	  [{"expression":"SEARCH('{AWS/ApplicationELB,LoadBalancer} MetricName=\"RequestCount\"', 'Sum', 300)"}],
	  [{"expression":"100 * a / b"}]]}}]}`
	reads, err := DashboardReads([]byte(body), "VW")
	if err != nil {
		t.Fatal(err)
	}
	if len(reads) != 2 || reads[0].Metric.Key() != "VW m {Environment=prod,Service=vw}" || !reads[1].Search ||
		reads[1].Metric.Name != "c" || len(reads[1].Metric.Dimensions) != 3 || reads[1].Metric.Dimensions["result"] != "" {
		t.Errorf("reads = %+v", reads)
	}
}
