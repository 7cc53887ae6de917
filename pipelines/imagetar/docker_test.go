package imagetar

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/atlasia-ai/supplychain/pipelines/internal/tarindex"
	"github.com/atlasia-ai/supplychain/pipelines/internal/tartest"
)

// dockerCLI runs the docker CLI for a test.
type dockerCLI struct {
	t    *testing.T
	path string
}

func (d dockerCLI) run(stdin []byte, args ...string) string {
	d.t.Helper()
	cmd := exec.Command(d.path, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		d.t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// loadedImagePattern matches the last line of `docker load`: "Loaded image:
// NAME:TAG" for a tagged image and "Loaded image ID: sha256:..." otherwise.
var loadedImagePattern = regexp.MustCompile(`Loaded image(?: ID)?: (\S+)\s*$`)

// TestSetHealthcheckDockerLoad loads tarballs that SetHealthcheck wrote into
// the local Docker daemon and reads the health check back with docker
// inspect. The image comes from docker import, so the test pulls nothing,
// and the test removes every image that it creates.
func TestSetHealthcheckDockerLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: loads images into the Docker daemon")
	}
	path, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("skipped: the docker CLI is not installed")
	}
	if out, err := exec.Command(path, "info").CombinedOutput(); err != nil {
		t.Skipf("skipped: `docker info` failed, so no Docker daemon is reachable: %v: %s", err, out)
	}
	docker := dockerCLI{t: t, path: path}

	var created []string
	t.Cleanup(func() {
		for _, id := range created {
			if out, err := exec.Command(path, "rmi", "--force", id).CombinedOutput(); err != nil {
				t.Logf("removing test image %s: %v: %s", id, err, out)
			}
		}
	})

	tag := fmt.Sprintf("atlasia-imagetar-test:%d", time.Now().UnixNano())
	docker.run(rootfsTar(t), "import",
		"--change", "ENV GREETING=hello",
		"--change", `CMD ["/hello"]`,
		"--change", "LABEL org.example.test=imagetar",
		"-", tag)
	created = append(created, docker.run(nil, "image", "inspect", "--format", "{{.Id}}", tag))

	dir := t.TempDir()
	saved := filepath.Join(dir, "saved.tar")
	docker.run(nil, "save", "--output", saved, tag)
	daggerStyle := writeTarball(t, daggerLayoutFromDockerSave(t, readTarball(t, saved)))

	tests := []struct {
		name string
		src  string
	}{
		{name: "docker save layout", src: saved},
		{name: "dagger layout", src: daggerStyle},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "out.tar")
			if err := SetHealthcheck(tt.src, dst, testHealthcheck); err != nil {
				t.Fatalf("SetHealthcheck: %v", err)
			}

			out := docker.run(nil, "load", "--input", dst)
			match := loadedImagePattern.FindStringSubmatch(out)
			if match == nil {
				t.Fatalf("docker load printed no image name or ID:\n%s", out)
			}
			ref := match[1]
			created = append(created, docker.run(nil, "image", "inspect", "--format", "{{.Id}}", ref))

			inspect := func(format string) string {
				return docker.run(nil, "image", "inspect", "--format", format, ref)
			}
			if got := inspect("{{json .Config.Healthcheck}}"); got != wantHealthcheck {
				t.Errorf("docker inspect shows Healthcheck %s, want %s", got, wantHealthcheck)
			}
			if got := inspect("{{json .Config.Cmd}}"); got != `["/hello"]` {
				t.Errorf("docker inspect shows Cmd %s, want [\"/hello\"]", got)
			}
			if got := inspect(`{{index .Config.Labels "org.example.test"}}`); got != "imagetar" {
				t.Errorf("docker inspect shows label org.example.test=%q, want imagetar", got)
			}
			if got := inspect("{{json .Config.Env}}"); !strings.Contains(got, `"GREETING=hello"`) {
				t.Errorf("docker inspect shows Env %s, want GREETING=hello in it", got)
			}
		})
	}
}

// rootfsTar returns a file system tarball with one executable, for docker
// import.
func rootfsTar(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	script := []byte("#!/bin/sh\necho hello\n")
	hdr := &tar.Header{Name: "hello", Mode: 0o755, Size: int64(len(script)), ModTime: time.Unix(0, 0)}
	if err := tw.WriteHeader(hdr); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(script); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// daggerLayoutFromDockerSave returns the image of a docker save tarball in
// the layout of Dagger's Container.AsTarball, with gzip-compressed layers.
func daggerLayoutFromDockerSave(t *testing.T, saved tarball) []tarMember {
	t.Helper()
	var list []struct {
		Config string
		Layers []string
	}
	if err := json.Unmarshal(saved.files["manifest.json"], &list); err != nil {
		t.Fatalf("decoding manifest.json of docker save: %v", err)
	}
	if len(list) != 1 {
		t.Fatalf("docker save wrote %d images, want 1", len(list))
	}
	var layers [][]byte
	for _, name := range list[0].Layers {
		layers = append(layers, tartest.Gzip(t, saved.files[tarindex.CleanName(name)]))
	}
	return daggerLayout(t, saved.files[tarindex.CleanName(list[0].Config)], layers)
}
