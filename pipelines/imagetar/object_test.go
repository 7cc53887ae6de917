package imagetar

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestObjectRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{
			name: "compact document is unchanged",
			in:   `{"b":1,"a":{"z":[1,2],"y":"\u003c"},"c":null}`,
			want: `{"b":1,"a":{"z":[1,2],"y":"\u003c"},"c":null}`,
		},
		{
			name: "spaces inside values stay",
			in:   `{ "b" : { "keep" : [ 1, 2 ] } , "a":"<&>" }`,
			want: `{"b":{ "keep" : [ 1, 2 ] },"a":"<&>"}`,
		},
		{
			name: "empty object",
			in:   ` {} `,
			want: `{}`,
		},
		{
			name: "repeated key keeps the last value at the first position",
			in:   `{"a":1,"b":2,"a":3}`,
			want: `{"a":3,"b":2}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o Object
			if err := json.Unmarshal([]byte(tt.in), &o); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			got, err := o.MarshalJSON()
			if err != nil {
				t.Fatalf("MarshalJSON: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("MarshalJSON = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestObjectUnmarshalErrors(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		contains string
	}{
		{name: "array", in: `[1]`, contains: "not an object"},
		{name: "string", in: `"x"`, contains: "not an object"},
		{name: "null", in: `null`, contains: "not an object"},
		{name: "truncated", in: `{"a":1`, contains: "EOF"},
		{name: "invalid value", in: `{"a":tru}`, contains: `value of "a"`},
		{name: "data after the object", in: `{"a":1} {}`, contains: "data after the end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o Object
			err := o.UnmarshalJSON([]byte(tt.in))
			if err == nil {
				t.Fatalf("UnmarshalJSON(%s) succeeded, want an error", tt.in)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not contain %q", err, tt.contains)
			}
		})
	}
}

func TestObjectSetDelete(t *testing.T) {
	var o Object
	if err := o.UnmarshalJSON([]byte(`{"a":1,"b":{"x" : 1},"c":3}`)); err != nil {
		t.Fatal(err)
	}

	if err := o.Set("a", "new"); err != nil {
		t.Fatalf("Set existing: %v", err)
	}
	if err := o.Set("d", []string{"<x>"}); err != nil {
		t.Fatalf("Set new: %v", err)
	}
	if err := o.Set("e", json.RawMessage(`{ "raw" : true }`)); err != nil {
		t.Fatalf("Set raw: %v", err)
	}
	if !o.Delete("c") {
		t.Error(`Delete("c") = false, want true`)
	}
	if o.Delete("missing") {
		t.Error(`Delete("missing") = true, want false`)
	}

	nested, err := o.GetObject("b")
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	if err := nested.Set("y", 2); err != nil {
		t.Fatal(err)
	}
	if err := o.Set("b", nested); err != nil {
		t.Fatalf("Set object: %v", err)
	}

	got, err := o.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a":"new","b":{"x":1,"y":2},"d":["\u003cx\u003e"],"e":{ "raw" : true }}`
	if string(got) != want {
		t.Errorf("MarshalJSON = %s, want %s", got, want)
	}
	if keys := o.Keys(); !reflect.DeepEqual(keys, []string{"a", "b", "d", "e"}) {
		t.Errorf("Keys = %q, want [a b d e]", keys)
	}
}

func TestObjectSetInvalidRaw(t *testing.T) {
	var o Object
	if err := o.Set("a", json.RawMessage(`{`)); err == nil {
		t.Error("Set with invalid raw JSON succeeded, want an error")
	}
	if err := o.Set("a", func() {}); err == nil {
		t.Error("Set with a func value succeeded, want an error")
	}
	if len(o.Keys()) != 0 {
		t.Errorf("failed Set added members %q", o.Keys())
	}
}

func TestObjectGetObject(t *testing.T) {
	var o Object
	if err := o.UnmarshalJSON([]byte(`{"null":null,"list":[],"object":{"k":"v"}}`)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key      string
		wantKeys []string
		wantErr  bool
	}{
		{key: "object", wantKeys: []string{"k"}},
		{key: "null", wantKeys: []string{}},
		{key: "missing", wantKeys: []string{}},
		{key: "list", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, err := o.GetObject(tt.key)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("GetObject(%q) succeeded, want an error", tt.key)
				}
				return
			}
			if err != nil {
				t.Fatalf("GetObject(%q): %v", tt.key, err)
			}
			if keys := got.Keys(); !reflect.DeepEqual(keys, tt.wantKeys) {
				t.Errorf("GetObject(%q).Keys() = %q, want %q", tt.key, keys, tt.wantKeys)
			}
		})
	}
}

func TestFormatLike(t *testing.T) {
	compact := []byte(`{"a":[1],"b":{}}`)
	tests := []struct {
		name     string
		original string
		want     string
	}{
		{name: "compact", original: `{"x":1}`, want: `{"a":[1],"b":{}}`},
		{name: "compact with newline", original: "{\"x\":1}\n", want: "{\"a\":[1],\"b\":{}}\n"},
		{
			name:     "two spaces",
			original: "{\n  \"x\": 1\n}",
			want:     "{\n  \"a\": [\n    1\n  ],\n  \"b\": {}\n}",
		},
		{
			name:     "tabs with newline",
			original: "{\n\t\"x\": 1\n}\n",
			want:     "{\n\t\"a\": [\n\t\t1\n\t],\n\t\"b\": {}\n}\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := formatLike([]byte(tt.original), compact)
			if err != nil {
				t.Fatalf("formatLike: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("formatLike = %q, want %q", got, tt.want)
			}
		})
	}
}
