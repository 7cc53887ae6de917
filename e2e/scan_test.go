//go:build e2e

package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/owenrumney/go-sarif/v2/sarif"
)

// toolchainFlags point every scan at the local toolchain's registry mirror,
// which serves the fixture vulnerability DB and the Trivy checks bundle over
// plain HTTP.
var toolchainFlags = []string{
	"--db-repository", "registry.airgap.internal:5000/atlasia/trivy-db-fixture:2",
	"--checks-bundle-repository", "registry.airgap.internal:5000/aquasec/trivy-checks:1",
	"--insecure",
}

// IDs of the fixture advisories that infra/airgap/trivyfixture writes. That
// package is in another Go module, so the IDs are repeated here.
const (
	// fixtureAptCritical is CRITICAL and unfixed in apt, which only
	// unhardened images contain.
	fixtureAptCritical = "ATLASIA-FIXTURE-0001"
	// fixtureZlibHigh is HIGH in zlib, which every image keeps.
	fixtureZlibHigh = "ATLASIA-FIXTURE-0002"
	// fixturePgxHigh is HIGH in github.com/jackc/pgx/v5, which the backend
	// binary contains.
	fixturePgxHigh = "ATLASIA-FIXTURE-0005"
)

// negativeControls are the fixture advisories that must never match.
var negativeControls = []string{
	"ATLASIA-FIXTURE-0101", "ATLASIA-FIXTURE-0102", "ATLASIA-FIXTURE-0103", "ATLASIA-FIXTURE-0104",
}

// platformCategories are the SARIF categories of a scan of the platform's
// own images, sorted.
var platformCategories = []string{"compose/", "image/ai-orchestrator/", "image/frontend/", "source/"}

// composeRules are the rule IDs of pipelines/compose, all of which
// pipelines/compose/testdata/bad-compose.yml breaks.
var composeRules = []string{
	"ATL-CMP-001", "ATL-CMP-002", "ATL-CMP-003", "ATL-CMP-004", "ATL-CMP-005", "ATL-CMP-006",
	"ATL-CMP-007", "ATL-CMP-008", "ATL-CMP-009", "ATL-CMP-010", "ATL-CMP-011", "ATL-CMP-012",
}

// scanArgs returns the arguments of `dagger call` for the scan function
// (scan or scan-reports) with the toolchain flags and the given flags.
// moduleArgs, such as --source DIR, come before the function.
func scanArgs(moduleArgs []string, function string, flags ...string) []string {
	args := append([]string{"call"}, moduleArgs...)
	args = append(args, function)
	args = append(args, toolchainFlags...)
	return append(args, flags...)
}

// exportScanReports runs `dagger call scan-reports` and exports the reports
// to a new temporary directory. It returns the directory and the CLI's
// stdout and stderr.
func exportScanReports(t *testing.T, moduleArgs []string, flags ...string) (dir, output string) {
	t.Helper()
	dir = t.TempDir()
	args := append(scanArgs(moduleArgs, "scan-reports", flags...), "export", "--path", dir)
	stdout, stderr, err := dagger(t, args...)
	if err != nil {
		t.Fatalf("dagger %s: %v\nstdout:\n%s\nstderr (last 4000 bytes):\n%s", strings.Join(args, " "), err, stdout, tail(stderr, 4000))
	}
	return dir, stdout + stderr
}

// readReport returns the content of the exported report file name.
func readReport(t *testing.T, dir, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatalf("read the exported report: %v (files: %v)", err, exportedFiles(t, dir))
	}
	return string(data)
}

// exportedFiles returns the paths of the files under dir, relative to dir.
func exportedFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, entry fs.DirEntry, err error) error {
		if err != nil || entry.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		files = append(files, rel)
		return err
	})
	if err != nil {
		t.Fatalf("list the exported reports in %s: %v", dir, err)
	}
	return files
}

// targetReportName returns the name of a target's JSON report in dir:
// the target name with "/" replaced by "-", such as
// image-ai-orchestrator.json.
func targetReportName(t *testing.T, dir, target string) string {
	t.Helper()
	name := strings.ReplaceAll(target, "/", "-") + ".json"
	if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
		t.Fatalf("no JSON report %s of target %s in the exported reports: %v", name, target, exportedFiles(t, dir))
	}
	return name
}

