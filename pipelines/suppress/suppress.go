// Package suppress reads a suppressions file and applies it to findings.
//
// A suppression hides the findings it matches from the release gate for a
// limited time, with a reason and a person or team responsible for it. The
// file is YAML with one top-level key, suppressions, a list of entries:
//
//	suppressions:
//	  - id: ATLASIA-FIXTURE-0002          # required
//	    target: image/ai-orchestrator     # optional
//	    package: zlib1g                   # optional
//	    purl: pkg:deb/debian/zlib1g       # optional
//	    path: usr/local/bin/app           # optional
//	    justification: "..."             # required
//	    owner: platform-team              # required
//	    expires: 2027-03-31               # required, YYYY-MM-DD
//
// An entry matches a finding when every key it sets matches:
//
//   - id: the advisory, check or secret rule ID (CVE-2024-1234, DS-0002,
//     aws-access-key-id), compared without regard to case.
//   - target: the finding's target name, such as image/ai-orchestrator.
//   - package: the package name, such as zlib1g or github.com/jackc/pgx/v5.
//   - purl: a package URL. Type, namespace and name must be equal. A version,
//     when given, must be equal, and so must each qualifier given, so
//     pkg:deb/debian/zlib1g matches every zlib1g and
//     pkg:deb/debian/zlib1g@1.2.13.dfsg-1?epoch=1 matches that version only.
//     A purl is never matched by string prefix: pkg:deb/debian/zlib does not
//     match zlib1g.
//   - path: the file of a secret or misconfiguration, or the file a language
//     package was found in. A leading "/" is ignored on both sides, because
//     Trivy writes image paths with and without it.
//
// An entry with only an id therefore suppresses that ID in every package of
// every target. The entry suppresses up to and including its expiry day in
// UTC. From the next day on it is expired: it suppresses nothing, and the
// findings it would have matched are kept and recorded with it, so that a
// report can name the suppression and its expiry day.
//
// Parse rejects unknown keys, missing required keys, empty values and dates
// that are not YYYY-MM-DD. Its errors give the file, line and entry.
package suppress

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// DateLayout is the layout of the expires key: a date without a time.
const DateLayout = "2006-01-02"

// ErrInvalid is wrapped by every error of Parse and Load about the content
// of a suppressions file.
var ErrInvalid = errors.New("invalid suppressions file")

// Entry is one suppression of a suppressions file.
type Entry struct {
	// ID is the advisory, check or secret rule ID that the entry suppresses.
	ID string `json:"id"`
	// Target, Package, PURL and Path narrow the entry. An empty one
	// matches every finding.
	Target  string `json:"target,omitempty"`
	Package string `json:"package,omitempty"`
	PURL    string `json:"purl,omitempty"`
	Path    string `json:"path,omitempty"`
	// Justification is the reason the finding needs no fix before the
	// expiry day.
	Justification string `json:"justification"`
	// Owner is the person or team responsible for the suppression.
	Owner string `json:"owner"`
	// Expires is the last day on which the entry suppresses, at 00:00 UTC.
	Expires time.Time `json:"expires"`

	// File and Line locate the entry, and Index is its position in the
	// suppressions list, from 0.
	File  string `json:"file,omitempty"`
	Line  int    `json:"line,omitempty"`
	Index int    `json:"index"`
}

// String returns the entry's position, ID and place for messages, for
// example "suppressions[1] (CVE-2024-1234) at infra/trivy-suppressions.yaml:14".
func (e Entry) String() string {
	return fmt.Sprintf("suppressions[%d] (%s) at %s:%d", e.Index, e.ID, e.File, e.Line)
}

// ExpiryDate returns the expiry day as YYYY-MM-DD.
func (e Entry) ExpiryDate() string {
	return e.Expires.Format(DateLayout)
}

// ActiveAt reports whether the entry suppresses at the time now, that is
// whether now's date in UTC is on or before the expiry day.
func (e Entry) ActiveAt(now time.Time) bool {
	return now.UTC().Before(e.Expires.AddDate(0, 0, 1))
}

// Load reads and validates the suppressions file at path, as Parse does.
func Load(path string) ([]Entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading suppressions file: %w", err)
	}
	return Parse(data, path)
}

// entryKeys are the keys an entry may have, in the order of the format.
var entryKeys = []string{"id", "target", "package", "purl", "path", "justification", "owner", "expires"}

