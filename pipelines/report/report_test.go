package report

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atlasia-ai/supplychain/pipelines/findings"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata with the current output")

// The values are those of real Trivy v0.74.0 scans against the fixture
// database (pipelines/findings/testdata): the backend image, its go.mod and a
// Dockerfile with failed checks.
var (
	orchestrator = findings.Target{
		Name: "image/ai-orchestrator", Kind: "image", Image: "atlasia/ai-orchestrator:dev",
		Digest: "sha256:24dd544971d8e43683ca3652691948adf504e3326c992ab936d7cb7c4d6f4b79",
	}
	source  = findings.Target{Name: "source", Kind: "filesystem"}
	compose = findings.Target{Name: "compose", Kind: "compose"}

	apt = findings.Finding{
		Target: orchestrator.Name, Class: findings.Vulnerability, ID: "ATLASIA-FIXTURE-0001", Severity: findings.Critical,
		Title:   "Fixture: unfixed critical advisory in apt (not a real vulnerability)",
		Package: "apt", InstalledVersion: "2.6.1", Status: "affected",
	}
	libapt = findings.Finding{
		Target: orchestrator.Name, Class: findings.Vulnerability, ID: "ATLASIA-FIXTURE-0001", Severity: findings.Critical,
		Title:   "Fixture: unfixed critical advisory in apt (not a real vulnerability)",
		Package: "libapt-pkg6.0", InstalledVersion: "2.6.1", Status: "affected",
	}
	zlib = findings.Finding{
		Target: orchestrator.Name, Class: findings.Vulnerability, ID: "ATLASIA-FIXTURE-0002", Severity: findings.High,
		Title:   "Fixture: high advisory in zlib fixed in 1:99.0.0-1 (not a real vulnerability)",
		Package: "zlib1g", InstalledVersion: "1:1.2.13.dfsg-1", FixedVersion: "1:99.0.0-1", Status: "fixed",
	}
	libc = findings.Finding{
		Target: orchestrator.Name, Class: findings.Vulnerability, ID: "ATLASIA-FIXTURE-0003", Severity: findings.Medium,
		Title:   "Fixture: medium advisory in glibc that Debian will not fix (not a real vulnerability)",
		Package: "libc6", InstalledVersion: "2.36-9+deb12u14", Status: "will_not_fix",
	}
	bsdutils = findings.Finding{
		Target: orchestrator.Name, Class: findings.Vulnerability, ID: "ATLASIA-FIXTURE-0004", Severity: findings.Low,
		Title:   "Fixture: low advisory in util-linux that Debian will not fix (not a real vulnerability)",
		Package: "bsdutils", InstalledVersion: "1:2.38.1-5+deb12u3", Status: "will_not_fix",
	}
	pgxImage = findings.Finding{
		Target: orchestrator.Name, Class: findings.Vulnerability, ID: "ATLASIA-FIXTURE-0005", Severity: findings.High,
		Title:   "Fixture: high advisory in github.com/jackc/pgx/v5 (not a real vulnerability)",
		Package: "github.com/jackc/pgx/v5", InstalledVersion: "v5.9.2", FixedVersion: "5.999.0", Status: "fixed",
		Path: "usr/local/bin/ai-orchestrator",
	}
	pgxSource = findings.Finding{
		Target: source.Name, Class: findings.Vulnerability, ID: "ATLASIA-FIXTURE-0005", Severity: findings.High,
		Title:   "Fixture: high advisory in github.com/jackc/pgx/v5 (not a real vulnerability)",
		Package: "github.com/jackc/pgx/v5", InstalledVersion: "v5.9.2", FixedVersion: "5.999.0", Status: "fixed",
		Path: "images/ai-orchestrator/go.mod",
	}
	rootUser = findings.Finding{
		Target: source.Name, Class: findings.Misconfiguration, ID: "DS-0002", Severity: findings.High,
		Title: "Image user should not be 'root'", Path: "e2e/testdata/unhardened/Dockerfile",
		Message: "Specify at least 1 USER command in Dockerfile with non-root user as argument",
	}
	installRecommends = findings.Finding{
		Target: source.Name, Class: findings.Misconfiguration, ID: "DS-0029", Severity: findings.High,
		Title: "'apt-get' missing '--no-install-recommends'", Path: "Dockerfile", Line: 3,
	}
	latestTag = findings.Finding{
		Target: source.Name, Class: findings.Misconfiguration, ID: "DS-0001", Severity: findings.Medium,
		Title: "':latest' tag used", Path: "Dockerfile", Line: 1,
	}

	zlibSuppression = Suppression{
		ID: "ATLASIA-FIXTURE-0002", Target: orchestrator.Name, Package: "zlib1g",
		Justification: "The backend never inflates untrusted data; remove once Debian publishes the fixed zlib1g.",
		Owner:         "platform-team", Expires: day(2027, 3, 31),
	}
	aptSuppression = Suppression{
		ID: "ATLASIA-FIXTURE-0001", Target: orchestrator.Name,
		Justification: "The hardening step removes apt from the released image.",
		Owner:         "platform-team", Expires: day(2026, 11, 30),
	}
	secretSuppression = Suppression{
		ID: "aws-access-key-id", Path: "/etc/atlasia/settings.env",
		Justification: "Made-up key of the secret fixture image.",
		Owner:         "security-team", Expires: day(2027, 1, 31),
	}
)

