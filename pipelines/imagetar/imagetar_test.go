package imagetar

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/atlasia-ai/supplychain/pipelines/internal/ocidigest"

	"github.com/atlasia-ai/supplychain/pipelines/dockerfile"
	"github.com/atlasia-ai/supplychain/pipelines/internal/tarindex"
	"github.com/atlasia-ai/supplychain/pipelines/internal/tartest"
)

// tarMember is a member of a tarball that a test builds.
type tarMember struct {
	name     string
	typeflag byte
	data     []byte
}

func dirMember(name string) tarMember { return tarMember{name: name, typeflag: tar.TypeDir} }
func fileMember(name string, data []byte) tarMember {
	return tarMember{name: name, typeflag: tar.TypeReg, data: data}
}

// writeTarball writes members to a new tarball in a temporary directory and
// returns its path.
func writeTarball(t *testing.T, members []tarMember) string {
	t.Helper()
	var archive []tartest.Member
	for _, m := range members {
		hdr := tar.Header{Name: m.name, Typeflag: m.typeflag, Mode: 0o444, ModTime: time.Unix(0, 0)}
		if m.typeflag == tar.TypeDir {
			hdr.Mode = 0o755
		} else {
			hdr.Size = int64(len(m.data))
		}
		archive = append(archive, tartest.Member{Header: hdr, Data: m.data})
	}
	p := filepath.Join(t.TempDir(), "image.tar")
	if err := os.WriteFile(p, tartest.Archive(t, archive), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// tarball is the contents of a tarball: member names in order, and the data
// of the regular files.
type tarball struct {
	names []string
	files map[string][]byte
}

func readTarball(t *testing.T, p string) tarball {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tb := tarball{files: map[string][]byte{}}
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return tb
		}
		if err != nil {
			t.Fatalf("reading %s: %v", p, err)
		}
		name := tarindex.CleanName(hdr.Name)
		tb.names = append(tb.names, name)
		if hdr.Typeflag == tar.TypeReg {
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			tb.files[name] = data
		}
	}
}