// Parse decodes and validates a suppressions file. Source names the file in
// errors and in each Entry's File.
//
// It returns every problem it finds, joined, each with the file, line, entry
// index and ID, and how to fix it. The errors wrap ErrInvalid, except the
// YAML syntax error of a file that is not YAML at all.
func Parse(data []byte, source string) ([]Entry, error) {
	// The file is walked as nodes, not decoded with yaml.Decoder.KnownFields:
	// that would reject unknown keys too, but its errors name neither the
	// entry nor the fix, and duplicate keys would need another pass.
	decoder := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := decoder.Decode(&doc)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parsing suppressions file %s: %w", source, err)
	}
	if err != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, fmt.Errorf("%w %s: the file is empty: write \"suppressions: []\" for no suppressions", ErrInvalid, source)
	}
	var extra yaml.Node
	if err := decoder.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, fmt.Errorf("parsing suppressions file %s: %w", source, err)
		}
		return nil, fmt.Errorf("%w %s:%d: a second YAML document starts here: keep all entries in one document", ErrInvalid, source, extra.Line)
	}

	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%w %s:%d: the top level must be a mapping with the key \"suppressions\"", ErrInvalid, source, root.Line)
	}
	var list *yaml.Node
	for i := 0; i < len(root.Content); i += 2 {
		key, value := root.Content[i], root.Content[i+1]
		if key.Value != "suppressions" {
			return nil, fmt.Errorf("%w %s:%d: unknown top-level key %q: the only key is \"suppressions\"", ErrInvalid, source, key.Line, key.Value)
		}
		if list != nil {
			return nil, fmt.Errorf("%w %s:%d: the key \"suppressions\" appears twice: merge the two lists", ErrInvalid, source, key.Line)
		}
		list = value
	}
	if list == nil {
		return nil, fmt.Errorf("%w %s: the key \"suppressions\" is missing: write \"suppressions: []\" for no suppressions", ErrInvalid, source)
	}

	// "suppressions:" followed by nothing but comments is an empty list.
	if list.Kind == yaml.ScalarNode && list.Tag == "!!null" {
		return []Entry{}, nil
	}
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%w %s:%d: \"suppressions\" must be a list of entries, each starting with \"- id:\"", ErrInvalid, source, list.Line)
	}

	entries := []Entry{}
	var errs []error
	for i, node := range list.Content {
		entry, entryErrs := parseEntry(node, i, source)
		errs = append(errs, entryErrs...)
		if len(entryErrs) == 0 {
			entries = append(entries, entry)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return entries, nil
}

// parseEntry decodes the entry node at index i and returns every problem of
// it.
func parseEntry(node *yaml.Node, i int, source string) (Entry, []error) {
	entry := Entry{File: source, Line: node.Line, Index: i}
	if node.Kind != yaml.MappingNode {
		return entry, []error{fmt.Errorf("%w %s:%d: suppressions[%d] must be a mapping with the keys %s", ErrInvalid, source, node.Line, i, strings.Join(entryKeys, ", "))}
	}

	// Read the ID first, so that every error about the entry can name it,
	// whatever the order of the keys.
	for k := 0; k < len(node.Content); k += 2 {
		key, value := node.Content[k], node.Content[k+1]
		if key.Value == "id" && value.Kind == yaml.ScalarNode && value.Tag != "!!null" {
			entry.ID = strings.TrimSpace(value.Value)
			break
		}
	}

	values := map[string]*yaml.Node{}
	var errs []error
	for k := 0; k < len(node.Content); k += 2 {
		key, value := node.Content[k], node.Content[k+1]
		switch {
		case !isEntryKey(key.Value):
			errs = append(errs, entryError(entry, key.Line, "unknown key %q: use one of %s", key.Value, strings.Join(entryKeys, ", ")))
		case values[key.Value] != nil:
			errs = append(errs, entryError(entry, key.Line, "the key %q appears twice: keep one", key.Value))
		case value.Kind != yaml.ScalarNode:
			errs = append(errs, entryError(entry, value.Line, "%q must be a single value, not a list or mapping", key.Value))
		default:
			values[key.Value] = value
		}
	}

	text := func(key string) string {
		value := values[key]
		if value == nil || value.Tag == "!!null" {
			return ""
		}
		return strings.TrimSpace(value.Value)
	}
	entry.Target = text("target")
	entry.Package = text("package")
	entry.PURL = text("purl")
	entry.Path = text("path")
	entry.Justification = text("justification")
	entry.Owner = text("owner")

	// Required keys. An optional key that is present but empty is an error
	// too, because it would silently match every finding.
	required := []struct{ key, fix string }{
		{"id", "set it to the advisory, check or secret rule ID, such as CVE-2024-1234 or DS-0002"},
		{"justification", "say why the finding needs no fix before the expiry day"},
		{"owner", "name the person or team responsible for this suppression"},
		{"expires", "set the last day the suppression applies, as YYYY-MM-DD"},
	}
	for _, r := range required {
		if text(r.key) == "" {
			errs = append(errs, entryError(entry, node.Line, "%s is missing or empty: %s", r.key, r.fix))
		}
	}
	for _, key := range []string{"target", "package", "purl", "path"} {
		if values[key] != nil && text(key) == "" {
			errs = append(errs, entryError(entry, values[key].Line, "%s is empty: give a value or remove the key", key))
		}
	}

	if entry.ID != "" && strings.ContainsAny(entry.ID, " \t") {
		errs = append(errs, entryError(entry, values["id"].Line, "id %q contains white space: give one ID per entry", entry.ID))
	}
	if raw := text("expires"); raw != "" {
		expires, err := time.Parse(DateLayout, raw)
		if err != nil {
			errs = append(errs, entryError(entry, values["expires"].Line, "expires %q is not a date: write it as YYYY-MM-DD, for example 2027-03-31", raw))
		}
		entry.Expires = expires
	}
	if entry.PURL != "" {
		if _, err := parsePURL(entry.PURL); err != nil {
			errs = append(errs, entryError(entry, values["purl"].Line, "%v", err))
		}
	}
	return entry, errs
}

func isEntryKey(key string) bool {
	for _, known := range entryKeys {
		if key == known {
			return true
		}
	}
	return false
}

// entryError returns an error about entry at line, wrapping ErrInvalid.
func entryError(entry Entry, line int, format string, args ...any) error {
	id := entry.ID
	if id == "" {
		id = "no id"
	}
	return fmt.Errorf("%w %s:%d: suppressions[%d] (%s): %s", ErrInvalid, entry.File, line, entry.Index, id, fmt.Sprintf(format, args...))
}
