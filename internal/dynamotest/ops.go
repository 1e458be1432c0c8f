package dynamotest

import (
	"encoding/json"
	"net/http"
)

type putItemInput struct {
	TableName                 string                     `json:"TableName"`
	Item                      map[string]json.RawMessage `json:"Item"`
	ConditionExpression       string                     `json:"ConditionExpression"`
	ExpressionAttributeNames  map[string]string          `json:"ExpressionAttributeNames"`
	ExpressionAttributeValues map[string]json.RawMessage `json:"ExpressionAttributeValues"`
}

func decodeInput(in map[string]json.RawMessage, dst any) *apiError {
	b, _ := json.Marshal(in)
	if err := json.Unmarshal(b, dst); err != nil {
		return &apiError{http.StatusBadRequest, "SerializationException", err.Error()}
	}
	return nil
}

func (s *Server) table(name string) (*table, *apiError) {
	if name == "" {
		return nil, validation("1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null")
	}
	t := s.tables[name]
	if t == nil {
		return nil, &apiError{http.StatusBadRequest, "ResourceNotFoundException", "Requested resource not found: Table: " + name + " not found"}
	}
	return t, nil
}

// keyOf returns the item's partition key value (a string attribute).
func keyOf(t *table, item map[string]json.RawMessage) (string, *apiError) {
	raw, ok := item[t.key]
	if !ok {
		return "", validation("One of the required keys was not given a value")
	}
	var v struct {
		S *string `json:"S"`
	}
	if err := json.Unmarshal(raw, &v); err != nil || v.S == nil {
		return "", validation("One or more parameter values were invalid: Type mismatch for key " + t.key + " expected: S")
	}
	if *v.S == "" {
		return "", validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: " + t.key)
	}
	return *v.S, nil
}

func (s *Server) putItem(in map[string]json.RawMessage, call *Call) ([]byte, *apiError) {
	var p putItemInput
	if err := decodeInput(in, &p); err != nil {
		return nil, err
	}
	call.Condition = p.ConditionExpression
	s.mu.Lock()
	defer s.mu.Unlock()
	t, aerr := s.table(p.TableName)
	if aerr != nil {
		return nil, aerr
	}
	key, aerr := keyOf(t, p.Item)
	if aerr != nil {
		return nil, aerr
	}
	if p.ConditionExpression != "" {
		cond, aerr := parseCondition(p.ConditionExpression, p.ExpressionAttributeNames, p.ExpressionAttributeValues)
		if aerr != nil {
			return nil, aerr
		}
		if !cond.eval(t.items[key]) {
			return nil, &apiError{http.StatusBadRequest, "ConditionalCheckFailedException", "The conditional request failed"}
		}
	} else if len(p.ExpressionAttributeNames)+len(p.ExpressionAttributeValues) > 0 {
		return nil, validation("ExpressionAttributeNames and ExpressionAttributeValues can only be specified when using expressions")
	}
	t.items[key] = p.Item
	return []byte("{}"), nil
}

func (s *Server) getItem(in map[string]json.RawMessage) ([]byte, *apiError) {
	var g struct {
		TableName      string                     `json:"TableName"`
		Key            map[string]json.RawMessage `json:"Key"`
		ConsistentRead bool                       `json:"ConsistentRead"`
	}
	if err := decodeInput(in, &g); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, aerr := s.table(g.TableName)
	if aerr != nil {
		return nil, aerr
	}
	if len(g.Key) != 1 {
		return nil, validation("The provided key element does not match the schema")
	}
	key, aerr := keyOf(t, g.Key)
	if aerr != nil {
		return nil, aerr
	}
	item := t.items[key]
	if item == nil {
		return []byte("{}"), nil
	}
	b, _ := json.Marshal(map[string]any{"Item": item})
	return b, nil
}