func hexOf(digest string) string { return strings.TrimPrefix(digest, "sha256:") }

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustIndentJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int               `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Platform    map[string]string `json:"platform,omitempty"`
}

func describe(mediaType string, data []byte) descriptor {
	return descriptor{MediaType: mediaType, Digest: ocidigest.SHA256(data), Size: len(data)}
}

type manifestDoc struct {
	SchemaVersion int          `json:"schemaVersion"`
	MediaType     string       `json:"mediaType"`
	Config        descriptor   `json:"config"`
	Layers        []descriptor `json:"layers"`
}

type indexDoc struct {
	SchemaVersion int          `json:"schemaVersion"`
	MediaType     string       `json:"mediaType"`
	Manifests     []descriptor `json:"manifests"`
}

// ociManifest returns the indented manifest, as Dagger writes it, of an
// image with the given config and gzip-compressed layers.
func ociManifest(t *testing.T, config []byte, layers [][]byte) []byte {
	t.Helper()
	m := manifestDoc{SchemaVersion: 2, MediaType: mediaTypeOCIManifest, Config: describe(mediaTypeOCIConfig, config)}
	for _, l := range layers {
		m.Layers = append(m.Layers, describe("application/vnd.oci.image.layer.v1.tar+gzip", l))
	}
	return mustIndentJSON(t, m)
}

// blobMembers returns the blob members for data, sorted by name as Dagger
// writes them.
func blobMembers(blobs ...[]byte) []tarMember {
	var members []tarMember
	seen := map[string]bool{}
	for _, b := range blobs {
		name := "blobs/sha256/" + hexOf(ocidigest.SHA256(b))
		if !seen[name] {
			members = append(members, fileMember(name, b))
			seen[name] = true
		}
	}
	sort.Slice(members, func(i, j int) bool { return members[i].name < members[j].name })
	return members
}

// daggerLayout returns the members of a tarball in the layout that Dagger
// v0.19.7's Container.AsTarball writes: an OCI image layout whose blobs are
// sorted by name, then a compact index.json, a compact manifest.json with
// RepoTags null, and oci-layout.
func daggerLayout(t *testing.T, config []byte, layers [][]byte) []tarMember {
	t.Helper()
	manifest := ociManifest(t, config, layers)
	manifestDesc := describe(mediaTypeOCIManifest, manifest)
	manifestDesc.Annotations = map[string]string{"org.opencontainers.image.created": "2026-12-04T21:11:17Z"}
	manifestDesc.Platform = map[string]string{"architecture": "amd64", "os": "linux"}
	index := mustJSON(t, indexDoc{SchemaVersion: 2, MediaType: mediaTypeOCIIndex, Manifests: []descriptor{manifestDesc}})

	var layerNames []string
	for _, l := range layers {
		layerNames = append(layerNames, "blobs/sha256/"+hexOf(ocidigest.SHA256(l)))
	}
	dockerManifest := mustJSON(t, []map[string]any{{
		"Config":   "blobs/sha256/" + hexOf(ocidigest.SHA256(config)),
		"RepoTags": nil,
		"Layers":   layerNames,
	}})

	members := []tarMember{dirMember("blobs/"), dirMember("blobs/sha256/")}
	members = append(members, blobMembers(append([][]byte{config, manifest}, layers...)...)...)
	return append(members,
		fileMember("index.json", index),
		fileMember("manifest.json", dockerManifest),
		fileMember("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)),
	)
}

// dockerSaveLayout returns the members of a tarball in the layout of
// docker save in Docker 20.10: the config as "<digest>.json", a directory
// for each layer with VERSION, json and an uncompressed layer.tar, then
// manifest.json and repositories.
func dockerSaveLayout(t *testing.T, config []byte, layers [][]byte, repoTag string) []tarMember {
	t.Helper()
	members := []tarMember{fileMember(hexOf(ocidigest.SHA256(config))+".json", config)}
	var layerPaths []string
	var topID string
	for i, l := range layers {
		// Docker derives the layer IDs from the chain; any unique hex does.
		topID = hexOf(ocidigest.SHA256([]byte(fmt.Sprintf("layer %d %x", i, l))))
		members = append(members,
			dirMember(topID+"/"),
			fileMember(topID+"/VERSION", []byte("1.0")),
			fileMember(topID+"/json", []byte(`{"id":"`+topID+`"}`)),
			fileMember(topID+"/layer.tar", l),
		)
		layerPaths = append(layerPaths, topID+"/layer.tar")
	}
	repo, tag, _ := strings.Cut(repoTag, ":")
	dockerManifest := mustJSON(t, []map[string]any{{
		"Config":   hexOf(ocidigest.SHA256(config)) + ".json",
		"RepoTags": []string{repoTag},
		"Layers":   layerPaths,
	}})
	return append(members,
		fileMember("manifest.json", dockerManifest),
		fileMember("repositories", mustJSON(t, map[string]map[string]string{repo: {tag: topID}})),
	)
}

// nestedIndexLayout returns an OCI image layout in which index.json lists
// an image index, as in docker save of Docker 25 and later. The index has
// the amd64 image, an arm64 image whose blobs are not in the tarball, and a
// BuildKit attestation manifest for the amd64 image.
func nestedIndexLayout(t *testing.T, config []byte, layers [][]byte) []tarMember {
	t.Helper()
	manifest := ociManifest(t, config, layers)
	amd64 := describe(mediaTypeOCIManifest, manifest)
	amd64.Platform = map[string]string{"architecture": "amd64", "os": "linux"}
	arm64 := descriptor{
		MediaType: mediaTypeOCIManifest,
		Digest:    ocidigest.SHA256([]byte("arm64 manifest that was not pulled")),
		Size:      1234,
		Platform:  map[string]string{"architecture": "arm64", "os": "linux"},
	}

	attestationConfig := []byte(`{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":[]}}`)
	statement := []byte(`{"_type":"https://in-toto.io/Statement/v0.1"}`)
	attestationManifest := mustIndentJSON(t, manifestDoc{
		SchemaVersion: 2,
		MediaType:     mediaTypeOCIManifest,
		Config:        describe(mediaTypeOCIConfig, attestationConfig),
		Layers:        []descriptor{describe("application/vnd.in-toto+json", statement)},
	})
	attestation := describe(mediaTypeOCIManifest, attestationManifest)
	attestation.Annotations = map[string]string{
		annotationReferenceDigest: amd64.Digest,
		annotationReferenceType:   referenceTypeAttestation,
	}
	attestation.Platform = map[string]string{"architecture": "unknown", "os": "unknown"}

	imageIndex := mustJSON(t, indexDoc{SchemaVersion: 2, MediaType: mediaTypeOCIIndex, Manifests: []descriptor{amd64, arm64, attestation}})
	top := describe(mediaTypeOCIIndex, imageIndex)
	top.Annotations = map[string]string{
		"io.containerd.image.name":          "docker.io/library/app:1",
		"org.opencontainers.image.ref.name": "1",
	}
	index := append(mustIndentJSON(t, indexDoc{SchemaVersion: 2, MediaType: mediaTypeOCIIndex, Manifests: []descriptor{top}}), '\n')

	members := []tarMember{dirMember("blobs/"), dirMember("blobs/sha256/")}
	members = append(members, blobMembers(append([][]byte{config, manifest, imageIndex, attestationConfig, statement, attestationManifest}, layers...)...)...)
	return append(members,
		fileMember("index.json", index),
		fileMember("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)),
	)
}

// checkedImage is an image that checkLayout found in a tarball.
type checkedImage struct {
	configName string
	config     []byte
}

// checkLayout checks that every digest and size in the tarball matches
// the data it describes, and returns the images that index.json and
// manifest.json list, in that order. missing is the number of manifest
// descriptors whose blob may be absent.
func checkLayout(t *testing.T, tb tarball, missing int) []checkedImage {
	t.Helper()

	// Content-addressed names match their data.
	for name, data := range tb.files {
		if want := digestFromName(name); want != "" {
			if got := ocidigest.SHA256(data); got != want {
				t.Errorf("member %q has digest %s", name, got)
			}
		}
	}
	seen := map[string]bool{}
	for _, name := range tb.names {
		if seen[name] {
			t.Errorf("member %q appears twice", name)
		}
		seen[name] = true
	}

	checkBlob := func(d descriptor) ([]byte, bool) {
		t.Helper()
		name, err := blobName(d.Digest)
		if err != nil {
			t.Errorf("descriptor %+v: %v", d, err)
			return nil, false
		}
		data, ok := tb.files[name]
		if !ok {
			return nil, false
		}
		if len(data) != d.Size {
			t.Errorf("descriptor of %s has size %d, but the blob has %d bytes", d.Digest, d.Size, len(data))
		}
		return data, true
	}

	var images []checkedImage
	absent := 0
	var walk func(data []byte)
	walk = func(data []byte) {
		t.Helper()
		var index indexDoc
		if err := json.Unmarshal(data, &index); err != nil {
			t.Fatalf("decoding index: %v", err)
		}
		for _, d := range index.Manifests {
			blob, ok := checkBlob(d)
			if !ok {
				absent++
				continue
			}
			if d.MediaType == mediaTypeOCIIndex {
				walk(blob)
				continue
			}
			var m manifestDoc
			if err := json.Unmarshal(blob, &m); err != nil {
				t.Fatalf("decoding manifest %s: %v", d.Digest, err)
			}
			config, ok := checkBlob(m.Config)
			if !ok {
				t.Errorf("config %s of manifest %s is not in the tarball", m.Config.Digest, d.Digest)
			}
			for _, l := range m.Layers {
				if _, ok := checkBlob(l); !ok {
					t.Errorf("layer %s of manifest %s is not in the tarball", l.Digest, d.Digest)
				}
			}
			if d.Annotations[annotationReferenceType] == referenceTypeAttestation {
				if _, ok := tb.files["blobs/sha256/"+hexOf(d.Annotations[annotationReferenceDigest])]; !ok {
					t.Errorf("attestation refers to manifest %s, which is not in the tarball", d.Annotations[annotationReferenceDigest])
				}
				continue
			}
			images = append(images, checkedImage{configName: "blobs/sha256/" + hexOf(m.Config.Digest), config: config})
		}
	}
	if data, ok := tb.files["index.json"]; ok {
		walk(data)
	}
	if absent != missing {
		t.Errorf("%d manifest descriptors have no blob in the tarball, want %d", absent, missing)
	}

	if data, ok := tb.files["manifest.json"]; ok {
		var list []struct {
			Config string
			Layers []string
		}
		if err := json.Unmarshal(data, &list); err != nil {
			t.Fatalf("decoding manifest.json: %v", err)
		}
		for _, image := range list {
			config, ok := tb.files[tarindex.CleanName(image.Config)]
			if !ok {
				t.Errorf("manifest.json names config %q, which is not in the tarball", image.Config)
			}
			for _, l := range image.Layers {
				if _, ok := tb.files[tarindex.CleanName(l)]; !ok {
					t.Errorf("manifest.json names layer %q, which is not in the tarball", l)
				}
			}
			images = append(images, checkedImage{configName: tarindex.CleanName(image.Config), config: config})
		}
	}
	return images
}

// The configs of the test images. Their members are in no sorted order and
// some values have spaces, so that a rewrite that re-encodes them changes
// their bytes.
const (
	daggerConfig = `{"architecture":"amd64","config":{"User":"1000","Env":["PATH=/usr/bin"],"Cmd":["serve"],"Labels":{"a":"b \u003c c"},"ArgsEscaped":true},"created":"2026-12-04T21:11:16Z","history":[{"created_by":"RUN true","comment":"buildkit.exporter.image.v0"}],"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:1ed3dbba853612ff1ea31601aa8acd5ccac249a4311758c2bcc9d99f76218121"]}}`

	unknownFieldsConfig = `{"rootfs":{"type":"layers","diff_ids":[]},"architecture":"arm64","variant":"v8","moby.buildkit.buildinfo.v1":"e30=","config":{"Shell":["/bin/bash","-c"],"OnBuild":["RUN make"],"Future":{ "nested" : [1, 2] },"Healthcheck":{"Test":["CMD","old"]}},"os":"linux","x-vendor":{ "keep" : "spacing" }}`

	noRuntimeConfig = `{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`
)

// wantHealthcheck is the JSON that Docker writes for testHealthcheck.
const wantHealthcheck = `{"Test":["CMD","/usr/local/bin/app","healthcheck"],"Interval":30000000000,"Timeout":5000000000,"StartPeriod":10000000000,"Retries":3}`

var testHealthcheck = &dockerfile.Healthcheck{
	Test:        []string{"CMD", "/usr/local/bin/app", "healthcheck"},
	Interval:    30 * time.Second,
	Timeout:     5 * time.Second,
	StartPeriod: 10 * time.Second,
	Retries:     3,
}

func TestSetHealthcheck(t *testing.T) {
	layer1 := tartest.Gzip(t, []byte("layer one, gzip-compressed as Dagger stores it"))
	layer2 := tartest.Gzip(t, []byte("layer two"))
	plainLayer := []byte("an uncompressed layer.tar as docker save writes it")

	tests := []struct {
		name        string
		members     []tarMember
		healthcheck *dockerfile.Healthcheck
		// wantConfig is the exact image config expected in the output.
		wantConfig string
		// wantImages is the number of images that checkLayout finds: an
		// image listed in both index.json and manifest.json counts twice.
		wantImages int
		// missing is the number of manifests that the tarball lacks.
		missing int
	}{
		{
			name:        "dagger layout",
			members:     daggerLayout(t, []byte(daggerConfig), [][]byte{layer1, layer2}),
			healthcheck: testHealthcheck,
			wantConfig:  strings.Replace(daggerConfig, `"ArgsEscaped":true}`, `"ArgsEscaped":true,"Healthcheck":`+wantHealthcheck+`}`, 1),
			wantImages:  2,
		},
		{
			name:        "docker save layout",
			members:     dockerSaveLayout(t, []byte(daggerConfig), [][]byte{plainLayer}, "app:1"),
			healthcheck: testHealthcheck,
			wantConfig:  strings.Replace(daggerConfig, `"ArgsEscaped":true}`, `"ArgsEscaped":true,"Healthcheck":`+wantHealthcheck+`}`, 1),
			wantImages:  1,
		},
		{
			name:        "nested index with attestation and absent platform",
			members:     nestedIndexLayout(t, []byte(daggerConfig), [][]byte{layer1}),
			healthcheck: testHealthcheck,
			wantConfig:  strings.Replace(daggerConfig, `"ArgsEscaped":true}`, `"ArgsEscaped":true,"Healthcheck":`+wantHealthcheck+`}`, 1),
			wantImages:  1,
			missing:     1,
		},
		{
			name:        "unknown fields survive and the old healthcheck is replaced in place",
			members:     daggerLayout(t, []byte(unknownFieldsConfig), [][]byte{layer1}),
			healthcheck: testHealthcheck,
			wantConfig:  strings.Replace(unknownFieldsConfig, `{"Test":["CMD","old"]}`, wantHealthcheck, 1),
			wantImages:  2,
		},
		{
			name:        "healthcheck none",
			members:     dockerSaveLayout(t, []byte(daggerConfig), [][]byte{plainLayer}, "app:1"),
			healthcheck: &dockerfile.Healthcheck{Test: []string{"NONE"}},
			wantConfig:  strings.Replace(daggerConfig, `"ArgsEscaped":true}`, `"ArgsEscaped":true,"Healthcheck":{"Test":["NONE"]}}`, 1),
			wantImages:  1,
		},
		{
			name:        "start interval and shell form",
			members:     daggerLayout(t, []byte(daggerConfig), [][]byte{layer1}),
			healthcheck: &dockerfile.Healthcheck{Test: []string{"CMD-SHELL", "curl -f http://localhost/ > /dev/null"}, StartInterval: 2 * time.Second},
			wantConfig:  strings.Replace(daggerConfig, `"ArgsEscaped":true}`, `"ArgsEscaped":true,"Healthcheck":{"Test":["CMD-SHELL","curl -f http://localhost/ \u003e /dev/null"],"StartInterval":2000000000}}`, 1),
			wantImages:  2,
		},
		{
			name:        "config without runtime settings",
			members:     daggerLayout(t, []byte(noRuntimeConfig), [][]byte{layer1}),
			healthcheck: testHealthcheck,
			wantConfig:  strings.Replace(noRuntimeConfig, `[]}}`, `[]},"config":{"Healthcheck":`+wantHealthcheck+`}}`, 1),
			wantImages:  2,
		},
		{
			name:        "nil removes the healthcheck",
			members:     daggerLayout(t, []byte(unknownFieldsConfig), [][]byte{layer1}),
			healthcheck: nil,
			wantConfig:  strings.Replace(unknownFieldsConfig, `,"Healthcheck":{"Test":["CMD","old"]}`, "", 1),
			wantImages:  2,
		},
		{
			name:        "nil without healthcheck changes nothing",
			members:     daggerLayout(t, []byte(daggerConfig), [][]byte{layer1}),
			healthcheck: nil,
			wantConfig:  daggerConfig,
			wantImages:  2,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := writeTarball(t, tt.members)
			dst := filepath.Join(t.TempDir(), "out.tar")
			if err := SetHealthcheck(src, dst, tt.healthcheck); err != nil {
				t.Fatalf("SetHealthcheck: %v", err)
			}
			in, out := readTarball(t, src), readTarball(t, dst)

			images := checkLayout(t, out, tt.missing)
			if len(images) != tt.wantImages {
				t.Fatalf("found %d images in the output, want %d", len(images), tt.wantImages)
			}
			for _, image := range images {
				if string(image.config) != tt.wantConfig {
					t.Errorf("config %s is\n%s\nwant\n%s", image.configName, image.config, tt.wantConfig)
				}
			}

			checkPreserved(t, in, out, images[0].configName)
		})
	}
}

