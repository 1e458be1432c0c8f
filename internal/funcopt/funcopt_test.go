package funcopt

import (
	"context"
	"log/slog"
	"testing"
)

type options struct {
	name  string
	order []int
}

type option func(*options)

func TestApply(t *testing.T) {
	def := options{name: "default"}
	o := Apply(def, []option{
		func(o *options) { o.order = append(o.order, 1) },
		func(o *options) { o.name = "set"; o.order = append(o.order, 2) },
	})
	if o.name != "set" || len(o.order) != 2 || o.order[0] != 1 || o.order[1] != 2 {
		t.Errorf("Apply = %+v, want name set, options in order", o)
	}
	if o := Apply(def, []option(nil)); o.name != "default" || o.order != nil {
		t.Errorf("Apply without options = %+v, want the defaults", o)
	}
}

func TestLogger(t *testing.T) {
	l := slog.New(slog.NewTextHandler(nil, nil))
	if got := Logger(l); got != l {
		t.Error("Logger(l) is not l")
	}
	d := Logger(nil)
	if d == nil || d.Enabled(context.Background(), slog.LevelError) {
		t.Error("Logger(nil) is not a logger that discards")
	}
}
