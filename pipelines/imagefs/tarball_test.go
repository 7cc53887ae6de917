package imagefs

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atlasia-ai/supplychain/pipelines/internal/tartest"
)

// tarFile is a member of a test layer or tarball.
type tarFile struct {
	name     string
	typeflag byte // tar.TypeReg when 0
	mode     int64
	uid, gid int
	body     string
	linkname string
}

func reg(name string, mode int64, body string) tarFile {
	return tarFile{name: name, typeflag: tar.TypeReg, mode: mode, body: body}
}

func dir(name string, mode int64) tarFile {
	return tarFile{name: name, typeflag: tar.TypeDir, mode: mode}
}

func symlink(name, target string) tarFile {
	return tarFile{name: name, typeflag: tar.TypeSymlink, mode: 0o777, linkname: target}
}

func hardlink(name, target string) tarFile {
	return tarFile{name: name, typeflag: tar.TypeLink, mode: 0o644, linkname: target}
}

// writeTar returns a tar archive of files.
func writeTar(t *testing.T, files []tarFile) []byte {
	t.Helper()
	var members []tartest.Member
	for _, f := range files {
		typeflag := f.typeflag
		if typeflag == 0 {
			typeflag = tar.TypeReg
		}
		hdr := tar.Header{
			Name:     f.name,
			Typeflag: typeflag,
			Mode:     f.mode,
			Uid:      f.uid,
			Gid:      f.gid,
			Linkname: f.linkname,
		}
		if typeflag == tar.TypeReg {
			hdr.Size = int64(len(f.body))
		}
		members = append(members, tartest.Member{Header: hdr, Data: []byte(f.body)})
	}
	return tartest.Archive(t, members)
}

func digestOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func hexOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// testLayer is a layer of a test image: its uncompressed tar and the blob
// that the tarball stores.
type testLayer struct {
	tar  []byte
	blob []byte
}

func plainLayer(t *testing.T, files ...tarFile) testLayer {
	data := writeTar(t, files)
	return testLayer{tar: data, blob: data}
}

func gzipLayer(t *testing.T, files ...tarFile) testLayer {
	data := writeTar(t, files)
	return testLayer{tar: data, blob: tartest.Gzip(t, data)}
}

