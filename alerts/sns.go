package alerts

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// TopicAPI is the part of SNS the applier needs.
type TopicAPI interface {
	// FindTopic returns the ARN of the topic called name, or "" if none.
	FindTopic(ctx context.Context, name string) (string, error)
	// CreateTopic creates the topic (idempotent in SNS) and returns its ARN.
	CreateTopic(ctx context.Context, name string) (string, error)
	// Subscriptions lists the topic's subscriptions.
	Subscriptions(ctx context.Context, topicARN string) ([]Subscription, error)
	// Subscribe adds a subscription to the topic.
	Subscribe(ctx context.Context, topicARN string, s Subscription) error
}

// snsClient is the subset of *sns.Client used by SNSTopics.
type snsClient interface {
	ListTopics(ctx context.Context, in *sns.ListTopicsInput, optFns ...func(*sns.Options)) (*sns.ListTopicsOutput, error)
	CreateTopic(ctx context.Context, in *sns.CreateTopicInput, optFns ...func(*sns.Options)) (*sns.CreateTopicOutput, error)
	ListSubscriptionsByTopic(ctx context.Context, in *sns.ListSubscriptionsByTopicInput, optFns ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error)
	Subscribe(ctx context.Context, in *sns.SubscribeInput, optFns ...func(*sns.Options)) (*sns.SubscribeOutput, error)
}

var _ snsClient = (*sns.Client)(nil)

// snsTopics implements TopicAPI with aws-sdk-go-v2's SNS client.
type snsTopics struct{ c snsClient }

var _ TopicAPI = snsTopics{}

// NewSNSTopics returns a TopicAPI backed by an SNS client.
func NewSNSTopics(c *sns.Client) TopicAPI { return snsTopics{c: c} }

func (s snsTopics) FindTopic(ctx context.Context, name string) (string, error) {
	p := sns.NewListTopicsPaginator(s.c, &sns.ListTopicsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("sns list topics: %w", err)
		}
		for _, t := range out.Topics {
			if arn := aws.ToString(t.TopicArn); strings.HasSuffix(arn, ":"+name) {
				return arn, nil
			}
		}
	}
	return "", nil
}

func (s snsTopics) CreateTopic(ctx context.Context, name string) (string, error) {
	out, err := s.c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		return "", fmt.Errorf("sns create topic %s: %w", name, err)
	}
	return aws.ToString(out.TopicArn), nil
}

func (s snsTopics) Subscriptions(ctx context.Context, arn string) ([]Subscription, error) {
	var subs []Subscription
	p := sns.NewListSubscriptionsByTopicPaginator(s.c, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("sns list subscriptions: %w", err)
		}
		for _, x := range out.Subscriptions {
			subs = append(subs, Subscription{Protocol: aws.ToString(x.Protocol), Endpoint: aws.ToString(x.Endpoint)})
		}
	}
	return subs, nil
}

func (s snsTopics) Subscribe(ctx context.Context, arn string, sub Subscription) error {
	_, err := s.c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn),
		Protocol: aws.String(sub.Protocol), Endpoint: aws.String(sub.Endpoint)})
	if err != nil {
		return fmt.Errorf("sns subscribe %s: %w", sub.Protocol, err)
	}
	return nil
}
