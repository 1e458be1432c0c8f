package awstest

import (
	"encoding/base64"
	"reflect"
)

// pascalShape converts an SDK output structure to the AWS JSON 1.1 data
// model of services whose members are PascalCase (wafv2): member names are
// the Go field names, nil members and unset enums are omitted, blobs are
// base64. The result is passed to encoding/json.
func pascalShape(v reflect.Value) (any, bool) {
	t := v.Type()
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() || t.Kind() == reflect.Interface {
			return nil, false
		}
		return pascalShape(v.Elem())
	case reflect.String:
		if v.Len() == 0 && t.PkgPath() != "" {
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
		if t.Elem().Kind() == reflect.Uint8 {
			return base64.StdEncoding.EncodeToString(v.Bytes()), true
		}
		l := make([]any, 0, v.Len())
		for i := range v.Len() {
			if item, ok := pascalShape(v.Index(i)); ok {
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
			if item, ok := pascalShape(iter.Value()); ok {
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
			if item, ok := pascalShape(v.Field(i)); ok {
				m[f.Name] = item
			}
		}
		return m, true
	}
	return nil, false
}
