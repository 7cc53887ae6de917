package compose

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/atlasia-ai/supplychain/pipelines/findings"
)

// hit is a finding reduced to what the tests compare.
type hit struct {
	rule    string
	service string
	line    int
}

// serviceOf returns the service name that a finding's message starts with.
func serviceOf(t *testing.T, f findings.Finding) string {
	t.Helper()
	rest, ok := strings.CutPrefix(f.Message, "service ")
	if !ok {
		t.Fatalf("message of %s does not start with the service: %q", f.ID, f.Message)
	}
	quoted, err := strconv.QuotedPrefix(rest)
	if err != nil {
		t.Fatalf("message of %s does not quote the service: %q", f.ID, f.Message)
	}
	name, _ := strconv.Unquote(quoted)
	return name
}

// hits runs Check on a compose file and returns its findings as hits.
func hits(t *testing.T, compose string, opts ...Option) []hit {
	t.Helper()
	found, err := Check([]byte(compose), "compose.yml", opts...)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	var out []hit
	for _, f := range found {
		out = append(out, hit{f.ID, serviceOf(t, f), f.Line})
	}
	return out
}

// hitsOf returns the hits of one rule.
func hitsOf(t *testing.T, rule, compose string, opts ...Option) []hit {
	t.Helper()
	var out []hit
	for _, h := range hits(t, compose, opts...) {
		if h.rule == rule {
			out = append(out, h)
		}
	}
	return out
}

func TestBadComposeFile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "bad-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	found, err := Check(data, "testdata/bad-compose.yml")
	if err != nil {
		t.Fatalf("Check: %v", err)
	}

	want := []hit{
		{"ATL-CMP-004", "web", 12},
		{"ATL-CMP-006", "web", 12},
		{"ATL-CMP-007", "web", 12},
		{"ATL-CMP-008", "web", 12},
		{"ATL-CMP-009", "web", 12},
		{"ATL-CMP-010", "web", 12},
		{"ATL-CMP-012", "web", 13},
		{"ATL-CMP-011", "web", 15},
		{"ATL-CMP-011", "web", 18},
		{"ATL-CMP-001", "admin", 21},
		{"ATL-CMP-005", "admin", 21},
		{"ATL-CMP-012", "admin", 22},
		{"ATL-CMP-004", "admin", 23},
		{"ATL-CMP-007", "admin", 24},
		{"ATL-CMP-006", "admin", 25},
		{"ATL-CMP-002", "admin", 26},
		{"ATL-CMP-002", "admin", 27},
		{"ATL-CMP-003", "admin", 29},
		{"ATL-CMP-008", "admin", 33},
		{"ATL-CMP-009", "admin", 34},
		{"ATL-CMP-010", "admin", 35},
		{"ATL-CMP-005", "ai-db", 42},
		{"ATL-CMP-003", "ai-db", 49},
	}
	var got []hit
	for _, f := range found {
		got = append(got, hit{f.ID, serviceOf(t, f), f.Line})
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n got  %v\n want %v", got, want)
	}

	covered := map[string]bool{}
	for _, h := range got {
		covered[h.rule] = true
	}
	for _, r := range Rules() {
		if !covered[r.ID] {
			t.Errorf("bad-compose.yml triggers no %s finding", r.ID)
		}
	}

	keys := map[string]bool{}
	for _, f := range found {
		if keys[f.Key()] {
			t.Errorf("two findings share the key %q", f.Key())
		}
		keys[f.Key()] = true
	}
}

func TestPlatformComposeFile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "infra", "docker-compose.ai.yml"))
	if err != nil {
		t.Fatal(err)
	}

	found, err := Check(data, "infra/docker-compose.ai.yml")
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if len(found) != 0 {
		t.Errorf("findings with the default options: got %d, want none", len(found))
		for _, f := range found {
			t.Logf("line %d: %s %s: %s", f.Line, f.ID, serviceOf(t, f), f.Message)
		}
	}
}

