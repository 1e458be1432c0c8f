// Package awserr turns the AWS SDK errors a person can fix — no
// credentials, no region, a rejected or expired key, a missing IAM
// permission, throttling — into errors that say how to fix them. The agent
// commands that call AWS (alerts apply and test-notify, dashboards apply,
// logs report cloudwatch:...) pass their errors through [Explain].
package awserr

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
)

// Kinds of fixable AWS failure, the values of Error.Kind.
const (
	KindCredentials  = "credentials"
	KindRegion       = "region"
	KindAccessDenied = "access_denied"
	KindInvalidKey   = "invalid_key"
	KindExpired      = "expired"
	KindThrottled    = "throttled"
	KindNotFound     = "not_found"
)

// Error is an AWS error with what to do about it.
type Error struct {
	// Kind is one of the Kind* constants.
	Kind string
	// Action is the IAM action that was denied (for KindAccessDenied), e.g.
	// "cloudwatch:PutMetricAlarm", when it is known.
	Action string
	// Fix says what to do.
	Fix string
	// Err is the SDK's error.
	Err error
}

func (e *Error) Error() string { return fmt.Sprintf("%v\n  to fix: %s", e.Err, e.Fix) }
func (e *Error) Unwrap() error { return e.Err }

// credentialsChain is what the SDK's default chain tries, in order.
const credentialsChain = "the AWS SDK looks for credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, " +
	"then AWS_PROFILE in ~/.aws/config and ~/.aws/credentials (for SSO profiles run 'aws sso login --profile NAME'), " +
	"then the ECS task role or the EC2 instance profile; 'aws sts get-caller-identity' shows which one it finds"

// iamPrefix maps the SDK's service IDs to IAM action prefixes.
var iamPrefix = map[string]string{
	"CloudWatch": "cloudwatch", "CloudWatch Logs": "logs", "SNS": "sns", "DynamoDB": "dynamodb",
	"STS": "sts", "WAFV2": "wafv2", "Elastic Load Balancing v2": "elasticloadbalancing", "Transcribe Streaming": "transcribe",
}

var notAuthorized = regexp.MustCompile(`not authorized to perform:? ([a-z0-9-]+:[A-Za-z0-9]+)`)

// fixRegion is the fix of a missing region.
const fixRegion = "no AWS region is set: pass --region, or set AWS_REGION (or region in ~/.aws/config for your AWS_PROFILE)"

// RequireRegion returns a KindRegion error when cfg has no region, before
// any request is attempted (with an endpoint override the SDK would send
// requests signed for no region).
func RequireRegion(cfg aws.Config) error {
	if cfg.Region != "" {
		return nil
	}
	return &Error{Kind: KindRegion, Err: &aws.MissingRegionError{}, Fix: fixRegion}
}

// Explain returns err as an *Error with a fix when it is a fixable AWS
// failure, and err unchanged otherwise (nil stays nil).
func Explain(err error) error {
	if err == nil {
		return nil
	}
	var already *Error
	if errors.As(err, &already) {
		return err
	}
	msg := err.Error()
	var mr *aws.MissingRegionError
	switch {
	case errors.As(err, &mr) || strings.Contains(msg, "Missing Region") || strings.Contains(msg, "region is required"):
		return &Error{Kind: KindRegion, Err: err, Fix: fixRegion}
	case strings.Contains(msg, "failed to refresh cached credentials") || strings.Contains(msg, "no EC2 IMDS role found") ||
		strings.Contains(msg, "static credentials are empty") || strings.Contains(msg, "failed to retrieve credentials"):
		return &Error{Kind: KindCredentials, Err: err, Fix: "no usable AWS credentials: " + credentialsChain}
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return err
	}
	action := ""
	if m := notAuthorized.FindStringSubmatch(api.ErrorMessage()); m != nil {
		action = m[1]
	} else {
		var op *smithy.OperationError
		if errors.As(err, &op) {
			prefix, ok := iamPrefix[op.ServiceID]
			if !ok {
				prefix = strings.ToLower(strings.ReplaceAll(op.ServiceID, " ", ""))
			}
			action = prefix + ":" + op.OperationName
		}
	}
	switch api.ErrorCode() {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError", "AuthorizationErrorException", "UnauthorizedException":
		fix := "the AWS identity in use lacks an IAM permission"
		if action != "" {
			fix = "the AWS identity in use lacks the IAM permission " + action + ": add it to the policy of that role or user"
		}
		return &Error{Kind: KindAccessDenied, Action: action, Err: err,
			Fix: fix + " (deploy/ecs/iam-policy.json lists what voicewatch needs; 'aws sts get-caller-identity' shows who you are)"}
	case "UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature", "InvalidAccessKeyId":
		return &Error{Kind: KindInvalidKey, Err: err,
			Fix: "AWS rejected the access key or its signature: check the key pair you use (" + credentialsChain + "), and that its account is in this partition and region"}
	case "ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired":
		return &Error{Kind: KindExpired, Err: err,
			Fix: "the AWS session credentials expired: refresh them ('aws sso login --profile NAME', or new STS credentials), then run the command again"}
	case "Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "LimitExceededException":
		return &Error{Kind: KindThrottled, Err: err,
			Fix: "AWS throttled the requests even after retries: wait a minute and run the command again (it is idempotent)"}
	case "ResourceNotFoundException", "ResourceNotFound":
		return &Error{Kind: KindNotFound, Err: err,
			Fix: "the resource does not exist in this account and region: check its name and --region / AWS_REGION"}
	}
	return err
}
