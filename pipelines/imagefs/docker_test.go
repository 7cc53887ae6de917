package imagefs

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// dockerBaseImages are the local Debian images that the docker save test
// builds on, in order of preference. The first is the one the project's
// toolchain imports with debootstrap.
var dockerBaseImages = []string{"atlasia-airgap/debian:bookworm", "debian:bookworm"}

// TestReadTarballDockerSave builds an image with the local Docker daemon,
// saves it with `docker save` and reads it back. It is skipped when no Docker
// daemon or no Debian base image is available, because the build pulls
// nothing.
func TestReadTarballDockerSave(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: builds an image with Docker")
	}
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("skipped: the docker CLI is not installed")
	}
	if out, err := exec.Command(docker, "version", "--format", "{{.Server.Version}}").CombinedOutput(); err != nil {
		t.Skipf("skipped: the Docker daemon is not reachable: %v: %s", err, out)
	}
	base := ""
	for _, name := range dockerBaseImages {
		if exec.Command(docker, "image", "inspect", name).Run() == nil {
			base = name
			break
		}
	}
	if base == "" {
		t.Skipf("skipped: none of %v is present locally, and the test pulls nothing", dockerBaseImages)
	}

	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(docker, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}

	contextDir := t.TempDir()
	dockerfile := fmt.Sprintf(`FROM %s
RUN rm /usr/bin/su && mkdir -m 1777 /scratch \
 && echo 'appuser:x:1000:1000::/app:/usr/sbin/nologin' >> /etc/passwd
USER 1000:1000
HEALTHCHECK --interval=15s CMD ["/usr/bin/true"]
`, base)
	if err := os.WriteFile(filepath.Join(contextDir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	tag := fmt.Sprintf("atlasia-imagefs-test:%d-%d", os.Getpid(), time.Now().UnixNano())
	run("build", "--network", "none", "--tag", tag, contextDir)
	t.Cleanup(func() {
		if out, err := exec.Command(docker, "image", "rm", "--force", tag).CombinedOutput(); err != nil {
			t.Logf("removing test image %s: %v: %s", tag, err, out)
		}
	})
	tarball := filepath.Join(t.TempDir(), "image.tar")
	run("save", "--output", tarball, tag)

	img, err := ReadTarball(tarball, WithContents(func(p string) bool { return p == "/etc/passwd" }))
	if err != nil {
		t.Fatalf("ReadTarball: %v", err)
	}

	if id := run("image", "inspect", "--format", "{{.Id}}", tag); img.ConfigDigest() != id {
		t.Errorf("ConfigDigest() = %s, want the image ID %s", img.ConfigDigest(), id)
	}
	layerCount := run("image", "inspect", "--format", "{{len .RootFS.Layers}}", tag)
	if fmt.Sprint(len(img.Layers())) != layerCount {
		t.Errorf("Layers() has %d layers, docker image inspect lists %s", len(img.Layers()), layerCount)
	}
	if img.Config().User != "1000:1000" {
		t.Errorf("User = %q, want 1000:1000", img.Config().User)
	}
	if hc := img.Config().Healthcheck; hc == nil || hc.Interval != 15*time.Second {
		t.Errorf("Healthcheck = %+v, want an interval of 15s", hc)
	}

	if e, ok := img.Lstat("/usr/bin/su"); ok {
		t.Errorf("Lstat(/usr/bin/su) = %+v, want it deleted by the RUN layer", e)
	}
	removed := img.PathsInAnyLayer(func(p string) bool { return p == "/usr/bin/su" })
	if len(removed) != 1 || !removed[0].Removed || removed[0].Mode&fs.ModeSetuid == 0 {
		t.Errorf("PathsInAnyLayer(/usr/bin/su) = %+v, want one removed setuid entry", removed)
	}
	if e, ok := img.Lstat("/scratch"); !ok || e.Type != TypeDir || e.Mode != 0o777|fs.ModeSticky {
		t.Errorf("Lstat(/scratch) = %+v, %v; want a sticky directory with mode 1777", e, ok)
	}
	if e, ok := img.Lstat("/bin/sh"); !ok || e.Type != TypeSymlink {
		t.Errorf("Lstat(/bin/sh) = %+v, %v; want the dash symlink reached through /bin", e, ok)
	}
	if data, ok := img.File("/etc/passwd"); !ok || !strings.Contains(string(data), "appuser:x:1000:1000") {
		t.Errorf("File(/etc/passwd) = %q, %v; want the line the RUN step appended", data, ok)
	}
}
