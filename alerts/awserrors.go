package alerts

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"
)

// iamPrefix maps an SDK service ID to its IAM action prefix.
var iamPrefix = map[string]string{"CloudWatch": "cloudwatch", "CloudWatch Logs": "logs", "SNS": "sns"}

// explainAWS wraps an AWS error with how to fix it: the credential chain,
// the region, or the IAM action the identity lacks.
func explainAWS(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	var oe *smithy.OperationError
	var ae smithy.APIError
	switch {
	case strings.Contains(msg, "failed to retrieve credentials") || strings.Contains(msg, "no EC2 IMDS role found") ||
		strings.Contains(msg, "failed to refresh cached credentials") || errors.Is(err, ErrNoCredentials):
		return fmt.Errorf("%w\nfix: give the AWS SDK credentials: AWS_PROFILE (a profile in ~/.aws/config), AWS_ACCESS_KEY_ID and "+
			"AWS_SECRET_ACCESS_KEY, or run with a role (ECS task role, EC2 instance profile); `aws sts get-caller-identity` shows what the chain finds", err)
	case strings.Contains(msg, "Invalid region") || strings.Contains(msg, "MissingRegion") || strings.Contains(msg, "could not resolve endpoint") || errors.Is(err, ErrNoRegion):
		return fmt.Errorf("%w\nfix: pass --region (e.g. --region us-east-1) or set AWS_REGION", err)
	case errors.As(err, &ae) && isAccessDenied(ae.ErrorCode()) && errors.As(err, &oe):
		action := iamPrefix[oe.Service()] + ":" + oe.Operation()
		if iamPrefix[oe.Service()] == "" {
			action = oe.Service() + ":" + oe.Operation()
		}
		return fmt.Errorf("%w\nfix: the identity needs the IAM action %s (see the policy in docs/deployment.md)", err, action)
	}
	return err
}

func isAccessDenied(code string) bool {
	switch code {
	case "AccessDenied", "AccessDeniedException", "AuthorizationError", "UnauthorizedOperation", "AuthorizationErrorException":
		return true
	}
	return false
}