func TestCheckFindingFields(t *testing.T) {
	compose := `services:
  app:
    image: app:1
    privileged: true
`
	found, err := Check([]byte(compose), "infra/app.yml")
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	index := slices.IndexFunc(found, func(f findings.Finding) bool { return f.ID == "ATL-CMP-001" })
	if index < 0 {
		t.Fatalf("no ATL-CMP-001 finding in %v", found)
	}
	f := found[index]
	if f.Target != "compose" {
		t.Errorf("Target = %q, want compose", f.Target)
	}
	if f.Class != findings.Misconfiguration {
		t.Errorf("Class = %q, want %q", f.Class, findings.Misconfiguration)
	}
	if f.Severity != findings.Critical {
		t.Errorf("Severity = %q, want CRITICAL", f.Severity)
	}
	if f.Title != "Do not run privileged containers" {
		t.Errorf("Title = %q", f.Title)
	}
	if f.Path != "infra/app.yml" {
		t.Errorf("Path = %q, want infra/app.yml", f.Path)
	}
	if f.Line != 4 {
		t.Errorf("Line = %d, want 4", f.Line)
	}
	if !strings.HasSuffix(f.URL, "/pipelines/compose/README.md#atl-cmp-001") {
		t.Errorf("URL = %q, want the README anchor #atl-cmp-001", f.URL)
	}
	if !strings.HasPrefix(f.Message, `service "app" runs privileged`) {
		t.Errorf("Message = %q", f.Message)
	}

	found, err = Check([]byte(compose), "infra/app.yml", WithTarget("compose/infra/app.yml"))
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	for _, f := range found {
		if f.Target != "compose/infra/app.yml" {
			t.Errorf("Target with WithTarget = %q", f.Target)
		}
	}
}

func TestCheckSortsByLineThenID(t *testing.T) {
	found, err := Check([]byte("services:\n  a:\n    image: a\n  b:\n    image: b:1\n"), "compose.yml")
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	sorted := slices.IsSortedFunc(found, func(x, y findings.Finding) int {
		if x.Line != y.Line {
			return x.Line - y.Line
		}
		return strings.Compare(x.ID, y.ID)
	})
	if !sorted {
		t.Errorf("findings are not sorted by line, then ID: %v", found)
	}
}

