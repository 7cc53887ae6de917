package platform

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atlasia-ai/supplychain/pipelines/pins"
)

// dockerfileArgs returns the default values of the ARG instructions in a
// Dockerfile.
func dockerfileArgs(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	args := map[string]string{}
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) != 2 || fields[0] != "ARG" {
			continue
		}
		name, value, ok := strings.Cut(fields[1], "=")
		if ok {
			args[name] = value
		}
	}
	if err := scanner.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return args
}

func TestDockerfileBaseArgsMatchPins(t *testing.T) {
	want := map[string]string{BaseArgDebian: pins.Debian, BaseArgGolang: pins.Golang}
	for _, img := range Images() {
		t.Run(img.Name, func(t *testing.T) {
			args := dockerfileArgs(t, filepath.Join("..", "..", img.Context, "Dockerfile"))
			for _, name := range img.BaseArgs {
				if got := args[name]; got != want[name] {
					t.Errorf("ARG %s defaults to %q, want the pin %q", name, got, want[name])
				}
			}
		})
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name    string
		wantErr bool
	}{
		{"ai-orchestrator", false},
		{"frontend", false},
		{"ai-db", true},
		{"", true},
	}
	for _, tt := range tests {
		img, err := Lookup(tt.name)
		if tt.wantErr {
			if err == nil || !strings.Contains(err.Error(), "ai-orchestrator") {
				t.Errorf("Lookup(%q) error = %v, want one that lists the valid names", tt.name, err)
			}
			continue
		}
		if err != nil || img.Name != tt.name {
			t.Errorf("Lookup(%q) = %q, %v", tt.name, img.Name, err)
		}
	}
}

func TestHardenPlanShells(t *testing.T) {
	backend, _ := Lookup("ai-orchestrator")
	frontend, _ := Lookup("frontend")
	if !strings.Contains(strings.Join(backend.HardenPlan().PurgeLast, " "), "bash") {
		t.Errorf("the backend's plan keeps bash, want it purged: %v", backend.HardenPlan().PurgeLast)
	}
	if strings.Contains(strings.Join(frontend.HardenPlan().PurgeLast, " "), "bash") {
		t.Errorf("the frontend's plan purges bash, which its HEALTHCHECK runs: %v", frontend.HardenPlan().PurgeLast)
	}
}