// trivyReport is the part of Trivy's JSON report (SchemaVersion 2) that the
// tests check. It is decoded here rather than with pipelines/findings, so
// that a parsing bug of the pipeline cannot hide in the tests.
type trivyReport struct {
	SchemaVersion int
	Results       []struct {
		Target          string
		Vulnerabilities []struct {
			VulnerabilityID string
			PkgName         string
			Severity        string
		}
		Secrets []struct {
			RuleID    string
			Severity  string
			StartLine int
		}
	}
}

// readTrivyReport decodes the Trivy JSON report of target from dir.
func readTrivyReport(t *testing.T, dir, target string) trivyReport {
	t.Helper()
	name := targetReportName(t, dir, target)
	var report trivyReport
	if err := json.Unmarshal([]byte(readReport(t, dir, name)), &report); err != nil {
		t.Fatalf("decode %s as a Trivy JSON report: %v", name, err)
	}
	if report.SchemaVersion != 2 {
		t.Errorf("%s: SchemaVersion = %d, want 2 (Trivy v0.74's JSON format)", name, report.SchemaVersion)
	}
	return report
}

// hasVulnerability reports whether the report lists the advisory id in the
// package at the severity.
func (r trivyReport) hasVulnerability(id, pkg, severity string) bool {
	for _, result := range r.Results {
		for _, v := range result.Vulnerabilities {
			if v.VulnerabilityID == id && v.PkgName == pkg && v.Severity == severity {
				return true
			}
		}
	}
	return false
}

// hasSecret reports whether the report lists a secret of the rule in the
// file path. A leading slash is ignored on both sides, as pipelines/suppress
// does for paths.
func (r trivyReport) hasSecret(ruleID, path string) bool {
	for _, result := range r.Results {
		if strings.TrimPrefix(result.Target, "/") != strings.TrimPrefix(path, "/") {
			continue
		}
		for _, s := range result.Secrets {
			if s.RuleID == ruleID {
				return true
			}
		}
	}
	return false
}

// secretTargets returns the rule IDs and files of every secret in the
// report, for failure messages.
func (r trivyReport) secretTargets() []string {
	var found []string
	for _, result := range r.Results {
		for _, s := range result.Secrets {
			found = append(found, s.RuleID+" in "+result.Target)
		}
	}
	return found
}

// hasLineWith reports whether one line of text contains every part.
func hasLineWith(text string, parts ...string) bool {
	for _, line := range strings.Split(text, "\n") {
		if containsAll(line, parts...) {
			return true
		}
	}
	return false
}

func containsAll(s string, parts ...string) bool {
	for _, part := range parts {
		if !strings.Contains(s, part) {
			return false
		}
	}
	return true
}

// markdownSection returns the lines of markdown from the heading that
// starts with prefix up to the next second-level heading, or "" when no
// heading starts with prefix.
func markdownSection(markdown, prefix string) string {
	var section []string
	inside := false
	for _, line := range strings.Split(markdown, "\n") {
		if strings.HasPrefix(line, "## ") {
			inside = strings.HasPrefix(line, prefix)
		}
		if inside {
			section = append(section, line)
		}
	}
	return strings.Join(section, "\n")
}

// readSARIF parses the exported scan.sarif with go-sarif, checks that it
// has exactly one run per category of want, each with automationDetails.id
// set to its category, and returns the runs by category.
func readSARIF(t *testing.T, dir string, want []string) map[string]*sarif.Run {
	t.Helper()
	report, err := sarif.Open(filepath.Join(dir, "scan.sarif"))
	if err != nil {
		t.Fatalf("parse scan.sarif with go-sarif: %v", err)
	}
	if report.Version != string(sarif.Version210) {
		t.Errorf("scan.sarif: version = %q, want %q", report.Version, sarif.Version210)
	}

	runs := map[string]*sarif.Run{}
	var got []string
	for i, run := range report.Runs {
		if run.AutomationDetails == nil || run.AutomationDetails.ID == nil {
			t.Errorf("scan.sarif: run %d (tool %s) has no automationDetails.id", i, toolName(run))
			continue
		}
		category := *run.AutomationDetails.ID
		got = append(got, category)
		runs[category] = run
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("scan.sarif: %d runs with the categories %q, want exactly one run per target: %q", len(report.Runs), got, want)
	}
	return runs
}

