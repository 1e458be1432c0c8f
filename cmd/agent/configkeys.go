package main

import (
	"reflect"
	"strings"
)

// configKeys lists the dotted YAML keys a config struct accepts, from its
// yaml tags: nested structs as parent.child, lists of structs as
// parent[].child, maps as parent.NAME. --help prints them, and the runbook
// test checks every key a runbook names against them.
func configKeys(cfg any) []string {
	var out []string
	walkKeys(reflect.TypeOf(cfg), "", &out, map[reflect.Type]bool{})
	return out
}

func walkKeys(t reflect.Type, prefix string, out *[]string, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if seen[t] {
		return
	}
	seen[t] = true
	defer delete(seen, t)
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if strings.Contains(opts, "inline") {
			if ft.Kind() == reflect.Struct {
				walkKeys(ft, prefix, out, seen)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		key := prefix + name
		*out = append(*out, key)
		switch {
		case ft.Kind() == reflect.Struct && hasYAMLFields(ft):
			walkKeys(ft, key+".", out, seen)
		case ft.Kind() == reflect.Slice && structElem(ft.Elem()) != nil:
			walkKeys(structElem(ft.Elem()), key+"[].", out, seen)
		case ft.Kind() == reflect.Map && structElem(ft.Elem()) != nil:
			walkKeys(structElem(ft.Elem()), key+".NAME.", out, seen)
		}
	}
}

// structElem returns t (or what it points to) when it is a struct with
// yaml-tagged fields, else nil.
func structElem(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct && hasYAMLFields(t) {
		return t
	}
	return nil
}

func hasYAMLFields(t reflect.Type) bool {
	for i := range t.NumField() {
		if _, ok := t.Field(i).Tag.Lookup("yaml"); ok {
			return true
		}
	}
	return false
}

// wrapKeys joins keys with ", " into lines of at most 78 columns, each
// starting with indent.
func wrapKeys(keys []string, indent string) string {
	var b strings.Builder
	line := indent
	for i, k := range keys {
		item := k
		if i < len(keys)-1 {
			item += ","
		}
		if len(line)+len(item)+1 > 78 && line != indent {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = indent
		}
		line += item + " "
	}
	b.WriteString(strings.TrimRight(line, " ") + "\n")
	return b.String()
}