// checkPreserved checks that out has the members of in in the same order,
// with the same data, except for the documents that a new config changes:
// the config, the manifests and indexes above it, index.json and
// manifest.json.
func checkPreserved(t *testing.T, in, out tarball, newConfigName string) {
	t.Helper()
	if len(out.names) != len(in.names) {
		t.Errorf("output has %d members, input %d:\n%q\n%q", len(out.names), len(in.names), out.names, in.names)
		return
	}
	for i, name := range in.names {
		data, isFile := in.files[name]
		if !isFile {
			if out.names[i] != name {
				t.Errorf("member %d is %q, want directory %q", i, out.names[i], name)
			}
			continue
		}
		if isMetadata(data) {
			continue
		}
		if out.names[i] != name {
			t.Errorf("member %d is %q, want %q", i, out.names[i], name)
		}
		if !bytes.Equal(out.files[name], data) {
			t.Errorf("member %q changed", name)
		}
	}
	if _, ok := out.files[newConfigName]; !ok {
		t.Errorf("new config %q is not in the output", newConfigName)
	}
}

// isMetadata reports whether data is a JSON document that a rewrite may
// change: an image config, manifest or index.
func isMetadata(data []byte) bool {
	var doc map[string]json.RawMessage
	if json.Unmarshal(data, &doc) == nil {
		_, hasRootfs := doc["rootfs"]
		_, hasManifests := doc["manifests"]
		_, hasConfig := doc["config"]
		return hasRootfs || hasManifests || hasConfig
	}
	var list []map[string]json.RawMessage
	return json.Unmarshal(data, &list) == nil
}

