//go:build e2e

package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDaggerCallGoModule runs `dagger call` on a fresh copy of the fixture Go
// SDK module, so codegen and the module build run inside the engine from the
// Go SDK runtime that the engine image carries.
func TestDaggerCallGoModule(t *testing.T) {
	cli := os.Getenv("_EXPERIMENTAL_DAGGER_CLI_BIN")
	if cli == "" || os.Getenv("_EXPERIMENTAL_DAGGER_RUNNER_HOST") == "" {
		t.Fatal("the Dagger environment is not set: run `make toolchain` and `source bin/airgap.env`, or `make test-e2e`")
	}
	module := t.TempDir()
	if err := os.CopyFS(module, os.DirFS(filepath.Join("..", "testdata", "hello-module"))); err != nil {
		t.Fatalf("copy the fixture module: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli, "call", "os-release")
	cmd.Dir = module
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("dagger call os-release in %s: %v\n%s", module, err, stderr.String())
	}
	if got, want := strings.TrimSpace(string(out)), "Debian GNU/Linux 12 (bookworm)"; got != want {
		t.Errorf("dagger call os-release printed %q, want %q", got, want)
	}
}
