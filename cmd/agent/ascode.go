package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/voicewatch/voicewatch/alerts"
	"github.com/voicewatch/voicewatch/dashboards"
)

func init() {
	extraCommands["dashboards"] = func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
		return usageErr(dashboards.RunDashboards(ctx, args, stdout, stderr), dashboards.ErrUsage)
	}
	extraCommands["alerts"] = func(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
		return usageErr(alerts.RunAlerts(ctx, args, stdout, stderr), alerts.ErrUsage)
	}
}

// usageErr maps a package's usage sentinel onto exit status 2.
func usageErr(err, pkgUsage error) error {
	if err != nil && errors.Is(err, pkgUsage) && !errors.Is(err, errUsage) {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return err
}
