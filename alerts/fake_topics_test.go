package alerts

import (
	"context"
	"sync"
)

// fakeTopics is an in-memory TopicAPI that records write calls.
type fakeTopics struct {
	mu     sync.Mutex
	topics map[string][]Subscription // arn → subscriptions
	calls  []string                  // write calls: "CreateTopic name", "Subscribe proto:endpoint"
}

var _ TopicAPI = (*fakeTopics)(nil)

func newFakeTopics() *fakeTopics { return &fakeTopics{topics: map[string][]Subscription{}} }

func arnOf(name string) string { return "arn:aws:sns:us-east-1:000000000000:" + name }

func (f *fakeTopics) FindTopic(_ context.Context, name string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.topics[arnOf(name)]; ok {
		return arnOf(name), nil
	}
	return "", nil
}

func (f *fakeTopics) CreateTopic(_ context.Context, name string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "CreateTopic "+name)
	if _, ok := f.topics[arnOf(name)]; !ok {
		f.topics[arnOf(name)] = nil
	}
	return arnOf(name), nil
}

func (f *fakeTopics) Subscriptions(_ context.Context, arn string) ([]Subscription, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Subscription(nil), f.topics[arn]...), nil
}

func (f *fakeTopics) Subscribe(_ context.Context, arn string, s Subscription) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "Subscribe "+s.Protocol+":"+s.Endpoint)
	f.topics[arn] = append(f.topics[arn], s)
	return nil
}

func (f *fakeTopics) writes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}
