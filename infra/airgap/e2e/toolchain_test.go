//go:build e2e

// Package e2e drives the local air-gapped toolchain for real: it connects to
// the Dagger engine that `make toolchain` starts, pulls images through the
// registry mirror and scans with the mirrored Trivy image and fixture DB.
// Run it with `make test-e2e`, which sources bin/airgap.env first.
package e2e

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"dagger.io/dagger"

	"github.com/atlasia-ai/supplychain/infra/airgap/trivyfixture"
)

// References as the pipeline writes them; the engine resolves docker.io
// names through the mirror.
const (
	debianImage     = "debian:bookworm"
	trivyImage      = "aquasec/trivy:0.74.0"
	mirror          = "registry.airgap.internal:5000"
	dbRepository    = mirror + "/atlasia/trivy-db-fixture:2"
	checkRepository = mirror + "/aquasec/trivy-checks:1"
)

// connect returns a client of the engine named by the environment that
// bin/airgap.env sets, and fails the test when that environment is missing.
func connect(t *testing.T) (context.Context, *dagger.Client) {
	t.Helper()
	for _, name := range []string{"_EXPERIMENTAL_DAGGER_RUNNER_HOST", "_EXPERIMENTAL_DAGGER_CLI_BIN"} {
		if os.Getenv(name) == "" {
			t.Fatalf("%s is not set: run `make toolchain` and `source bin/airgap.env`, or `make test-e2e`", name)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	client, err := dagger.Connect(ctx, dagger.WithLogOutput(os.Stderr))
	if err != nil {
		t.Fatalf("connect to the Dagger engine: %v", err)
	}
	t.Cleanup(func() { client.Close() })
	return ctx, client
}

func TestEngineVersion(t *testing.T) {
	ctx, client := connect(t)
	version, err := client.Version(ctx)
	if err != nil {
		t.Fatalf("query the engine version: %v", err)
	}
	if version != "v0.19.7" {
		t.Errorf("engine version = %q, want v0.19.7", version)
	}
}

func TestPullDebianThroughMirror(t *testing.T) {
	ctx, client := connect(t)
	osRelease, err := client.Container().From(debianImage).File("/etc/os-release").Contents(ctx)
	if err != nil {
		t.Fatalf("pull %s through the mirror: %v", debianImage, err)
	}
	if !strings.Contains(osRelease, "VERSION_CODENAME=bookworm") {
		t.Errorf("/etc/os-release of %s does not name bookworm:\n%s", debianImage, osRelease)
	}
}

// finding is the part of a Trivy JSON result the test compares.
type finding struct {
	ID       string
	Package  string
	Severity string
	Status   string
}

// trivyReport mirrors the fields of Trivy's JSON report that the test reads.
type trivyReport struct {
	Results []struct {
		Target          string
		Vulnerabilities []struct {
			VulnerabilityID string
			PkgName         string
			Severity        string
			Status          string
		}
	}
}

func TestTrivyScanWithFixtureDB(t *testing.T) {
	ctx, client := connect(t)
	tarball := client.Container().From(debianImage).AsTarball()

	// A cache volume named per run forces Trivy to download the DB and the
	// checks bundle from the mirror instead of reusing an earlier copy.
	cache := client.CacheVolume("trivy-e2e-" + time.Now().UTC().Format("20060102T150405.000000000"))
	scan := client.Container().From(trivyImage).
		WithMountedFile("/work/image.tar", tarball).
		WithMountedCache("/cache", cache).
		WithWorkdir("/work").
		WithExec([]string{
			"trivy", "image", "--input", "/work/image.tar",
			"--cache-dir", "/cache",
			"--db-repository", dbRepository,
			"--checks-bundle-repository", checkRepository,
			"--insecure", "--skip-version-check", "--disable-telemetry", "--no-progress",
			"--scanners", "vuln,misconfig",
			"--skip-dirs", "/var/lib/apt/lists",
			"--format", "json", "--output", "/work/report.json",
		})
	stderr, err := scan.Stderr(ctx)
	if err != nil {
		t.Fatalf("trivy scan of %s: %v", debianImage, err)
	}
	if strings.Contains(stderr, "ERROR") {
		t.Errorf("trivy logged an error, so the DB or the checks bundle did not load from the mirror:\n%s", stderr)
	}
	raw, err := scan.File("/work/report.json").Contents(ctx)
	if err != nil {
		t.Fatalf("read the trivy report: %v", err)
	}

	var report trivyReport
	if err := json.Unmarshal([]byte(raw), &report); err != nil {
		t.Fatalf("parse the trivy report: %v", err)
	}
	var got []finding
	for _, result := range report.Results {
		for _, v := range result.Vulnerabilities {
			got = append(got, finding{ID: v.VulnerabilityID, Package: v.PkgName, Severity: v.Severity, Status: v.Status})
		}
	}
	slices.SortFunc(got, func(a, b finding) int {
		return strings.Compare(a.ID+" "+a.Package, b.ID+" "+b.Package)
	})

	// Binary packages of Debian 12's minbase that come from the source
	// packages the fixtures name.
	want := []finding{
		{trivyfixture.IDAptUnfixedCritical, "apt", "CRITICAL", "affected"},
		{trivyfixture.IDAptUnfixedCritical, "libapt-pkg6.0", "CRITICAL", "affected"},
		{trivyfixture.IDZlibFixedHigh, "zlib1g", "HIGH", "fixed"},
		{trivyfixture.IDGlibcWillNotFixMedium, "libc-bin", "MEDIUM", "will_not_fix"},
		{trivyfixture.IDGlibcWillNotFixMedium, "libc6", "MEDIUM", "will_not_fix"},
	}
	for _, pkg := range []string{"bsdutils", "libblkid1", "libmount1", "libsmartcols1", "libuuid1", "mount", "util-linux", "util-linux-extra"} {
		want = append(want, finding{trivyfixture.IDUtilLinuxWillNotFixLow, pkg, "LOW", "will_not_fix"})
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings differ\n got: %v\nwant: %v", got, want)
	}

	for _, advisory := range trivyfixture.Advisories() {
		if advisory.ExpectMatch {
			continue
		}
		for _, f := range got {
			if f.ID == advisory.ID {
				t.Errorf("negative control %s (%s) matched package %s", advisory.ID, advisory.Reason, f.Package)
			}
		}
	}
}
