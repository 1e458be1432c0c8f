package dashboards

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// CloudWatchAPI is the part of the CloudWatch client that apply uses.
type CloudWatchAPI interface {
	GetDashboard(ctx context.Context, in *cloudwatch.GetDashboardInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetDashboardOutput, error)
	PutDashboard(ctx context.Context, in *cloudwatch.PutDashboardInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.PutDashboardOutput, error)
}

var _ CloudWatchAPI = (*cloudwatch.Client)(nil)

// ApplyCloudWatch puts the CloudWatch dashboard unless the stored body is
// already equal. With dryRun it makes no API call at all and reports
// ActionWouldPut.
func (g *Generator) ApplyCloudWatch(ctx context.Context, api CloudWatchAPI, dryRun bool) (ApplyResult, error) {
	name := g.cfg.CloudWatch.DashboardName
	res := ApplyResult{Target: "cloudwatch", UID: name, Title: name}
	body, err := g.CloudWatchBody()
	if err != nil {
		return res, err
	}
	if dryRun {
		res.Action = ActionWouldPut
		return res, nil
	}
	res.Action = ActionCreated
	got, err := api.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String(name)})
	var notFound *types.DashboardNotFoundError
	var notFound2 *types.ResourceNotFound
	switch {
	case errors.As(err, &notFound), errors.As(err, &notFound2):
	case err != nil:
		return res, fmt.Errorf("cloudwatch GetDashboard %s: %w", name, err)
	case sameJSON(body, []byte(aws.ToString(got.DashboardBody))):
		res.Action = ActionUnchanged
		return res, nil
	default:
		res.Action = ActionUpdated
	}
	out, err := api.PutDashboard(ctx, &cloudwatch.PutDashboardInput{DashboardName: aws.String(name), DashboardBody: aws.String(string(body))})
	if err != nil {
		return res, fmt.Errorf("cloudwatch PutDashboard %s: %w", name, err)
	}
	for _, m := range out.DashboardValidationMessages {
		w := aws.ToString(m.Message)
		if p := aws.ToString(m.DataPath); p != "" {
			w = p + ": " + w
		}
		res.Warnings = append(res.Warnings, w)
		g.logger.Warn("cloudwatch dashboard validation message", "dashboard", name, "message", w)
	}
	g.logger.Info("applied cloudwatch dashboard", "dashboard", name, "action", string(res.Action))
	return res, nil
}
