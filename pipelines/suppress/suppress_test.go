package suppress

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseValid(t *testing.T) {
	data := `# Suppressions of the test.
suppressions:
  - id: ATLASIA-FIXTURE-0002
    target: image/ai-orchestrator
    package: zlib1g
    purl: pkg:deb/debian/zlib1g@1.2.13.dfsg-1?epoch=1
    path: /usr/lib/x86_64-linux-gnu/libz.so.1
    justification: "Fixture advisory: no code path of the backend inflates untrusted data."
    owner: platform-team
    expires: 2027-03-31

  - expires: "2026-01-31"
    owner: security
    justification: Check DS-0026 does not apply, because compose defines the health check.
    id: DS-0026
`
	got, err := Parse([]byte(data), "suppressions.yaml")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := []Entry{
		{
			ID: "ATLASIA-FIXTURE-0002", Target: "image/ai-orchestrator", Package: "zlib1g",
			PURL: "pkg:deb/debian/zlib1g@1.2.13.dfsg-1?epoch=1", Path: "/usr/lib/x86_64-linux-gnu/libz.so.1",
			Justification: "Fixture advisory: no code path of the backend inflates untrusted data.",
			Owner:         "platform-team", Expires: date("2027-03-31"),
			File: "suppressions.yaml", Line: 3, Index: 0,
		},
		{
			ID:            "DS-0026",
			Justification: "Check DS-0026 does not apply, because compose defines the health check.",
			Owner:         "security", Expires: date("2026-01-31"),
			File: "suppressions.yaml", Line: 12, Index: 1,
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse:\n got %+v\nwant %+v", got, want)
	}
	if s := got[1].String(); s != "suppressions[1] (DS-0026) at suppressions.yaml:12" {
		t.Errorf("String() = %q", s)
	}
	if d := got[0].ExpiryDate(); d != "2027-03-31" {
		t.Errorf("ExpiryDate() = %q", d)
	}
}

func TestParseEmptyLists(t *testing.T) {
	tests := []struct {
		name string
		data string
	}{
		{name: "flow list", data: "suppressions: []\n"},
		{name: "key without value", data: "suppressions:\n# - id: CVE-2024-1234\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.data), "s.yaml")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got == nil || len(got) != 0 {
				t.Errorf("Parse = %#v, want an empty list", got)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	// valid is the required part of an entry; the cases add to or remove
	// from it.
	const valid = "    justification: not reachable\n    owner: platform-team\n    expires: 2027-03-31\n"
	tests := []struct {
		name string
		data string
		// want are substrings of the error message.
		want []string
	}{
		{
			name: "empty file",
			data: "",
			want: []string{"s.yaml", "the file is empty", "suppressions: []"},
		},
		{
			name: "only comments",
			data: "# nothing here\n",
			want: []string{"s.yaml", "the file is empty"},
		},
		{
			name: "second document",
			data: "suppressions: []\n---\nsuppressions: []\n",
			want: []string{"s.yaml:2", "a second YAML document starts here"},
		},
		{
			name: "top level is a list",
			data: "- id: CVE-1\n",
			want: []string{"s.yaml:1", "must be a mapping"},
		},
		{
			name: "unknown top-level key",
			data: "suppressions: []\nignore: []\n",
			want: []string{"s.yaml:2", `unknown top-level key "ignore"`},
		},
		{
			name: "suppressions twice",
			data: "suppressions: []\nsuppressions: []\n",
			want: []string{"s.yaml:2", "appears twice"},
		},
		{
			name: "suppressions not a list",
			data: "suppressions:\n  id: CVE-1\n",
			want: []string{"s.yaml:2", "must be a list"},
		},
		{
			name: "entry not a mapping",
			data: "suppressions:\n  - CVE-1\n",
			want: []string{"s.yaml:2", "suppressions[0] must be a mapping"},
		},
		{
			name: "unknown key",
			data: "suppressions:\n  - id: CVE-1\n    expire: 2027-03-31\n" + valid,
			want: []string{"s.yaml:3", "suppressions[0] (CVE-1)", `unknown key "expire"`, "use one of id, target"},
		},
		{
			name: "unknown key before id",
			data: "suppressions:\n  - reason: x\n    id: CVE-1\n" + valid,
			want: []string{"s.yaml:2", "suppressions[0] (CVE-1)", `unknown key "reason"`},
		},
		{
			name: "missing id",
			data: "suppressions:\n  - package: apt\n" + valid,
			want: []string{"s.yaml:2", "suppressions[0] (no id)", "id is missing"},
		},
		{
			name: "missing justification",
			data: "suppressions:\n  - id: CVE-1\n  - id: CVE-2\n    owner: platform-team\n    expires: 2027-03-31\n",
			want: []string{"s.yaml:3", "suppressions[1] (CVE-2)", "justification is missing", "say why"},
		},
		{
			name: "empty justification",
			data: "suppressions:\n  - id: CVE-1\n    justification: \"  \"\n    owner: platform-team\n    expires: 2027-03-31\n",
			want: []string{"suppressions[0] (CVE-1)", "justification is missing or empty"},
		},
		{
			name: "missing owner",
			data: "suppressions:\n  - id: CVE-1\n    justification: x\n    expires: 2027-03-31\n",
			want: []string{"s.yaml:2", "suppressions[0] (CVE-1)", "owner is missing", "person or team"},
		},
		{
			name: "null owner",
			data: "suppressions:\n  - id: CVE-1\n    justification: x\n    owner:\n    expires: 2027-03-31\n",
			want: []string{"suppressions[0] (CVE-1)", "owner is missing"},
		},
		{
			name: "missing expiry",
			data: "suppressions:\n  - id: CVE-1\n    justification: x\n    owner: platform-team\n",
			want: []string{"s.yaml:2", "suppressions[0] (CVE-1)", "expires is missing", "YYYY-MM-DD"},
		},
		{
			name: "date without zero padding",
			data: "suppressions:\n  - id: CVE-1\n    justification: x\n    owner: platform-team\n    expires: 2027-3-31\n",
			want: []string{"s.yaml:5", `expires "2027-3-31" is not a date`, "YYYY-MM-DD"},
		},
		{
			name: "date with time",
			data: "suppressions:\n  - id: CVE-1\n    justification: x\n    owner: platform-team\n    expires: 2027-03-31T12:00:00Z\n",
			want: []string{"s.yaml:5", `expires "2027-03-31T12:00:00Z" is not a date`},
		},
		{
			name: "impossible date",
			data: "suppressions:\n  - id: CVE-1\n    justification: x\n    owner: platform-team\n    expires: 2027-02-30\n",
			want: []string{`expires "2027-02-30" is not a date`},
		},
		{
			name: "empty optional key",
			data: "suppressions:\n  - id: CVE-1\n    package: \"\"\n" + valid,
			want: []string{"s.yaml:3", "package is empty", "remove the key"},
		},
		{
			name: "list value",
			data: "suppressions:\n  - id: CVE-1\n    package: [apt, libapt-pkg6.0]\n" + valid,
			want: []string{"s.yaml:3", `"package" must be a single value`},
		},
		{
			name: "duplicate key",
			data: "suppressions:\n  - id: CVE-1\n    owner: a\n" + valid,
			want: []string{"s.yaml:5", `the key "owner" appears twice`},
		},
		{
			name: "two IDs in one entry",
			data: "suppressions:\n  - id: CVE-1 CVE-2\n" + valid,
			want: []string{"s.yaml:2", "contains white space"},
		},
		{
			name: "purl without scheme",
			data: "suppressions:\n  - id: CVE-1\n    purl: deb/debian/apt\n" + valid,
			want: []string{"s.yaml:3", `purl "deb/debian/apt" does not start with "pkg:"`},
		},
		{
			name: "purl without name",
			data: "suppressions:\n  - id: CVE-1\n    purl: pkg:deb\n" + valid,
			want: []string{"s.yaml:3", "has no type and name"},
		},
		{
			name: "purl with empty version",
			data: "suppressions:\n  - id: CVE-1\n    purl: pkg:deb/debian/apt@\n" + valid,
			want: []string{"s.yaml:3", "invalid version"},
		},
		{
			name: "every error of the file",
			data: "suppressions:\n  - id: CVE-1\n  - id: CVE-2\n    bogus: 1\n" + valid,
			want: []string{"suppressions[0] (CVE-1): justification is missing", "suppressions[0] (CVE-1): owner is missing", `suppressions[1] (CVE-2): unknown key "bogus"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.data), "s.yaml")
			if err == nil {
				t.Fatalf("Parse returned no error and %+v", got)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %q does not wrap ErrInvalid", err)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestParseYAMLSyntaxError(t *testing.T) {
	_, err := Parse([]byte("suppressions:\n  - id: [\n"), "s.yaml")
	if err == nil {
		t.Fatal("Parse returned no error")
	}
	if !strings.Contains(err.Error(), "s.yaml") {
		t.Errorf("error %q does not name the file", err)
	}
}

func TestLoadProjectFile(t *testing.T) {
	// Every entry of the project's file is valid and names an owner and a
	// justification; the loader rejects anything else.
	got, err := Load(filepath.Join("..", "..", "infra", "trivy-suppressions.yaml"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(got) == 0 {
		t.Fatal("infra/trivy-suppressions.yaml has no entries, want the toolchain images' DS-0002 entries")
	}
	for _, entry := range got {
		if entry.ID != "DS-0002" || entry.Target != "source" || !strings.HasPrefix(entry.Path, "infra/airgap/images/") {
			t.Errorf("entry %s suppresses more than a toolchain image's root user: %+v", entry, entry)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.yaml")
	_, err := Load(path)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load error = %v, want one wrapping os.ErrNotExist", err)
	}
	if err != nil && !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name %s", err, path)
	}
}

func TestLoadReadsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.yaml")
	data := "suppressions:\n  - id: CVE-1\n    justification: x\n    owner: o\n    expires: 2027-03-31\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(got) != 1 || got[0].File != path || got[0].Line != 2 {
		t.Errorf("Load = %+v, want one entry at %s:2", got, path)
	}
}
