package awstest

import (
	"context"
	"testing"
)

// paginator is what the SDK's generated paginators have in common: O is
// the operation's output, Opts the service client's options.
type paginator[O, Opts any] interface {
	HasMorePages() bool
	NextPage(ctx context.Context, optFns ...func(*Opts)) (O, error)
}

// allPages reads every page of p in order, failing the test on an error.
func allPages[O, Opts any](t *testing.T, p paginator[O, Opts]) []O {
	t.Helper()
	var pages []O
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, page)
	}
	return pages
}