func toolName(run *sarif.Run) string {
	if run.Tool.Driver == nil {
		return "with no driver"
	}
	return run.Tool.Driver.Name
}

// hasSARIFResult reports whether the run has a result of the rule, located
// in path when path is not empty.
func hasSARIFResult(run *sarif.Run, ruleID, path string) bool {
	if run == nil {
		return false
	}
	for _, result := range run.Results {
		if result.RuleID == nil || *result.RuleID != ruleID {
			continue
		}
		if path == "" {
			return true
		}
		for _, location := range result.Locations {
			physical := location.PhysicalLocation
			if physical != nil && physical.ArtifactLocation != nil && physical.ArtifactLocation.URI != nil &&
				strings.TrimPrefix(*physical.ArtifactLocation.URI, "/") == path {
				return true
			}
		}
	}
	return false
}

// readVerdict returns the blocked field of the exported verdict.json.
func readVerdict(t *testing.T, dir string) bool {
	t.Helper()
	var verdict struct {
		Blocked *bool `json:"blocked"`
	}
	if err := json.Unmarshal([]byte(readReport(t, dir, "verdict.json")), &verdict); err != nil {
		t.Fatalf("decode verdict.json: %v", err)
	}
	if verdict.Blocked == nil {
		t.Fatalf("verdict.json has no field blocked")
	}
	return *verdict.Blocked
}

// writeSuppressions writes a suppressions file with one entry for the
// advisory id, expiring at the end of the day expires, and returns its path.
func writeSuppressions(t *testing.T, id, expires string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "suppressions.yaml")
	content := fmt.Sprintf(`suppressions:
  - id: %s
    justification: >-
      Fixture advisory of the e2e tests in apt, which only the unhardened
      images contain.
    owner: e2e-tests
    expires: %s
`, id, expires)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// fakeAWSKeyPair returns a random access key ID and secret access key that
// the rules aws-access-key-id and aws-secret-access-key of Trivy v0.74.0
// match. Trivy's built-in allow rule "examples" skips values that contain
// "example", so such values are drawn again.
func fakeAWSKeyPair(t *testing.T) (keyID, secret string) {
	t.Helper()
	for {
		// rand.Text returns 26 characters of the base32 alphabet A-Z2-7,
		// and Trivy's rule takes 16 of [A-Z0-9] after AKIA.
		keyID = "AKIA" + rand.Text()[:16]
		raw := make([]byte, 30)
		if _, err := rand.Read(raw); err != nil {
			t.Fatal(err)
		}
		// 30 bytes give 40 base64 characters with no padding.
		secret = base64.StdEncoding.EncodeToString(raw)
		if !strings.Contains(strings.ToLower(keyID+secret), "example") {
			return keyID, secret
		}
	}
}

// assertNoSecretValues fails the test when a report file or the CLI output
// contains one of the values.
func assertNoSecretValues(t *testing.T, dir, output string, values ...string) {
	t.Helper()
	// Check the reports for people and for GitHub first, so that a failure
	// names a leak there even when Trivy's own JSON leaks too.
	reports := []string{"summary.md", "table.txt", "scan.sarif"}
	for _, name := range exportedFiles(t, dir) {
		if !slices.Contains(reports, name) {
			reports = append(reports, name)
		}
	}
	for _, name := range reports {
		content := readReport(t, dir, name)
		for _, value := range values {
			if strings.Contains(content, value) {
				t.Errorf("%s contains the secret value %s", name, value)
			}
		}
	}
	for _, value := range values {
		if strings.Contains(output, value) {
			t.Errorf("the output of dagger call contains the secret value %s", value)
		}
	}
}

