package awstest

import (
	"reflect"
)

// jsonShape converts an SDK output structure to the AWS JSON 1.1 data model:
// member names are the Go field names with a lower-case first letter (the
// CloudWatch Logs model spells them camelCase), map keys are kept as they are,
// nil members are omitted. The result is passed to encoding/json.
func jsonShape(v reflect.Value) (any, bool) {
	t := v.Type()
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() || t.Kind() == reflect.Interface {
			return nil, false
		}
		return jsonShape(v.Elem())
	case reflect.String:
		if v.Len() == 0 {
			return nil, false // unset enum
		}
		return v.String(), true
	case reflect.Bool:
		return v.Bool(), true
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		return v.Int(), true
	case reflect.Float32, reflect.Float64:
		return v.Float(), true
	case reflect.Slice:
		if v.IsNil() {
			return nil, false
		}
		l := make([]any, 0, v.Len())
		for i := range v.Len() {
			if item, ok := jsonShape(v.Index(i)); ok {
				l = append(l, item)
			}
		}
		return l, true
	case reflect.Map:
		if v.IsNil() {
			return nil, false
		}
		m := make(map[string]any, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			if item, ok := jsonShape(iter.Value()); ok {
				m[iter.Key().String()] = item
			}
		}
		return m, true
	case reflect.Struct:
		m := map[string]any{}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Name == "ResultMetadata" {
				continue
			}
			if item, ok := jsonShape(v.Field(i)); ok {
				m[lowerFirst(f.Name)] = item
			}
		}
		return m, true
	}
	return nil, false
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}
