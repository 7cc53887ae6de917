//go:build e2e

// Package e2e calls the Dagger module's functions through the real local
// engine (`make toolchain`) with the dagger CLI, on the platform's real
// images, and checks the results with the host's dockerd.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// repoRoot is the repository root, which holds dagger.json.
var repoRoot = func() string {
	dir, err := filepath.Abs("..")
	if err != nil {
		panic(err)
	}
	return dir
}()

// requireEngine fails the test when the environment of bin/airgap.env (or of
// another Dagger engine) is missing.
func requireEngine(t *testing.T) {
	t.Helper()
	if os.Getenv("_EXPERIMENTAL_DAGGER_RUNNER_HOST") == "" {
		t.Fatal("_EXPERIMENTAL_DAGGER_RUNNER_HOST is not set: run `make test-e2e`, or `make toolchain` and `source bin/airgap.env`")
	}
}

// run runs a command in the repository root and returns its stdout and
// stderr. It fails the test only when the command cannot start.
func run(t *testing.T, timeout time.Duration, name string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = repoRoot
	var out, errOut bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errOut
	err = cmd.Run()
	if err != nil && cmd.ProcessState == nil {
		t.Fatalf("start %s: %v", name, err)
	}
	return out.String(), errOut.String(), err
}

// mustRun runs a command and fails the test when it exits non-zero.
func mustRun(t *testing.T, timeout time.Duration, name string, args ...string) string {
	t.Helper()
	stdout, stderr, err := run(t, timeout, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr (last 3000 bytes):\n%s", name, strings.Join(args, " "), err, stdout, tail(stderr, 3000))
	}
	return stdout
}

// dagger runs the dagger CLI with the arguments, quietly.
func dagger(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return run(t, 30*time.Minute, "dagger", append([]string{"--progress=plain"}, args...)...)
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// uniqueName returns a name for docker objects of this test run.
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano())
}