func day(year int, month time.Month, d int) time.Time {
	return time.Date(year, month, d, 0, 0, 0, 0, time.UTC)
}

// blockedSummary is a scan of the unhardened backend, its source and the
// compose file that the gate blocks on two CRITICAL findings, whose
// suppression expired.
func blockedSummary() Summary {
	return Summary{
		Targets:  []findings.Target{orchestrator, source, compose},
		Findings: []findings.Finding{bsdutils, libc, pgxImage, apt, latestTag, rootUser, installRecommends, pgxSource, libapt},
		Blocking: []findings.Finding{libapt, apt},
		Blocked:  true,
		Reason:   "2 CRITICAL findings",
		BlockOn:  []findings.Severity{findings.Critical},
		Suppressed: []SuppressedFinding{
			{Finding: zlib, Suppression: zlibSuppression},
		},
		ExpiredMatches: []SuppressedFinding{
			{Finding: apt, Suppression: aptSuppression},
			{Finding: libapt, Suppression: aptSuppression},
		},
		Expired: []Suppression{aptSuppression},
		Unused:  []Suppression{secretSuppression},
		DB: &findings.DB{
			Repository: "registry.airgap.internal:5000/atlasia/trivy-db-fixture:2",
			UpdatedAt:  time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		},
	}
}

// passedSummary is a scan of the hardened backend: apt is gone, and the gate
// blocks on HIGH and CRITICAL but one suppression covers the HIGH finding.
func passedSummary() Summary {
	return Summary{
		Targets:    []findings.Target{orchestrator},
		Findings:   []findings.Finding{libc, bsdutils},
		Blocked:    false,
		Reason:     "no finding at HIGH or CRITICAL",
		BlockOn:    []findings.Severity{findings.High, findings.Critical},
		Suppressed: []SuppressedFinding{{Finding: zlib, Suppression: zlibSuppression}},
		DB:         &findings.DB{UpdatedAt: time.Date(2026, 12, 4, 6, 12, 0, 0, time.UTC)},
	}
}