// testConfig returns an image config with user and the diff IDs of layers.
func testConfig(t *testing.T, user string, layers []testLayer) []byte {
	t.Helper()
	var diffIDs []string
	for _, l := range layers {
		diffIDs = append(diffIDs, digestOf(l.tar))
	}
	cfg := map[string]any{
		"architecture": "amd64",
		"os":           "linux",
		"config": map[string]any{
			"User":         user,
			"Env":          []string{"PATH=/usr/bin", "LOG_DIR=/app/logs"},
			"Labels":       map[string]string{"org.opencontainers.image.title": "test"},
			"ExposedPorts": map[string]any{"8080/tcp": struct{}{}, "9090/tcp": struct{}{}},
			"Cmd":          []string{"/app/server"},
			"WorkingDir":   "/app",
			"Healthcheck": map[string]any{
				"Test":     []string{"CMD", "/app/server", "healthcheck"},
				"Interval": 30_000_000_000,
				"Retries":  3,
			},
		},
		"rootfs":  map[string]any{"type": "layers", "diff_ids": diffIDs},
		"history": []map[string]any{{"created_by": "COPY rootfs /"}},
	}
	data, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// tarballLayout is how a test tarball stores an image.
type tarballLayout int

const (
	// legacyDockerSave is `docker save` before Docker 25: ID/layer.tar and
	// HEX.json named in manifest.json.
	legacyDockerSave tarballLayout = iota
	// ociWithManifest is Dagger's Container.AsTarball and `docker save` from
	// Docker 25: an OCI layout and a manifest.json that names its blobs.
	ociWithManifest
	// ociOnly is a bare OCI layout, with a nested index as BuildKit writes
	// for multi-platform images.
	ociOnly
)

// writeTarball writes an image tarball with config and layers in layout to
// a temporary file and returns its path.
func writeTarball(t *testing.T, layout tarballLayout, config []byte, layers []testLayer) string {
	t.Helper()
	var files []tarFile
	switch layout {
	case legacyDockerSave:
		m := dockerManifest{Config: hexOf(config) + ".json", RepoTags: []string{"test/image:dev"}}
		files = append(files, reg(m.Config, 0o644, string(config)))
		for i, l := range layers {
			id := hexOf(append([]byte{byte(i)}, l.blob...))
			name := id + "/layer.tar"
			files = append(files, dir(id, 0o755), reg(name, 0o644, string(l.blob)))
			m.Layers = append(m.Layers, name)
		}
		files = append(files, reg("manifest.json", 0o644, mustJSON(t, []dockerManifest{m})))
	case ociWithManifest, ociOnly:
		blobs := map[string][]byte{"sha256:" + hexOf(config): config}
		man := manifest{
			MediaType: mediaTypeOCIManifest,
			Config:    descriptor{MediaType: "application/vnd.oci.image.config.v1+json", Digest: digestOf(config), Size: int64(len(config))},
		}
		dm := dockerManifest{Config: "blobs/sha256/" + hexOf(config), RepoTags: []string{"test/image:dev"}}
		for _, l := range layers {
			blobs[digestOf(l.blob)] = l.blob
			man.Layers = append(man.Layers, descriptor{MediaType: "application/vnd.oci.image.layer.v1.tar+gzip", Digest: digestOf(l.blob), Size: int64(len(l.blob))})
			dm.Layers = append(dm.Layers, "blobs/sha256/"+hexOf(l.blob))
		}
		manJSON := []byte(mustJSON(t, man))
		blobs[digestOf(manJSON)] = manJSON
		top := descriptor{MediaType: mediaTypeOCIManifest, Digest: digestOf(manJSON), Size: int64(len(manJSON))}

		if layout == ociOnly {
			nested := []byte(mustJSON(t, index{MediaType: mediaTypeOCIIndex, Manifests: []descriptor{
				top,
				// An attestation manifest whose blob is absent, as BuildKit writes.
				{MediaType: mediaTypeOCIManifest, Digest: "sha256:" + hexOf([]byte("attestation")), Annotations: map[string]string{annotationBuildKitType: "attestation-manifest"}},
			}}))
			blobs[digestOf(nested)] = nested
			top = descriptor{MediaType: mediaTypeOCIIndex, Digest: digestOf(nested), Size: int64(len(nested)), Annotations: map[string]string{annotationImageName: "test/image:dev"}}
		}
		files = append(files,
			reg("oci-layout", 0o644, `{"imageLayoutVersion":"1.0.0"}`),
			reg("index.json", 0o644, mustJSON(t, index{MediaType: mediaTypeOCIIndex, Manifests: []descriptor{top}})),
			dir("blobs/", 0o755), dir("blobs/sha256/", 0o755))
		for digest, blob := range blobs {
			files = append(files, reg("blobs/sha256/"+digest[len("sha256:"):], 0o644, string(blob)))
		}
		if layout == ociWithManifest {
			files = append(files, reg("manifest.json", 0o644, mustJSON(t, []dockerManifest{dm})))
		}
	}

	name := filepath.Join(t.TempDir(), "image.tar")
	if err := os.WriteFile(name, writeTar(t, files), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestIndexArchiveDuplicateKeepsLater(t *testing.T) {
	tests := []struct {
		name    string
		files   []tarFile
		want    string // contents of member "a", or "" when reading it fails
		wantErr string
	}{
		{
			name:  "two regular files",
			files: []tarFile{reg("a", 0o644, "first"), reg("./a", 0o644, "second")},
			want:  "second",
		},
		{
			name:  "directory then regular file",
			files: []tarFile{dir("a/", 0o755), reg("a", 0o644, "second")},
			want:  "second",
		},
		{
			name:    "regular file then directory",
			files:   []tarFile{reg("a", 0o644, "first"), dir("a/", 0o755)},
			wantErr: `member "a" is not a regular file`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bytes.NewReader(writeTar(t, tt.files))
			a, err := indexArchive(r, r)
			if err != nil {
				t.Fatalf("indexArchive: %v", err)
			}

			data, err := a.readFile("a")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("readFile error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("readFile: %v", err)
			}
			if string(data) != tt.want {
				t.Errorf("member a contains %q, want %q", data, tt.want)
			}
		})
	}
}
