package dynamotest

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestConditions(t *testing.T) {
	item := map[string]json.RawMessage{
		"id":      json.RawMessage(`{"S":"a"}`),
		"version": json.RawMessage(`{"N":"3"}`),
	}
	vals := func(kv ...string) map[string]json.RawMessage {
		m := map[string]json.RawMessage{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = json.RawMessage(kv[i+1])
		}
		return m
	}
	tests := []struct {
		name    string
		expr    string
		names   map[string]string
		values  map[string]json.RawMessage
		item    map[string]json.RawMessage
		want    bool
		wantErr string
	}{
		{"not exists on new item", "attribute_not_exists(#k)", map[string]string{"#k": "id"}, nil, nil, true, ""},
		{"not exists on stored item", "attribute_not_exists(#k)", map[string]string{"#k": "id"}, nil, item, false, ""},
		{"version matches", "#v = :prev", map[string]string{"#v": "version"}, vals(":prev", `{"N":"3"}`), item, true, ""},
		{"version matches numerically", "#v = :prev", map[string]string{"#v": "version"}, vals(":prev", `{"N":"3.0"}`), item, true, ""},
		{"version differs", "#v = :prev", map[string]string{"#v": "version"}, vals(":prev", `{"N":"2"}`), item, false, ""},
		{"type mismatch is false", "version = :prev", nil, vals(":prev", `{"S":"3"}`), item, false, ""},
		{"missing attribute is false", "#v = :prev", map[string]string{"#v": "version"}, vals(":prev", `{"N":"1"}`), nil, false, ""},
		{"or", "attribute_not_exists(id) OR version < :v", nil, vals(":v", `{"N":"10"}`), item, true, ""},
		{"and not", "attribute_exists(id) AND NOT (version >= :v)", nil, vals(":v", `{"N":"4"}`), item, true, ""},
		{"undefined value", "#v = :prev", map[string]string{"#v": "version"}, nil, item, false, "attribute value used in expression is not defined"},
		{"undefined name", "#v = :prev", nil, vals(":prev", `{"N":"3"}`), item, false, "attribute name used in the document path is not defined"},
		{"unused value", "attribute_not_exists(id)", nil, vals(":x", `{"N":"1"}`), nil, false, "unused in expressions: keys: {:x}"},
		{"syntax", "version = ", nil, nil, item, false, "Invalid ConditionExpression"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, aerr := parseCondition(tt.expr, tt.names, tt.values)
			if tt.wantErr != "" {
				if aerr == nil || aerr.typ != "ValidationException" || !strings.Contains(aerr.msg, tt.wantErr) {
					t.Fatalf("error = %+v, want ValidationException containing %q", aerr, tt.wantErr)
				}
				return
			}
			if aerr != nil {
				t.Fatalf("parse: %+v", aerr)
			}
			if got := c.eval(tt.item); got != tt.want {
				t.Errorf("eval = %v, want %v", got, tt.want)
			}
		})
	}
}
