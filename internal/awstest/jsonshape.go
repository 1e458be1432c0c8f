package awstest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
)

// jsonShape converts an SDK output structure to the AWS JSON 1.1 data model
// of a service whose members are camelCase (CloudWatch Logs): member names
// are the Go field names with a lower-case first letter, empty strings are
// omitted. The result is passed to encoding/json.
func jsonShape(v reflect.Value) (any, bool) { return awsJSONShape(v, true) }

// pascalShape is jsonShape for services whose members are PascalCase
// (wafv2): member names are the Go field names, and only unset enums among
// the empty strings are omitted.
func pascalShape(v reflect.Value) (any, bool) { return awsJSONShape(v, false) }

// awsJSONShape converts v: nil members and unset enums are omitted, map
// keys are kept as they are, blobs are base64; camel selects the member
// naming (and the omission of every empty string) of jsonShape.
func awsJSONShape(v reflect.Value, camel bool) (any, bool) {
	t := v.Type()
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() || t.Kind() == reflect.Interface {
			return nil, false
		}
		return awsJSONShape(v.Elem(), camel)
	case reflect.String:
		if v.Len() == 0 && (camel || t.PkgPath() != "") {
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
			if item, ok := awsJSONShape(v.Index(i), camel); ok {
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
			if item, ok := awsJSONShape(iter.Value(), camel); ok {
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
			if item, ok := awsJSONShape(v.Field(i), camel); ok {
				name := f.Name
				if camel {
					name = lowerFirst(name)
				}
				m[name] = item
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

// jsonService is an AWS JSON 1.1 test server: the operation comes in
// X-Amz-Target, the input is the JSON body, the output is shaped by
// awsJSONShape.
type jsonService struct {
	targetPrefix string // e.g. "Logs_20140328."
	faults       *faults
	camel        bool // camelCase members (Logs), else PascalCase (wafv2)
	// invalid, throttle and internal build the service's own errors.
	invalid            func(msg string) *APIError
	throttle, internal func(status int) *APIError
	// call runs one operation.
	call func(op string, body []byte) (any, *APIError)
}

// serveJSON answers one AWS JSON 1.1 request of svc, injected faults first.
func serveJSON(w http.ResponseWriter, r *http.Request, svc jsonService) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), svc.targetPrefix)
	if !ok || r.Method != http.MethodPost {
		writeJSONError(w, svc.invalid("missing or foreign X-Amz-Target"))
		return
	}
	ft, release := svc.faults.admit(op)
	if apiErr := applyFault(r, ft, release, svc.throttle, svc.internal); apiErr != nil {
		writeJSONError(w, apiErr)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeJSONError(w, svc.invalid("read body: "+err.Error()))
		return
	}
	out, apiErr := svc.call(op, body)
	if apiErr != nil {
		writeJSONError(w, apiErr)
		return
	}
	shaped, _ := awsJSONShape(reflect.ValueOf(out), svc.camel)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(shaped)
}