func TestCheckErrors(t *testing.T) {
	tests := []struct {
		name    string
		compose string
		opts    []Option
		want    []string
	}{
		{"invalid YAML", "services:\n  app:\n    image: [a\n", nil, []string{"bad.yml", "line"}},
		{"tab indentation", "services:\n\tapp: {}\n", nil, []string{"bad.yml", "line 2"}},
		{"duplicate key", "services:\n  app:\n    image: a:1\n    image: b:1\n", nil, []string{"bad.yml", "line 4", "already defined at line 3"}},
		{"empty file", "", nil, []string{"bad.yml", "empty compose file"}},
		{"only comments", "# nothing\n", nil, []string{"bad.yml", "empty compose file"}},
		{"top-level list", "- app\n", nil, []string{"bad.yml", "line 1", "expected a mapping"}},
		{"services list", "services:\n  - app\n", nil, []string{"bad.yml", "line 2", "services is a sequence"}},
		{"service scalar", "services:\n  app: nginx\n", nil, []string{"bad.yml", "line 2", `service "app" is a scalar`}},
		{"unknown anchor", "services:\n  app: *nowhere\n", nil, []string{"bad.yml", "line 2", "nowhere"}},
		{"recursive anchor", "services:\n  app: &loop\n    labels: *loop\n", nil, []string{"bad.yml", "loop"}},
		{"merge of a scalar", "services:\n  app:\n    <<: nginx\n", nil, []string{"bad.yml", "line 3"}},
		{"extends cycle", "services:\n  a:\n    extends: b\n  b:\n    extends: a\n", nil, []string{"bad.yml", "cycle"}},
		{"extends undefined", "services:\n  a:\n    extends:\n      service: nowhere\n", nil, []string{"bad.yml", "line 3", `"nowhere", which is not defined`}},
		{"allow-list with ALL", "services: {}\n", []Option{WithAllowedCapabilities("app", "all")}, []string{`service "app"`, "all can never be allowed"}},
		{"allow-list with SYS_ADMIN", "services: {}\n", []Option{WithAllowedCapabilities("app", "CAP_SYS_ADMIN")}, []string{"CAP_SYS_ADMIN can never be allowed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Check([]byte(tt.compose), "bad.yml", tt.opts...)
			if err == nil {
				t.Fatal("Check returned no error")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestCheckNoServices(t *testing.T) {
	for _, compose := range []string{"services:\n", "services: {}\n", "networks:\n  edge: {}\n"} {
		found, err := Check([]byte(compose), "compose.yml")
		if err != nil {
			t.Errorf("Check(%q): %v", compose, err)
		}
		if len(found) != 0 {
			t.Errorf("Check(%q) = %v, want no findings", compose, found)
		}
	}
}

func TestRulesDocumented(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range Rules() {
		wantID := "ATL-CMP-" + strings.Repeat("0", 3-len(strconv.Itoa(i+1))) + strconv.Itoa(i+1)
		if r.ID != wantID {
			t.Errorf("rule %d has ID %s, want %s", i, r.ID, wantID)
		}
		if r.Title == "" || r.Severity.Rank() < 1 {
			t.Errorf("%s: title %q, severity %q", r.ID, r.Title, r.Severity)
		}
		if !strings.HasSuffix(r.URL, "#"+strings.ToLower(r.ID)) {
			t.Errorf("%s: URL %q does not end in its anchor", r.ID, r.URL)
		}
		if !strings.Contains(string(readme), "\n### "+r.ID+"\n") {
			t.Errorf("README.md has no section \"### %s\" for the URL's anchor", r.ID)
		}
		if !strings.Contains(string(readme), "| ["+r.ID+"](#"+strings.ToLower(r.ID)+") | "+r.Title+" | "+string(r.Severity)+" |") {
			t.Errorf("README.md's table has no row for %s with its title and severity", r.ID)
		}
	}
}

func TestDefaultAllowedCapabilitiesIsCopy(t *testing.T) {
	lists := DefaultAllowedCapabilities()
	lists["ai-orchestrator"][0] = "SYS_ADMIN"
	lists["web"] = []string{"NET_RAW"}

	again := DefaultAllowedCapabilities()
	if got := again["ai-orchestrator"]; !slices.Equal(got, []string{"NET_BIND_SERVICE"}) {
		t.Errorf("ai-orchestrator allow-list after a caller changed a copy: %v", got)
	}
	if _, ok := again["web"]; ok {
		t.Error("a caller's new entry reached the defaults")
	}
}

// FuzzCheck runs Check on arbitrary input: it may return an error, but it
// must not panic, and every finding must name a service and a line.
func FuzzCheck(f *testing.F) {
	seeds := []string{
		"services:\n  app:\n    image: a\n",
		"x: &a {privileged: true}\nservices:\n  s:\n    <<: *a\n    ports: [\"80:80\", {target: 1}]\n",
		"services:\n  a:\n    extends: b\n  b:\n    volumes: [/var/run:/x]\n---\nservices:\n  a:\n    cap_add: !reset\n",
		"a: &a [*a]\n",
		"services: {a: {tmpfs: /t, security_opt: [no-new-privileges=x], image: \"${A:-${B\"}}\n",
	}
	if data, err := os.ReadFile(filepath.Join("testdata", "bad-compose.yml")); err == nil {
		seeds = append(seeds, string(data))
	}
	for _, seed := range seeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		found, err := Check(data, "fuzz.yml")
		if err != nil {
			return
		}
		for _, finding := range found {
			if !strings.HasPrefix(finding.Message, "service ") {
				t.Errorf("message %q does not start with the service", finding.Message)
			}
			if finding.Line < 1 {
				t.Errorf("%s finding has line %d", finding.ID, finding.Line)
			}
		}
	})
}
