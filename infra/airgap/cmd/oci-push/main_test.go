package main

import (
	"context"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const (
	testMediaType       = "application/vnd.aquasec.trivy.db.layer.v1.tar+gzip"
	testConfigMediaType = "application/vnd.aquasec.trivy.config.v1+json"
)

func writeTestFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db.tar.gz")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestArtifactDigestIsStable(t *testing.T) {
	path := writeTestFile(t, "layer content")

	first, err := newArtifact(path, testMediaType, testConfigMediaType, "db.tar.gz")
	if err != nil {
		t.Fatal(err)
	}
	second, err := newArtifact(path, testMediaType, testConfigMediaType, "db.tar.gz")
	if err != nil {
		t.Fatal(err)
	}

	d1, err := first.Digest()
	if err != nil {
		t.Fatal(err)
	}
	d2, err := second.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if d1 != d2 {
		t.Errorf("digests differ for the same file: %s and %s", d1, d2)
	}
}

func TestArtifactDigestChangesWithInputs(t *testing.T) {
	path := writeTestFile(t, "layer content")
	base, err := newArtifact(path, testMediaType, testConfigMediaType, "db.tar.gz")
	if err != nil {
		t.Fatal(err)
	}
	baseDigest, err := base.Digest()
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name            string
		path            string
		mediaType       types.MediaType
		configMediaType types.MediaType
		title           string
	}{
		{"content", writeTestFile(t, "other content"), testMediaType, testConfigMediaType, "db.tar.gz"},
		{"media type", path, "application/octet-stream", testConfigMediaType, "db.tar.gz"},
		{"config media type", path, testMediaType, "application/vnd.oci.empty.v1+json", "db.tar.gz"},
		{"title", path, testMediaType, testConfigMediaType, "other.tar.gz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := newArtifact(tt.path, tt.mediaType, tt.configMediaType, tt.title)
			if err != nil {
				t.Fatal(err)
			}
			digest, err := img.Digest()
			if err != nil {
				t.Fatal(err)
			}
			if digest == baseDigest {
				t.Errorf("changing the %s kept digest %s", tt.name, digest)
			}
		})
	}
}

func TestNewArtifactRejectsEmptyFile(t *testing.T) {
	path := writeTestFile(t, "")
	if _, err := newArtifact(path, testMediaType, testConfigMediaType, "db.tar.gz"); err == nil {
		t.Error("newArtifact accepted an empty file")
	}
}

// TestPushRoundTrip pushes to go-containerregistry's in-memory registry and
// reads the artifact back the way Trivy does: one layer, its media type and
// its title annotation.
func TestPushRoundTrip(t *testing.T) {
	// An empty Docker config keeps the default keychain away from the
	// machine's credentials.
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	server := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer server.Close()
	refStr := strings.TrimPrefix(server.URL, "http://") + "/atlasia/trivy-db-fixture:2"

	content := "layer content"
	img, err := newArtifact(writeTestFile(t, content), testMediaType, testConfigMediaType, "db.tar.gz")
	if err != nil {
		t.Fatal(err)
	}
	want, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}

	// Two pushes of the same artifact must leave the same digest.
	for range 2 {
		if err := push(context.Background(), img, refStr, true); err != nil {
			t.Fatalf("push: %v", err)
		}
	}

	ref, err := name.ParseReference(refStr, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	pulled, err := remote.Image(ref)
	if err != nil {
		t.Fatalf("pull %s: %v", ref, err)
	}
	got, err := pulled.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("registry digest = %s, want %s", got, want)
	}

	manifest, err := pulled.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if manifest.MediaType != types.OCIManifestSchema1 {
		t.Errorf("manifest media type = %s, want %s", manifest.MediaType, types.OCIManifestSchema1)
	}
	if manifest.Config.MediaType != testConfigMediaType {
		t.Errorf("config media type = %s, want %s", manifest.Config.MediaType, testConfigMediaType)
	}
	if len(manifest.Layers) != 1 {
		t.Fatalf("manifest has %d layers, want 1", len(manifest.Layers))
	}
	layer := manifest.Layers[0]
	if layer.MediaType != testMediaType {
		t.Errorf("layer media type = %s, want %s", layer.MediaType, testMediaType)
	}
	if title := layer.Annotations[titleAnnotation]; title != "db.tar.gz" {
		t.Errorf("title annotation = %q, want %q", title, "db.tar.gz")
	}

	config, err := pulled.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if string(config) != "{}" {
		t.Errorf("config blob = %q, want {}", config)
	}

	layers, err := pulled.Layers()
	if err != nil {
		t.Fatal(err)
	}
	rc, err := layers[0].Compressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	blob, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	if string(blob) != content {
		t.Errorf("layer blob = %q, want %q", blob, content)
	}
}