func TestSetHealthcheckRemovesOldBlobs(t *testing.T) {
	layer := tartest.Gzip(t, []byte("layer"))
	members := daggerLayout(t, []byte(daggerConfig), [][]byte{layer})
	src := writeTarball(t, members)
	dst := filepath.Join(t.TempDir(), "out.tar")
	if err := SetHealthcheck(src, dst, testHealthcheck); err != nil {
		t.Fatalf("SetHealthcheck: %v", err)
	}
	out := readTarball(t, dst)

	oldConfig := "blobs/sha256/" + hexOf(ocidigest.SHA256([]byte(daggerConfig)))
	oldManifest := "blobs/sha256/" + hexOf(ocidigest.SHA256(ociManifest(t, []byte(daggerConfig), [][]byte{layer})))
	for _, name := range []string{oldConfig, oldManifest} {
		if _, ok := out.files[name]; ok {
			t.Errorf("output still has the old blob %q", name)
		}
	}
	layerName := "blobs/sha256/" + hexOf(ocidigest.SHA256(layer))
	if !bytes.Equal(out.files[layerName], layer) {
		t.Errorf("layer %q is missing or changed", layerName)
	}
}

func TestSetHealthcheckInPlace(t *testing.T) {
	src := writeTarball(t, dockerSaveLayout(t, []byte(daggerConfig), [][]byte{[]byte("layer")}, "app:1"))
	if err := SetHealthcheck(src, src, testHealthcheck); err != nil {
		t.Fatalf("SetHealthcheck: %v", err)
	}
	images := checkLayout(t, readTarball(t, src), 0)
	if len(images) != 1 {
		t.Fatalf("rewritten tarball has %d images, want 1", len(images))
	}
	if !strings.Contains(string(images[0].config), wantHealthcheck) {
		t.Errorf("config is %s, want one with the health check %s", images[0].config, wantHealthcheck)
	}

	leftovers, err := filepath.Glob(filepath.Join(filepath.Dir(src), ".*.tmp"))
	if err != nil {
		t.Fatal(err)
	}
	if len(leftovers) != 0 {
		t.Errorf("temporary files are left: %q", leftovers)
	}
}

