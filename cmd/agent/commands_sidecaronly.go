//go:build sidecaronly

package main

// This file is the command table of the sidecar image's agent, built with
// -tags sidecaronly: only 'agent sidecar', without the media core, the demo,
// the log report and the AWS set-up commands, and without the SDK clients
// only they link (WAFv2, ELBv2, SNS, DynamoDB). Go initialises every linked
// package whichever command runs, so the sidecar process is smaller: at 10k
// scraped series 45 instead of 56 MiB RSS (0.44× the OTel Collector's
// instead of 0.54×), mostly binary pages touched and heap allocated while
// packages initialise (docs/benchmarks.md, "The sidecar image's build").

// commands is the command table, in the order the help lists them.
var commands = []command{
	{"sidecar", "scrape, derive from logs, probe; publish to Prometheus, CloudWatch, OTLP", runSidecar},
}

// notInThisBuild names the full agent's commands this build leaves out, so
// that asking for one says where it is instead of "unknown command".
var notInThisBuild = []string{"demo", "voice", "logs", "dashboards", "alerts", "waf"}
