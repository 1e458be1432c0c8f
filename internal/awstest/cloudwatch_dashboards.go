package awstest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

func dashboardNotFound(name string) *APIError {
	return &APIError{Status: http.StatusNotFound, Shape: "DashboardNotFoundError", QueryCode: "ResourceNotFound",
		Message: "Dashboard " + name + " does not exist", Fault: "Sender"}
}

func dashboardArn(name string) *string {
	return aws.String("arn:aws:cloudwatch::" + testAccount + ":dashboard/" + name)
}

func (s *CloudWatch) putDashboard(req *cloudwatch.PutDashboardInput) (any, *APIError) {
	name, body := aws.ToString(req.DashboardName), aws.ToString(req.DashboardBody)
	var parsed struct {
		Widgets []json.RawMessage `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(body), &parsed); err != nil || name == "" {
		msg := "The field DashboardBody must be a valid JSON object"
		if name == "" {
			msg = "DashboardName is required"
		}
		return nil, &APIError{Status: http.StatusBadRequest, Shape: "DashboardInvalidInputError", QueryCode: "InvalidParameterInput", Message: msg, Fault: "Sender"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dashboards[name] = dashboard{body: body, modified: time.Now().UTC()}
	return &cloudwatch.PutDashboardOutput{}, nil
}

func (s *CloudWatch) getDashboard(req *cloudwatch.GetDashboardInput) (any, *APIError) {
	name := aws.ToString(req.DashboardName)
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.dashboards[name]
	if !ok {
		return nil, dashboardNotFound(name)
	}
	return &cloudwatch.GetDashboardOutput{DashboardName: aws.String(name), DashboardArn: dashboardArn(name), DashboardBody: aws.String(d.body)}, nil
}

func (s *CloudWatch) listDashboards(req *cloudwatch.ListDashboardsInput) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &cloudwatch.ListDashboardsOutput{DashboardEntries: []types.DashboardEntry{}}
	for name, d := range s.dashboards {
		if req.DashboardNamePrefix != nil && !strings.HasPrefix(name, *req.DashboardNamePrefix) {
			continue
		}
		out.DashboardEntries = append(out.DashboardEntries, types.DashboardEntry{
			DashboardName: aws.String(name), DashboardArn: dashboardArn(name),
			LastModified: aws.Time(d.modified), Size: aws.Int64(int64(len(d.body))),
		})
	}
	slices.SortFunc(out.DashboardEntries, func(a, b types.DashboardEntry) int { return strings.Compare(*a.DashboardName, *b.DashboardName) })
	return out, nil
}

func (s *CloudWatch) deleteDashboards(req *cloudwatch.DeleteDashboardsInput) (any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if apiErr := deleteAll(s.dashboards, req.DashboardNames, dashboardNotFound); apiErr != nil {
		return nil, apiErr
	}
	return &cloudwatch.DeleteDashboardsOutput{}, nil
}

// Dashboards returns the stored dashboard bodies by name.
func (s *CloudWatch) Dashboards() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.dashboards))
	for n, d := range s.dashboards {
		out[n] = d.body
	}
	return out
}