// escapingSummary has text with Markdown and table syntax in every kind of
// cell: targets, packages, titles, owners, justifications and the reason.
func escapingSummary() Summary {
	target := findings.Target{Name: "image/a|b", Kind: "image", Image: "registry.local/a|b:dev", Digest: orchestrator.Digest}
	blocking := apt
	blocking.Target = target.Name
	blocking.Package = "pkg_with_underscores"
	other := pgxImage
	other.Target = target.Name
	other.Title = "Pipe | in title, <b>tag</b>, *stars*, `code`\nand a second line"
	suppression := zlibSuppression
	suppression.Justification = "Line one | cell\r\nline two [link](https://example.com) & more\tafter a tab"
	suppression.Owner = "team\\backslash"
	return Summary{
		Targets:    []findings.Target{target},
		Findings:   []findings.Finding{blocking, other},
		Blocking:   []findings.Finding{blocking},
		Blocked:    true,
		Reason:     "1 CRITICAL finding\nin image/a|b",
		BlockOn:    []findings.Severity{findings.Critical},
		Suppressed: []SuppressedFinding{{Finding: zlib, Suppression: suppression}},
		Unused:     []Suppression{suppression},
	}
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name    string
		summary Summary
	}{
		{"blocked", blockedSummary()},
		{"passed", passedSummary()},
		{"escaping", escapingSummary()},
		{"empty", Summary{}},
		{"clean-targets", Summary{
			Targets: []findings.Target{orchestrator, source, compose},
			Reason:  "no finding at HIGH or CRITICAL",
			BlockOn: []findings.Severity{findings.Critical, findings.High},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkGolden(t, tt.name+".md", Markdown(tt.summary))
			checkGolden(t, tt.name+".txt", Table(tt.summary))
		})
	}
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write the golden file)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run go test -update to accept it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestMarkdownCapsRows(t *testing.T) {
	s := Summary{Targets: []findings.Target{orchestrator}, BlockOn: []findings.Severity{findings.Critical}}
	for i := range MaxTableRows + 10 {
		f := zlib
		f.InstalledVersion = fmt.Sprintf("1:1.2.%d.dfsg-1", i)
		s.Findings = append(s.Findings, f)
		s.Suppressed = append(s.Suppressed, SuppressedFinding{Finding: f, Suppression: zlibSuppression})
	}
	md := Markdown(s)

	for _, section := range []string{"## Other HIGH and CRITICAL findings (60)", "## Suppressed findings (60)"} {
		start := strings.Index(md, section)
		if start < 0 {
			t.Fatalf("Markdown lacks %q:\n%s", section, md)
		}
		text := md[start:]
		if end := strings.Index(text[len(section):], "\n## "); end >= 0 {
			text = text[:len(section)+end]
		}
		if rows := strings.Count(text, "\n| ATLASIA-FIXTURE-0002 |"); rows != MaxTableRows {
			t.Errorf("%s: %d rows, want %d", section, rows, MaxTableRows)
		}
		if !strings.Contains(text, "…and 10 more, listed in the scan's JSON report and SARIF log.") {
			t.Errorf("%s: no line counts the 10 rows left out:\n%s", section, text)
		}
	}
}

func TestMarkdownKeepsEveryBlockingFinding(t *testing.T) {
	s := Summary{Targets: []findings.Target{orchestrator}, Blocked: true, BlockOn: []findings.Severity{findings.High, findings.Critical}}
	for i := range MaxTableRows + 10 {
		f := zlib
		f.InstalledVersion = fmt.Sprintf("1:1.2.%d.dfsg-1", i)
		s.Findings = append(s.Findings, f)
		s.Blocking = append(s.Blocking, f)
	}
	md := Markdown(s)
	if rows := strings.Count(md, "\n| ATLASIA-FIXTURE-0002 |"); rows != MaxTableRows+10 {
		t.Errorf("Markdown lists %d blocking findings, want all %d", rows, MaxTableRows+10)
	}
	if strings.Contains(md, "## Other HIGH and CRITICAL") {
		t.Error("Markdown lists blocking findings again as other HIGH and CRITICAL findings")
	}
}

func TestOutputIgnoresInputOrder(t *testing.T) {
	s := blockedSummary()
	reversed := blockedSummary()
	slices.Reverse(reversed.Findings)
	slices.Reverse(reversed.Blocking)
	slices.Reverse(reversed.Targets)
	if Markdown(s) != Markdown(reversed) {
		t.Error("Markdown depends on the order of the findings or targets")
	}
	if Table(s) != Table(reversed) {
		t.Error("Table depends on the order of the findings or targets")
	}
}