func TestSetHealthcheckIdempotent(t *testing.T) {
	src := writeTarball(t, daggerLayout(t, []byte(daggerConfig), [][]byte{tartest.Gzip(t, []byte("layer"))}))
	first := filepath.Join(t.TempDir(), "first.tar")
	second := filepath.Join(t.TempDir(), "second.tar")
	if err := SetHealthcheck(src, first, testHealthcheck); err != nil {
		t.Fatal(err)
	}
	if err := SetHealthcheck(first, second, testHealthcheck); err != nil {
		t.Fatal(err)
	}
	a, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(second)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("setting the same health check twice changed the tarball")
	}
}

func TestMutateConfigMultipleImages(t *testing.T) {
	configA := []byte(`{"architecture":"amd64","os":"linux","config":{"Cmd":["a"]},"rootfs":{"type":"layers","diff_ids":[]}}`)
	configB := []byte(`{"architecture":"amd64","os":"linux","config":{"Cmd":["b"]},"rootfs":{"type":"layers","diff_ids":[]}}`)
	layer := []byte("shared layer")
	a := dockerSaveLayout(t, configA, [][]byte{layer}, "a:1")
	b := dockerSaveLayout(t, configB, [][]byte{layer}, "b:1")

	// One docker save of two images: both configs, the layer once, and a
	// manifest.json that lists both images.
	var images []json.RawMessage
	for _, list := range [][]tarMember{a, b} {
		var entries []json.RawMessage
		if err := json.Unmarshal(list[len(list)-2].data, &entries); err != nil {
			t.Fatal(err)
		}
		images = append(images, entries...)
	}
	members := append([]tarMember{b[0]}, a[:len(a)-2]...)
	members = append(members, fileMember("manifest.json", mustJSON(t, images)))
	src := writeTarball(t, members)

	calls := 0
	dst := filepath.Join(t.TempDir(), "out.tar")
	err := MutateConfig(src, dst, func(config *Object) error {
		calls++
		return config.Set("x-touched", true)
	})
	if err != nil {
		t.Fatalf("MutateConfig: %v", err)
	}
	if calls != 2 {
		t.Errorf("mutate ran %d times, want 2", calls)
	}
	for _, image := range checkLayout(t, readTarball(t, dst), 0) {
		if !strings.HasSuffix(string(image.config), `,"x-touched":true}`) {
			t.Errorf("config %s is %s, want x-touched at the end", image.configName, image.config)
		}
	}
}

