package waf

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/wafv2"
)

// Files written by Plan.Export under its directory.
const (
	WebACLFile  = "web-acl.json"
	LoggingFile = "logging-configuration.json"
)

// errCaptured stops a request after the SDK has validated and serialised it.
var errCaptured = errors.New("waf: request captured, not sent")

// captureHTTP is an aws.HTTPClient that keeps the request body and sends
// nothing.
type captureHTTP struct{ body []byte }

func (c *captureHTTP) Do(r *http.Request) (*http.Response, error) {
	var err error
	if r.Body != nil {
		c.body, err = io.ReadAll(r.Body)
	}
	if err != nil {
		return nil, err
	}
	return nil, errCaptured
}

// wireJSON runs call on a wafv2 client that sends nothing and returns the
// body the SDK would have sent: the operation's input in the API's own JSON
// shape, after the SDK's own input validation (a missing required member
// fails here with a smithy.InvalidParamsError).
func wireJSON(ctx context.Context, call func(context.Context, *wafv2.Client) error) ([]byte, error) {
	hc := &captureHTTP{}
	c := wafv2.New(wafv2.Options{
		Region: "us-east-1", HTTPClient: hc, Credentials: aws.AnonymousCredentials{},
		Retryer: aws.NopRetryer{},
	})
	err := call(ctx, c)
	if !errors.Is(err, errCaptured) {
		if err == nil {
			err = errors.New("the SDK sent nothing")
		}
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, hc.body, "", "  "); err != nil {
		return nil, fmt.Errorf("waf: the SDK's request body is not JSON: %w", err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// WebACLJSON returns the CreateWebACL input as the SDK sends it: the input
// of `aws wafv2 create-web-acl --cli-input-json file://web-acl.json`.
func (p *Plan) WebACLJSON(ctx context.Context) ([]byte, error) {
	return wireJSON(ctx, func(ctx context.Context, c *wafv2.Client) error {
		_, err := c.CreateWebACL(ctx, p.WebACL)
		return err
	})
}

// LoggingJSON returns the PutLoggingConfiguration input for the web ACL
// webACLARN as the SDK sends it. An empty ARN is written as
// "WEB_ACL_ARN" for the operator to replace with the ARN create-web-acl
// prints.
func (p *Plan) LoggingJSON(ctx context.Context, webACLARN string) ([]byte, error) {
	if p.Logging == nil {
		return nil, nil
	}
	in := *p.Logging
	lc := *in.LoggingConfiguration
	if webACLARN == "" {
		webACLARN = "WEB_ACL_ARN"
	}
	lc.ResourceArn = aws.String(webACLARN)
	in.LoggingConfiguration = &lc
	return wireJSON(ctx, func(ctx context.Context, c *wafv2.Client) error {
		_, err := c.PutLoggingConfiguration(ctx, &in)
		return err
	})
}

// Export writes web-acl.json and, with a log destination,
// logging-configuration.json under dir (created if needed) and returns
// the paths written. webACLARN fills the logging configuration's
// ResourceArn when the web ACL already exists ("" otherwise).
func (p *Plan) Export(ctx context.Context, dir, webACLARN string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("waf export: %w", err)
	}
	acl, err := p.WebACLJSON(ctx)
	if err != nil {
		return nil, err
	}
	var written []string
	path := filepath.Join(dir, WebACLFile)
	if err := os.WriteFile(path, acl, 0o644); err != nil {
		return nil, fmt.Errorf("waf export: %w", err)
	}
	written = append(written, path)
	logging, err := p.LoggingJSON(ctx, webACLARN)
	if err != nil || logging == nil {
		return written, err
	}
	path = filepath.Join(dir, LoggingFile)
	if err := os.WriteFile(path, logging, 0o644); err != nil {
		return written, fmt.Errorf("waf export: %w", err)
	}
	return append(written, path), nil
}