// copyCheckout copies the repository's working tree (tracked files and
// untracked files that .gitignore does not exclude) to a new temporary
// directory and returns it.
func copyCheckout(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	list := mustRun(t, time.Minute, "git", "-C", repoRoot, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	for _, rel := range strings.Split(strings.TrimRight(list, "\x00"), "\x00") {
		src, dst := filepath.Join(repoRoot, rel), filepath.Join(dir, rel)
		info, err := os.Lstat(src)
		if os.IsNotExist(err) {
			// The file is deleted in the working tree but still in the index.
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			link, err := os.Readlink(src)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(link, dst); err != nil {
				t.Fatal(err)
			}
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestScanHardenedPlatform(t *testing.T) {
	requireEngine(t)
	args := scanArgs(nil, "scan")
	stdout, stderr, err := dagger(t, args...)
	if err != nil {
		t.Fatalf("dagger %s blocked the hardened platform: %v\nstdout:\n%s\nstderr (last 4000 bytes):\n%s", strings.Join(args, " "), err, stdout, tail(stderr, 4000))
	}
	if !strings.Contains(stdout, "PASSED") {
		t.Errorf("the summary of a passing scan does not say PASSED:\n%s", stdout)
	}
	if want := "Vulnerability DB: registry.airgap.internal:5000/atlasia/trivy-db-fixture:2, built 2026-01-01 00:00 UTC."; !strings.Contains(stdout, want) {
		t.Errorf("the summary does not name the DB with %q:\n%s", want, stdout)
	}

	dir, _ := exportScanReports(t, nil)

	t.Run("image reports list expected advisories", func(t *testing.T) {
		for _, image := range []string{"ai-orchestrator", "frontend"} {
			report := readTrivyReport(t, dir, "image/"+image)
			if !report.hasVulnerability(fixtureZlibHigh, "zlib1g", "HIGH") {
				t.Errorf("the report of image/%s lists no %s (HIGH) in zlib1g", image, fixtureZlibHigh)
			}
		}
		backend := readTrivyReport(t, dir, "image/ai-orchestrator")
		if !backend.hasVulnerability(fixturePgxHigh, "github.com/jackc/pgx/v5", "HIGH") {
			t.Errorf("the report of image/ai-orchestrator lists no %s (HIGH) in github.com/jackc/pgx/v5", fixturePgxHigh)
		}
	})

	t.Run("summary and table list expected advisories", func(t *testing.T) {
		for _, name := range []string{"summary.md", "table.txt"} {
			content := readReport(t, dir, name)
			for _, want := range [][]string{
				{fixtureZlibHigh, "image/ai-orchestrator", "zlib1g"},
				{fixtureZlibHigh, "image/frontend", "zlib1g"},
				{fixturePgxHigh, "image/ai-orchestrator", "github.com/jackc/pgx/v5"},
			} {
				if !hasLineWith(content, want...) {
					t.Errorf("%s has no line with %q:\n%s", name, want, content)
				}
			}
		}
	})

	t.Run("no unexpected advisory", func(t *testing.T) {
		for _, name := range exportedFiles(t, dir) {
			content := readReport(t, dir, name)
			for _, id := range append([]string{fixtureAptCritical}, negativeControls...) {
				if strings.Contains(content, id) {
					t.Errorf("%s mentions %s", name, id)
				}
			}
		}
	})

	t.Run("verdict passes", func(t *testing.T) {
		if readVerdict(t, dir) {
			t.Errorf("verdict.json: blocked is true, but dagger call scan passed")
		}
	})

	t.Run("SARIF has one run per target", func(t *testing.T) {
		readSARIF(t, dir, platformCategories)
	})
}

// aptBlockingLine matches the line of the gate's error about the apt
// package: the advisory, the package and then the target.
func aptBlockingLine(target string) *regexp.Regexp {
	return regexp.MustCompile(regexp.QuoteMeta(fixtureAptCritical) + `\b.*\bapt\b.*` + regexp.QuoteMeta(target) + `\b`)
}

func TestScanUnhardenedBlocks(t *testing.T) {
	requireEngine(t)
	args := scanArgs(nil, "scan", "--harden=false")
	stdout, stderr, err := dagger(t, args...)
	if err == nil {
		t.Fatalf("dagger %s passed the unhardened images:\n%s", strings.Join(args, " "), stdout)
	}
	output := stdout + stderr
	// Both Dockerfiles keep apt, which only the hardening step removes.
	for _, target := range []string{"image/ai-orchestrator", "image/frontend"} {
		if !aptBlockingLine(target).MatchString(output) {
			t.Errorf("the failed scan names no blocking %s in apt of %s:\n%s", fixtureAptCritical, target, tail(output, 4000))
		}
	}
}

func TestScanActiveSuppressionPasses(t *testing.T) {
	requireEngine(t)
	expires := time.Now().UTC().AddDate(5, 0, 0).Format("2006-01-02")
	suppressions := writeSuppressions(t, fixtureAptCritical, expires)

	args := scanArgs(nil, "scan", "--harden=false", "--suppressions", suppressions)
	stdout, stderr, err := dagger(t, args...)
	if err != nil {
		t.Fatalf("dagger %s blocked although a suppression of %s expires on %s: %v\nstdout:\n%s\nstderr (last 4000 bytes):\n%s",
			strings.Join(args, " "), fixtureAptCritical, expires, err, stdout, tail(stderr, 4000))
	}

	dir, _ := exportScanReports(t, nil, "--harden=false", "--suppressions", suppressions)
	summary := readReport(t, dir, "summary.md")
	suppressed := markdownSection(summary, "## Suppressed findings")
	for _, target := range []string{"image/ai-orchestrator", "image/frontend"} {
		if !hasLineWith(suppressed, fixtureAptCritical, target, "| apt |", expires) {
			t.Errorf("summary.md lists no suppressed %s in apt of %s with the expiry %s:\n%s", fixtureAptCritical, target, expires, summary)
		}
	}
	if blocking := markdownSection(summary, "## Blocking findings"); blocking != "" {
		t.Errorf("summary.md lists blocking findings:\n%s", blocking)
	}
}

func TestScanExpiredSuppressionBlocks(t *testing.T) {
	requireEngine(t)
	expires := time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")
	suppressions := writeSuppressions(t, fixtureAptCritical, expires)

	args := scanArgs(nil, "scan", "--harden=false", "--suppressions", suppressions)
	stdout, stderr, err := dagger(t, args...)
	if err == nil {
		t.Fatalf("dagger %s passed with a suppression that expired on %s:\n%s", strings.Join(args, " "), expires, stdout)
	}
	output := stdout + stderr
	if !aptBlockingLine("image/ai-orchestrator").MatchString(output) {
		t.Errorf("the failed scan names no blocking %s in apt of image/ai-orchestrator:\n%s", fixtureAptCritical, tail(output, 4000))
	}
	if !hasLineWith(output, fixtureAptCritical, "expired", expires) {
		t.Errorf("the failed scan does not say that the suppression of %s expired on %s:\n%s", fixtureAptCritical, expires, tail(output, 4000))
	}
}

func TestScanFindsSecretInImage(t *testing.T) {
	requireEngine(t)
	keyID, secret := fakeAWSKeyPair(t)

	// The build context holds only the credentials file. Build arguments
	// would put the values into the image's history, which Trivy's JSON
	// report copies as it is.
	buildContext := t.TempDir()
	credentials := fmt.Sprintf("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n", keyID, secret)
	if err := os.WriteFile(filepath.Join(buildContext, "credentials"), []byte(credentials), 0o600); err != nil {
		t.Fatal(err)
	}

	// The host's dockerd pulls the base from the registry mirror.
	base := "127.0.0.1:5000/library/debian:bookworm"
	mustRun(t, 5*time.Minute, "docker", "pull", "--quiet", base)
	tag := uniqueName("atlasia-e2e/secret-image")
	mustRun(t, 10*time.Minute, "docker", "build", "--quiet", "--build-arg", "DEBIAN_IMAGE="+base,
		"--file", filepath.Join(repoRoot, "e2e", "testdata", "secret-image", "Dockerfile"), "--tag", tag, buildContext)
	t.Cleanup(func() { run(t, time.Minute, "docker", "rmi", "--force", tag) })
	tarballs := t.TempDir()
	mustRun(t, 5*time.Minute, "docker", "save", "--output", filepath.Join(tarballs, "secret-image.tar"), tag)

	dir, output := exportScanReports(t, nil, "--tarballs", tarballs)

	report := readTrivyReport(t, dir, "image/secret-image")
	for _, rule := range []string{"aws-access-key-id", "aws-secret-access-key"} {
		if !report.hasSecret(rule, "opt/app/credentials") {
			t.Errorf("the report of image/secret-image has no %s secret in /opt/app/credentials; its secrets: %q", rule, report.secretTargets())
		}
	}
	summary := readReport(t, dir, "summary.md")
	if !hasLineWith(summary, "aws-access-key-id", "image/secret-image") {
		t.Errorf("summary.md does not list the aws-access-key-id secret of image/secret-image:\n%s", summary)
	}
	runs := readSARIF(t, dir, []string{"compose/", "image/secret-image/", "source/"})
	if !hasSARIFResult(runs["image/secret-image/"], "aws-access-key-id", "") {
		t.Errorf("the SARIF run image/secret-image/ has no aws-access-key-id result")
	}
	assertNoSecretValues(t, dir, output, keyID, secret)
}

// composeFinding is the part of a finding of the compose report (the
// findings JSON of pipelines/findings) that the tests check.
type composeFinding struct {
	Target  string `json:"target"`
	ID      string `json:"id"`
	Path    string `json:"path"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

func TestScanFindsSourceSecretAndBadCompose(t *testing.T) {
	requireEngine(t)
	keyID, secret := fakeAWSKeyPair(t)
	checkout := copyCheckout(t)

	const secretPath = "config/deploy.env"
	env := fmt.Sprintf("# Settings of the staging deployment.\nAWS_REGION=eu-west-1\nAWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n", keyID, secret)
	if err := os.MkdirAll(filepath.Join(checkout, "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(checkout, secretPath), []byte(env), 0o644); err != nil {
		t.Fatal(err)
	}
	// bad-compose.yml breaks every compose rule at least once.
	badCompose, err := os.ReadFile(filepath.Join(repoRoot, "pipelines", "compose", "testdata", "bad-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(checkout, "infra", "docker-compose.ai.yml"), badCompose, 0o644); err != nil {
		t.Fatal(err)
	}

	dir, output := exportScanReports(t, []string{"--source", checkout})
	runs := readSARIF(t, dir, platformCategories)

	t.Run("source secret", func(t *testing.T) {
		report := readTrivyReport(t, dir, "source")
		for _, rule := range []string{"aws-access-key-id", "aws-secret-access-key"} {
			if !report.hasSecret(rule, secretPath) {
				t.Errorf("the report of source has no %s secret in %s; its secrets: %q", rule, secretPath, report.secretTargets())
			}
			if !hasSARIFResult(runs["source/"], rule, secretPath) {
				t.Errorf("the SARIF run source/ has no %s result in %s", rule, secretPath)
			}
		}
		assertNoSecretValues(t, dir, output, keyID, secret)
	})

	t.Run("compose findings", func(t *testing.T) {
		name := targetReportName(t, dir, "compose")
		var found []composeFinding
		if err := json.Unmarshal([]byte(readReport(t, dir, name)), &found); err != nil {
			t.Fatalf("decode %s as a list of findings: %v", name, err)
		}
		rules := map[string]bool{}
		for _, f := range found {
			rules[f.ID] = true
			if f.Target != "compose" || f.Path != "infra/docker-compose.ai.yml" || f.Line <= 0 {
				t.Errorf("%s: finding %s has target %q, path %q, line %d, want compose, infra/docker-compose.ai.yml and a line",
					name, f.ID, f.Target, f.Path, f.Line)
			}
		}
		for _, rule := range composeRules {
			if !rules[rule] {
				t.Errorf("%s has no %s finding", name, rule)
			}
			if !hasSARIFResult(runs["compose/"], rule, "infra/docker-compose.ai.yml") {
				t.Errorf("the SARIF run compose/ has no %s result in infra/docker-compose.ai.yml", rule)
			}
		}
		// Findings about each service of bad-compose.yml, by rule.
		for _, want := range []struct{ rule, service string }{
			{"ATL-CMP-001", "admin"}, // privileged through a merge key
			{"ATL-CMP-003", "admin"}, // the Docker socket
			{"ATL-CMP-003", "ai-db"}, // /run in the long syntax
			{"ATL-CMP-005", "ai-db"}, // NET_RAW outside the allow-list
			{"ATL-CMP-011", "web"},   // port on all interfaces
			{"ATL-CMP-012", "web"},   // no image tag
		} {
			if !slices.ContainsFunc(found, func(f composeFinding) bool {
				return f.ID == want.rule && strings.Contains(f.Message, fmt.Sprintf("service %q", want.service))
			}) {
				t.Errorf("%s has no %s finding about service %q", name, want.rule, want.service)
			}
		}

		blocking := markdownSection(readReport(t, dir, "summary.md"), "## Blocking findings")
		for _, rule := range []string{"ATL-CMP-001", "ATL-CMP-003"} {
			if !hasLineWith(blocking, rule, "CRITICAL", "| compose |") {
				t.Errorf("summary.md does not list the CRITICAL compose finding %s as blocking:\n%s", rule, blocking)
			}
		}
		if !readVerdict(t, dir) {
			t.Errorf("verdict.json: blocked is false, with CRITICAL secrets and compose findings")
		}
	})
}

func TestScanTargetsSelectsAndRejects(t *testing.T) {
	requireEngine(t)
	dir, _ := exportScanReports(t, nil, "--targets", "compose")
	if files := exportedFiles(t, dir); !slices.Contains(files, "compose.json") || slices.Contains(files, "source.json") {
		t.Errorf("--targets compose exported %v, want compose.json and no source.json", files)
	}

	_, stderr, err := dagger(t, scanArgs(nil, "scan", "--targets", "image/absent")...)
	if err == nil {
		t.Fatal("scan --targets image/absent succeeded, want an error")
	}
	if !strings.Contains(stderr, `invalid --targets entry "image/absent"`) || !strings.Contains(stderr, "image/ai-orchestrator") {
		t.Errorf("the error does not name the bad entry and the valid targets:\n%s", tail(stderr, 2000))
	}
}

// TestScanDBRepositoryNotShared scans with a DB repository that the mirror
// does not serve, after other tests have put the fixture DB in the cache:
// the scan must fail and name that repository, not use the cached DB.
func TestScanDBRepositoryNotShared(t *testing.T) {
	requireEngine(t)
	const absent = "registry.airgap.internal:5000/atlasia/no-such-db:2"
	_, stderr, err := dagger(t, "call", "scan", "--db-repository", absent, "--insecure", "--targets", "source")
	if err == nil {
		t.Fatalf("scan --db-repository %s succeeded, want an error", absent)
	}
	if !strings.Contains(stderr, "failed to download the Trivy DB from "+absent) {
		t.Errorf("the error does not name the DB repository %s:\n%s", absent, tail(stderr, 2000))
	}
}

// TestScanBadTrivyImage scans with a Trivy image that the mirror does not
// serve: the error must name the image and --trivy-image, not the DB.
func TestScanBadTrivyImage(t *testing.T) {
	requireEngine(t)
	const absent = "registry.airgap.internal:5000/aquasec/trivy:0.0.0-absent"
	_, stderr, err := dagger(t, scanArgs([]string{"--trivy-image", absent}, "scan", "--targets", "source")...)
	if err == nil {
		t.Fatalf("scan with --trivy-image %s succeeded, want an error", absent)
	}
	if !strings.Contains(stderr, "failed to start the Trivy image "+absent+": check --trivy-image") {
		t.Errorf("the error does not name the image and --trivy-image:\n%s", tail(stderr, 2000))
	}
}