func TestMutateConfigErrors(t *testing.T) {
	layer := tartest.Gzip(t, []byte("layer"))
	corrupt := daggerLayout(t, []byte(daggerConfig), [][]byte{layer})
	for i, m := range corrupt {
		if m.name == "blobs/sha256/"+hexOf(ocidigest.SHA256([]byte(daggerConfig))) {
			corrupt[i].data = []byte(strings.Replace(daggerConfig, "amd64", "arm64", 1))
		}
	}
	notObject := dockerSaveLayout(t, []byte(`["not","an","object"]`), [][]byte{layer}, "app:1")

	tests := []struct {
		name     string
		members  []tarMember
		mutate   func(*Object) error
		contains []string
	}{
		{
			name:     "no index or manifest",
			members:  []tarMember{fileMember("hello.txt", []byte("hi"))},
			contains: []string{"no index.json or manifest.json"},
		},
		{
			name:     "config digest mismatch",
			members:  corrupt,
			contains: []string{"has digest", "not the"},
		},
		{
			name:     "config is no object",
			members:  notObject,
			contains: []string{"decoding image config", "not an object"},
		},
		{
			name:     "mutate fails",
			members:  daggerLayout(t, []byte(daggerConfig), [][]byte{layer}),
			mutate:   func(*Object) error { return errors.New("mutation rejected") },
			contains: []string{"changing image config", "mutation rejected"},
		},
		{
			name: "no image manifest",
			members: []tarMember{
				fileMember("index.json", []byte(`{"schemaVersion":2,"manifests":[]}`)),
				fileMember("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)),
			},
			contains: []string{"no image config found"},
		},
		{
			name: "config member missing",
			members: []tarMember{
				fileMember("manifest.json", []byte(`[{"Config":"missing.json","RepoTags":null,"Layers":[]}]`)),
			},
			contains: []string{`"missing.json"`, "file does not exist"},
		},
		{
			name: "manifest.json is no list",
			members: []tarMember{
				fileMember("manifest.json", []byte(`{"Config":"x.json"}`)),
			},
			contains: []string{"manifest.json", "decoding the image list"},
		},
		{
			name: "file appears twice",
			members: []tarMember{
				fileMember("manifest.json", []byte(`[]`)),
				fileMember("manifest.json", []byte(`[]`)),
			},
			contains: []string{`"manifest.json" appears twice`},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := writeTarball(t, tt.members)
			dst := filepath.Join(t.TempDir(), "out.tar")
			mutate := tt.mutate
			if mutate == nil {
				mutate = func(*Object) error { return nil }
			}
			err := MutateConfig(src, dst, mutate)
			if err == nil {
				t.Fatal("MutateConfig succeeded, want an error")
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if !strings.Contains(err.Error(), src) {
				t.Errorf("error %q does not name the tarball %q", err, src)
			}
			if _, statErr := os.Stat(dst); !errors.Is(statErr, os.ErrNotExist) {
				t.Errorf("failed MutateConfig left %q: %v", dst, statErr)
			}
			if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dst), ".*.tmp")); len(leftovers) != 0 {
				t.Errorf("temporary files are left: %q", leftovers)
			}
		})
	}
}

