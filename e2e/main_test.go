package e2e

import (
	"flag"
	"testing"

	"go.uber.org/goleak"
)

// update rewrites docs/fault-matrix.md (and the load results when the load
// test runs) with the measured numbers.
var update = flag.Bool("update", false, "rewrite docs/fault-matrix.md with the measured times")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
