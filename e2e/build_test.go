//go:build e2e

package e2e

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atlasia-ai/supplychain/pipelines/imagefs"
)

// built holds the tarballs of one `dagger call build export`, shared by the
// tests of this file because a build is the slow part.
var built struct {
	once sync.Once
	dir  string
	err  error
}

// TestMain removes the exported tarballs after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		if err := os.RemoveAll(built.dir); err != nil {
			log.Printf("remove %s: %v", built.dir, err)
		}
	}
	os.Exit(code)
}

// buildImages exports the hardened platform images once and returns the
// directory that holds ai-orchestrator.tar and frontend.tar.
func buildImages(t *testing.T) string {
	t.Helper()
	requireEngine(t)
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "atlasia-build")
		if err != nil {
			built.err = err
			return
		}
		built.dir = dir
		_, stderr, err := dagger(t, "call", "build", "export", "--path", dir)
		if err != nil {
			built.err = fmt.Errorf("dagger call build export --path %s: %v\n%s", dir, err, tail(stderr, 3000))
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.dir
}

// loadImage loads a tarball into the host's dockerd and returns the image
// ID. The test removes the image when it ends, unless another tag or a
// container still uses it.
func loadImage(t *testing.T, tarball string) string {
	t.Helper()
	out := mustRun(t, 5*time.Minute, "docker", "load", "--input", tarball)
	for _, line := range strings.Split(out, "\n") {
		id, ok := strings.CutPrefix(line, "Loaded image ID: ")
		if !ok {
			id, ok = strings.CutPrefix(line, "Loaded image: ")
		}
		if ok {
			id = strings.TrimSpace(id)
			t.Cleanup(func() { run(t, time.Minute, "docker", "rmi", id) })
			return id
		}
	}
	t.Fatalf("docker load --input %s printed no image:\n%s", tarball, out)
	return ""
}

func TestBackendRunsAsAppuser(t *testing.T) {
	id := loadImage(t, filepath.Join(buildImages(t), "ai-orchestrator.tar"))
	uid := strings.TrimSpace(mustRun(t, time.Minute, "docker", "run", "--rm", id, "id", "-u"))
	if uid != "1000" {
		t.Errorf("`id -u` in the backend printed %q, want 1000", uid)
	}
}

func TestImagesKeepHealthcheck(t *testing.T) {
	for _, name := range []string{"ai-orchestrator", "frontend"} {
		id := loadImage(t, filepath.Join(buildImages(t), name+".tar"))
		test := strings.TrimSpace(mustRun(t, time.Minute, "docker", "inspect", "--format", "{{json .Config.Healthcheck.Test}}", id))
		if !strings.HasPrefix(test, `["CMD"`) {
			t.Errorf("%s: HEALTHCHECK test is %s, want the exec form of its Dockerfile", name, test)
		}
	}
}

func TestFrontendServesHealthzWithHeaders(t *testing.T) {
	id := loadImage(t, filepath.Join(buildImages(t), "frontend.tar"))
	name := uniqueName("atlasia-e2e-frontend")
	mustRun(t, time.Minute, "docker", "run", "--detach", "--name", name,
		"--read-only", "--tmpfs", "/tmp", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
		"--publish", "127.0.0.1::8080", id)
	t.Cleanup(func() { run(t, time.Minute, "docker", "rm", "--force", name) })
	port := strings.TrimSpace(mustRun(t, time.Minute, "docker", "port", name, "8080/tcp"))

	var resp *http.Response
	var err error
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err = http.Get("http://" + port + "/healthz")
		if err == nil {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("GET http://%s/healthz: %v", port, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz status = %d, want 200", resp.StatusCode)
	}
	headers := map[string]string{
		"X-Frame-Options":        "SAMEORIGIN",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "strict-origin-when-cross-origin",
	}
	for header, want := range headers {
		if got := resp.Header.Get(header); got != want {
			t.Errorf("header %s = %q, want %q", header, got, want)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src") {
		t.Errorf("header Content-Security-Policy = %q, want a policy with default-src", csp)
	}
}

// removedPaths are files that hardening removes; no layer of a shipped
// image may contain them.
var removedPaths = map[string]bool{
	"/usr/bin/apt":        true,
	"/usr/bin/apt-get":    true,
	"/usr/bin/apt-cache":  true,
	"/usr/bin/dpkg":       true,
	"/usr/bin/dpkg-deb":   true,
	"/usr/bin/dpkg-query": true,
}

func TestNoLayerHoldsRemovedFiles(t *testing.T) {
	for _, name := range []string{"ai-orchestrator", "frontend"} {
		img, err := imagefs.ReadTarball(filepath.Join(buildImages(t), name+".tar"))
		if err != nil {
			t.Fatalf("read %s.tar: %v", name, err)
		}
		for _, found := range img.PathsInAnyLayer(func(path string) bool {
			return removedPaths[path] || strings.HasPrefix(path, "/var/lib/apt/lists/") && !strings.HasSuffix(path, "/lists/partial")
		}) {
			t.Errorf("%s: layer %d holds %s", name, found.Layer, found.Path)
		}
	}
}

func TestAuditPassesOnPlatform(t *testing.T) {
	requireEngine(t)
	stdout, stderr, err := dagger(t, "call", "audit")
	if err != nil {
		t.Fatalf("dagger call audit failed on the hardened platform: %v\n%s\n%s", err, stdout, tail(stderr, 4000))
	}
	for _, image := range []string{"ai-orchestrator", "frontend"} {
		if !strings.Contains(stdout, image) {
			t.Errorf("the audit report does not name %s:\n%s", image, stdout)
		}
	}
	if strings.Contains(stdout, "FAIL") {
		t.Errorf("the audit report lists a failure:\n%s", stdout)
	}
}

func TestAuditFailsOnUnhardenedImage(t *testing.T) {
	requireEngine(t)
	// The host's dockerd pulls the base from the registry mirror.
	base := "127.0.0.1:5000/library/debian:bookworm"
	mustRun(t, 5*time.Minute, "docker", "pull", "--quiet", base)
	tag := uniqueName("atlasia-e2e/unhardened")
	mustRun(t, 10*time.Minute, "docker", "build", "--quiet", "--build-arg", "DEBIAN_IMAGE="+base,
		"--tag", tag, filepath.Join("e2e", "testdata", "unhardened"))
	t.Cleanup(func() { run(t, time.Minute, "docker", "rmi", "--force", tag) })
	dir := t.TempDir()
	mustRun(t, 5*time.Minute, "docker", "save", "--output", filepath.Join(dir, "unhardened.tar"), tag)

	stdout, stderr, err := dagger(t, "call", "audit", "--tarballs", dir)
	if err == nil {
		t.Fatalf("dagger call audit passed an unhardened image:\n%s", stdout)
	}
	output := stdout + stderr
	for _, want := range []string{
		"unhardened",
		"CIS-DI-0001",           // runs as root
		"ATL-DI-0001",           // apt and dpkg present
		"CIS-DI-0008",           // setuid shell
		"/usr/local/bin/rootsh", // its evidence
		"CIS-DI-0010",           // credential in ENV
		"DB_PASSWORD",           // its evidence
		"CIS-DI-0006",           // no HEALTHCHECK
	} {
		if !strings.Contains(output, want) {
			t.Errorf("the failed audit does not mention %q", want)
		}
	}
	if strings.Contains(output, "fixture-not-a-real-password") {
		t.Errorf("the audit output prints the value of DB_PASSWORD")
	}
}