func TestMutateConfigNotTarball(t *testing.T) {
	src := filepath.Join(t.TempDir(), "image.tar")
	if err := os.WriteFile(src, bytes.Repeat([]byte("not a tar "), 100), 0o600); err != nil {
		t.Fatal(err)
	}
	err := MutateConfig(src, src+".out", func(*Object) error { return nil })
	if err == nil {
		t.Fatal("MutateConfig succeeded on a file that is not a tarball")
	}
	if !strings.Contains(err.Error(), "reading tar header") {
		t.Errorf("error %q does not say that the tar header is invalid", err)
	}
}

func TestSetHealthcheckEmptyTest(t *testing.T) {
	src := writeTarball(t, daggerLayout(t, []byte(daggerConfig), nil))
	err := SetHealthcheck(src, filepath.Join(t.TempDir(), "out.tar"), &dockerfile.Healthcheck{Interval: time.Second})
	if err == nil || !strings.Contains(err.Error(), "Test is empty") {
		t.Errorf("SetHealthcheck with an empty Test: error %v, want one that names the empty Test", err)
	}
}

func TestDigestFromName(t *testing.T) {
	hex := strings.Repeat("ab", 32)
	tests := []struct {
		name string
		want string
	}{
		{name: "blobs/sha256/" + hex, want: "sha256:" + hex},
		{name: "./blobs/sha256/" + hex, want: "sha256:" + hex},
		{name: hex + ".json", want: "sha256:" + hex},
		{name: hex + "/layer.tar", want: ""},
		{name: hex, want: ""},
		{name: "blobs/sha256/" + strings.ToUpper(hex), want: ""},
		{name: "manifest.json", want: ""},
	}
	for _, tt := range tests {
		t.Run(path.Base(tt.name), func(t *testing.T) {
			if got := digestFromName(tt.name); got != tt.want {
				t.Errorf("digestFromName(%q) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

func TestMutateConfigKeepsPermissions(t *testing.T) {
	src := writeTarball(t, daggerLayout(t, []byte(daggerConfig), nil))
	if err := os.Chmod(src, 0o640); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "out.tar")
	if err := SetHealthcheck(src, dst, testHealthcheck); err != nil {
		t.Fatalf("SetHealthcheck: %v", err)
	}
	info, err := os.Stat(dst)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != 0o640 {
		t.Errorf("output has permissions %v, want -rw-r----- as the input", got)
	}
}
