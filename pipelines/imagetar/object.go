package imagetar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Object is a JSON object that keeps its members in document order and each
// value as the bytes it was decoded from. Encoding an Object again changes
// only the members that were set or deleted, so the fields of an image
// config that this package does not know survive a rewrite unchanged.
type Object struct {
	members []member
}

type member struct {
	key   string
	value json.RawMessage
}

// UnmarshalJSON decodes a JSON object. When a key repeats, the last value
// wins, as in encoding/json, at the position of the first.
func (o *Object) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("JSON value is %s, not an object", describeToken(tok))
	}

	o.members = nil
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("invalid JSON object key %v", tok)
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return fmt.Errorf("decoding the value of %q: %w", key, err)
		}
		o.set(key, value)
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("invalid JSON: data after the end of the object")
	}
	return nil
}

func describeToken(tok json.Token) string {
	switch tok.(type) {
	case json.Delim:
		return "an array"
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	default:
		return "null"
	}
}

// MarshalJSON encodes the object with no spaces between members. Values keep
// the bytes they were decoded from.
func (o *Object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range o.members {
		if i > 0 {
			buf.WriteByte(',')
		}
		key, err := json.Marshal(m.key)
		if err != nil {
			return nil, err
		}
		buf.Write(key)
		buf.WriteByte(':')
		buf.Write(m.value)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// Keys returns the member names in document order.
func (o *Object) Keys() []string {
	keys := make([]string, len(o.members))
	for i, m := range o.members {
		keys[i] = m.key
	}
	return keys
}

// Get returns the encoded value of the member key and whether it exists.
func (o *Object) Get(key string) (json.RawMessage, bool) {
	for _, m := range o.members {
		if m.key == key {
			return m.value, true
		}
	}
	return nil, false
}

// GetObject decodes the member key as an object. A missing or null member
// returns an empty object. Changes to the returned object reach o only
// through Set. GetObject fails when the member is another JSON type.
func (o *Object) GetObject(key string) (*Object, error) {
	nested := &Object{}
	raw, ok := o.Get(key)
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nested, nil
	}
	if err := nested.UnmarshalJSON(raw); err != nil {
		return nil, fmt.Errorf("member %q: %w", key, err)
	}
	return nested, nil
}

// Set encodes value as the member key. It replaces an existing member in
// place and appends a new one at the end. A *Object or json.RawMessage value
// is written as it is, and other values are encoded with encoding/json.
// Set fails when value cannot be encoded.
func (o *Object) Set(key string, value any) error {
	var raw []byte
	var err error
	switch v := value.(type) {
	case *Object:
		raw, err = v.MarshalJSON()
	case json.RawMessage:
		if !json.Valid(v) {
			return fmt.Errorf("value of member %q is not valid JSON", key)
		}
		raw = v
	default:
		raw, err = json.Marshal(value)
	}
	if err != nil {
		return fmt.Errorf("encoding member %q: %w", key, err)
	}
	o.set(key, raw)
	return nil
}

func (o *Object) set(key string, raw json.RawMessage) {
	for i := range o.members {
		if o.members[i].key == key {
			o.members[i].value = raw
			return
		}
	}
	o.members = append(o.members, member{key: key, value: raw})
}

// Delete removes the member key and reports whether it existed.
func (o *Object) Delete(key string) bool {
	for i, m := range o.members {
		if m.key == key {
			o.members = append(o.members[:i], o.members[i+1:]...)
			return true
		}
	}
	return false
}

// formatLike lays out the compact JSON document data as original, the
// document it replaces: compact, or indented with the leading white space of
// original's second line, and with a final newline when original has one.
func formatLike(original, data []byte) ([]byte, error) {
	if indent := detectIndent(original); indent != "" {
		var buf bytes.Buffer
		if err := json.Indent(&buf, data, "", indent); err != nil {
			return nil, err
		}
		data = buf.Bytes()
	}
	if bytes.HasSuffix(original, []byte("\n")) {
		data = append(data, '\n')
	}
	return data, nil
}

// detectIndent returns the indentation of an indented JSON document: the
// spaces and tabs that start its second line. It returns "" for a compact
// document.
func detectIndent(doc []byte) string {
	_, rest, found := bytes.Cut(bytes.TrimSpace(doc), []byte("\n"))
	if !found {
		return ""
	}
	indented := bytes.TrimLeft(rest, " \t")
	return string(rest[:len(rest)-len(indented)])
}
