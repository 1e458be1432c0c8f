package awstest

import (
	"fmt"
	"math"
	"reflect"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// The CloudWatch SDK types are generated from the Smithy model with Go field
// names equal to the wire member names (PascalCase), so one reflective codec
// maps every input and output shape to and from the rpc-v2-cbor data model:
// structures are CBOR maps keyed by member name, timestamps are tag 1 epoch
// seconds, enums are text strings, unset (nil) members are absent.

var timeType = reflect.TypeFor[time.Time]()

// decodeShape decodes a CBOR value into the Go value dst points to.
func decodeShape(v cbor.Value, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("%w: decode target %T", ErrUnsupported, dst)
	}
	return decodeValue(v, rv.Elem())
}

func decodeValue(v cbor.Value, dst reflect.Value) error {
	if _, isNil := v.(*cbor.Nil); isNil {
		return nil
	}
	t := dst.Type()
	switch {
	case t == timeType:
		tm, err := cbor.AsTime(v)
		if err != nil {
			return err
		}
		dst.Set(reflect.ValueOf(tm))
		return nil
	case t.Kind() == reflect.Pointer:
		elem := reflect.New(t.Elem())
		if err := decodeValue(v, elem.Elem()); err != nil {
			return err
		}
		dst.Set(elem)
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		s, ok := v.(cbor.String)
		if !ok {
			return fmt.Errorf("want text string, got %T", v)
		}
		dst.SetString(string(s))
	case reflect.Bool:
		b, ok := v.(cbor.Bool)
		if !ok {
			return fmt.Errorf("want bool, got %T", v)
		}
		dst.SetBool(bool(b))
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		n, err := cbor.AsInt64(v)
		if err != nil {
			return err
		}
		dst.SetInt(n)
	case reflect.Float32, reflect.Float64:
		f, err := cbor.AsFloat64(v)
		if err != nil {
			return err
		}
		dst.SetFloat(f)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			b, ok := v.(cbor.Slice)
			if !ok {
				return fmt.Errorf("want byte string, got %T", v)
			}
			dst.SetBytes(append([]byte(nil), b...))
			return nil
		}
		l, ok := v.(cbor.List)
		if !ok {
			return fmt.Errorf("want list, got %T", v)
		}
		out := reflect.MakeSlice(t, len(l), len(l))
		for i, item := range l {
			if err := decodeValue(item, out.Index(i)); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
		dst.Set(out)
	case reflect.Map:
		m, ok := v.(cbor.Map)
		if !ok {
			return fmt.Errorf("want map, got %T", v)
		}
		out := reflect.MakeMapWithSize(t, len(m))
		for k, item := range m {
			ev := reflect.New(t.Elem()).Elem()
			if err := decodeValue(item, ev); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
		}
		dst.Set(out)
	case reflect.Struct:
		m, ok := v.(cbor.Map)
		if !ok {
			return fmt.Errorf("want map for %s, got %T", t.Name(), v)
		}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Type.Kind() == reflect.Interface {
				continue
			}
			item, ok := m[f.Name]
			if !ok {
				continue
			}
			if err := decodeValue(item, dst.Field(i)); err != nil {
				return fmt.Errorf("%s: %w", f.Name, err)
			}
		}
	case reflect.Interface:
		// Smithy unions are Go interfaces; the servers do not need them.
	default:
		return fmt.Errorf("%w: %s", ErrUnsupported, t)
	}
	return nil
}

// encodeShape encodes a Go SDK shape (usually an output structure) as a CBOR
// value the SDK's rpc-v2-cbor deserializer reads back.
func encodeShape(src any) cbor.Value {
	v, ok := encodeValue(reflect.ValueOf(src))
	if !ok {
		return cbor.Map{}
	}
	return v
}

func encodeValue(v reflect.Value) (cbor.Value, bool) {
	t := v.Type()
	if t == timeType {
		tm := v.Interface().(time.Time)
		return &cbor.Tag{ID: 1, Value: cbor.Float64(float64(tm.UnixMilli()) / 1e3)}, true
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, false
		}
		if t.Kind() == reflect.Interface {
			return nil, false // unions are not served
		}
		return encodeValue(v.Elem())
	case reflect.String:
		if v.Len() == 0 {
			return nil, false // unset enum
		}
		return cbor.String(v.String()), true
	case reflect.Bool:
		return cbor.Bool(v.Bool()), true
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		n := v.Int()
		if n < 0 {
			return cbor.NegInt(uint64(-(n + 1)) + 1), true
		}
		return cbor.Uint(uint64(n)), true
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) {
			return cbor.Float64(math.NaN()), true
		}
		return cbor.Float64(f), true
	case reflect.Slice:
		if v.IsNil() {
			return nil, false
		}
		if t.Elem().Kind() == reflect.Uint8 {
			return cbor.Slice(v.Bytes()), true
		}
		l := make(cbor.List, 0, v.Len())
		for i := range v.Len() {
			if item, ok := encodeValue(v.Index(i)); ok {
				l = append(l, item)
			}
		}
		return l, true
	case reflect.Map:
		if v.IsNil() {
			return nil, false
		}
		m := make(cbor.Map, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			if item, ok := encodeValue(iter.Value()); ok {
				m[iter.Key().String()] = item
			}
		}
		return m, true
	case reflect.Struct:
		m := cbor.Map{}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Name == "ResultMetadata" {
				continue
			}
			if item, ok := encodeValue(v.Field(i)); ok {
				m[f.Name] = item
			}
		}
		return m, true
	}
	return nil, false
}

// copyFields copies every exported field of src into the field of dst with the
// same name and type; both must be pointers to structs.
func copyFields(dst, src any) {
	d := reflect.ValueOf(dst).Elem()
	s := reflect.ValueOf(src).Elem()
	for i := range s.NumField() {
		f := s.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		df := d.FieldByName(f.Name)
		if df.IsValid() && df.CanSet() && df.Type() == f.Type {
			df.Set(s.Field(i))
		}
	}
}
