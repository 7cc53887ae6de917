package audit

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"encoding/json"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/atlasia-ai/supplychain/pipelines/imagefs"
)

// The images captured in testdata by internal/capture from `docker save`
// tarballs of the images built in this repository, before hardening.
const (
	orchestratorImage = "ai-orchestrator" // atlasia/ai-orchestrator:dev
	databaseImage     = "ai-db"           // atlasia/ai-db:dev
	frontendImage     = "frontend"        // atlasia/frontend:dev
	debianImage       = "debian-bookworm" // atlasia-airgap/debian:bookworm
)

// testImage is a captured image that a test can change before it builds the
// imagefs.Image.
type testImage struct {
	config   map[string]any
	files    map[string]imagefs.Entry
	contents map[string][]byte
}

// loadTestImage returns a copy of the image in testdata/name, which the
// caller may change. Each capture is decoded once per test binary.
func loadTestImage(t *testing.T, name string) *testImage {
	t.Helper()
	cached, ok := testImageCache[name]
	if !ok {
		cached = readTestImage(t, name)
		testImageCache[name] = cached
	}
	return cached.clone(t)
}

// testImageCache maps a capture's name to its decoded image. Tests that use
// it do not run in parallel.
var testImageCache = map[string]*testImage{}

// clone returns a deep copy of ti.
func (ti *testImage) clone(t *testing.T) *testImage {
	t.Helper()
	c := &testImage{files: maps.Clone(ti.files), contents: map[string][]byte{}}
	for p, data := range ti.contents {
		c.contents[p] = slices.Clip(data)
	}
	raw, err := json.Marshal(ti.config)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &c.config); err != nil {
		t.Fatal(err)
	}
	return c
}

// readTestImage decodes testdata/name.
func readTestImage(t *testing.T, name string) *testImage {
	t.Helper()
	dir := filepath.Join("testdata", name)
	img := &testImage{files: map[string]imagefs.Entry{}, contents: map[string][]byte{}}

	raw, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &img.config); err != nil {
		t.Fatalf("decoding %s config: %v", name, err)
	}

	readGzip(t, filepath.Join(dir, "files.jsonl.gz"), func(r io.Reader) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var e imagefs.Entry
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				t.Fatalf("decoding %s listing: %v", name, err)
			}
			img.files[e.Path] = e
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	})
	readGzip(t, filepath.Join(dir, "contents.tar.gz"), func(r io.Reader) {
		tr := tar.NewReader(r)
		for {
			hdr, err := tr.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			img.contents["/"+hdr.Name] = data
		}
	})
	return img
}

func readGzip(t *testing.T, name string, read func(io.Reader)) {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	read(zr)
}

// build returns the image as an imagefs.Image.
func (ti *testImage) build(t *testing.T) *imagefs.Image {
	t.Helper()
	raw, err := json.Marshal(ti.config)
	if err != nil {
		t.Fatal(err)
	}
	files := make([]imagefs.Entry, 0, len(ti.files))
	for _, e := range ti.files {
		files = append(files, e)
	}
	img, err := imagefs.NewImage(raw, files, ti.contents)
	if err != nil {
		t.Fatalf("NewImage: %v", err)
	}
	return img
}

// runtimeConfig returns the "config" object of the image configuration.
func (ti *testImage) runtimeConfig() map[string]any {
	c, ok := ti.config["config"].(map[string]any)
	if !ok {
		c = map[string]any{}
		ti.config["config"] = c
	}
	return c
}

func (ti *testImage) setUser(user string) {
	ti.runtimeConfig()["User"] = user
}

func (ti *testImage) addEnv(kv ...string) {
	c := ti.runtimeConfig()
	env, _ := c["Env"].([]any)
	for _, s := range kv {
		env = append(env, s)
	}
	c["Env"] = env
}

func (ti *testImage) addLabel(name, value string) {
	c := ti.runtimeConfig()
	labels, _ := c["Labels"].(map[string]any)
	if labels == nil {
		labels = map[string]any{}
	}
	labels[name] = value
	c["Labels"] = labels
}

// addFile adds a regular file, or replaces the entry at its path.
func (ti *testImage) addFile(path string, unixMode uint32, contents string) {
	ti.files[path] = imagefs.Entry{
		Path: path,
		Type: imagefs.TypeRegular,
		Mode: imagefs.FileModeFromUnix(unixMode),
		Size: int64(len(contents)),
	}
	ti.contents[path] = []byte(contents)
}

func (ti *testImage) addEntry(e imagefs.Entry) {
	ti.files[e.Path] = e
}

// remove deletes the entries whose path match accepts, as rm -rf does.
func (ti *testImage) remove(match func(path string) bool) {
	for p := range ti.files {
		if match(p) {
			delete(ti.files, p)
			delete(ti.contents, p)
		}
	}
}

// chmod replaces the mode bits of the entry at path.
func (ti *testImage) chmod(t *testing.T, path string, unixMode uint32) {
	t.Helper()
	e, ok := ti.files[path]
	if !ok {
		t.Fatalf("chmod: no entry at %q", path)
	}
	e.Mode = imagefs.FileModeFromUnix(unixMode)
	ti.files[path] = e
}

// removeStatusEntries deletes the stanzas of the packages from
// /var/lib/dpkg/status and leaves every other file alone.
func (ti *testImage) removeStatusEntries(t *testing.T, packages ...string) {
	t.Helper()
	status := string(ti.contents[dpkgStatusPath])
	drop := map[string]bool{}
	for _, p := range packages {
		drop[p] = true
	}
	var kept []string
	for _, stanza := range strings.Split(strings.TrimSpace(status), "\n\n") {
		name := ""
		for _, line := range strings.Split(stanza, "\n") {
			if v, ok := strings.CutPrefix(line, "Package: "); ok {
				name = v
			}
		}
		if !drop[name] {
			kept = append(kept, stanza)
		}
		delete(drop, name)
	}
	if len(drop) > 0 {
		t.Fatalf("removeStatusEntries: packages not in the status file: %v", drop)
	}
	ti.contents[dpkgStatusPath] = []byte(strings.Join(kept, "\n\n") + "\n")
}

// listedFiles returns the paths that the package's file list names.
func (ti *testImage) listedFiles(t *testing.T, pkg string) []string {
	t.Helper()
	for _, name := range []string{pkg + ":amd64.list", pkg + ".list"} {
		if data, ok := ti.contents[dpkgInfoDir+"/"+name]; ok {
			return listedPaths(string(data))
		}
	}
	t.Fatalf("no file list for package %q", pkg)
	return nil
}

// purge removes packages as `dpkg --purge` does: their files and symlinks,
// their directories once empty, their /var/lib/dpkg/info files and their
// status stanzas.
func (ti *testImage) purge(t *testing.T, packages ...string) {
	t.Helper()
	for _, pkg := range packages {
		var dirs []string
		for _, listed := range ti.listedFiles(t, pkg) {
			p := ti.resolveMergedUsr(listed)
			e, ok := ti.files[p]
			switch {
			case !ok:
			case e.Type == imagefs.TypeDir:
				dirs = append(dirs, p)
			case e.Type == imagefs.TypeSymlink && ti.resolveMergedUsr(p+"/x") != p+"/x":
				// A directory symlink of merged /usr, such as /sbin, which
				// dpkg treats as the directory it points to and keeps.
			default:
				ti.remove(func(q string) bool { return q == p })
			}
		}
		// Deepest directories first, so that a parent empties after its
		// children.
		sort.Slice(dirs, func(i, j int) bool { return len(dirs[i]) > len(dirs[j]) })
		for _, dir := range dirs {
			if !ti.hasChildren(dir) {
				ti.remove(func(q string) bool { return q == dir })
			}
		}
		ti.remove(func(p string) bool {
			name, ok := strings.CutPrefix(p, dpkgInfoDir+"/")
			return ok && (strings.HasPrefix(name, pkg+".") || strings.HasPrefix(name, pkg+":"))
		})
	}
	ti.removeStatusEntries(t, packages...)
}

// resolveMergedUsr returns p with a first component that is a symlink into
// /usr, such as /bin on Debian 12, replaced by its target.
func (ti *testImage) resolveMergedUsr(p string) string {
	first, rest, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if e, ok := ti.files["/"+first]; ok && e.Type == imagefs.TypeSymlink && rest != "" {
		return path.Join("/", e.Linkname, rest)
	}
	return p
}

func (ti *testImage) hasChildren(dir string) bool {
	for p := range ti.files {
		if strings.HasPrefix(p, dir+"/") {
			return true
		}
	}
	return false
}

// harden applies what the pipeline's hardening step is meant to do to a
// captured image: purge apt and dpkg and clear the setuid and setgid bits.
func (ti *testImage) harden(t *testing.T) {
	t.Helper()
	ti.purge(t, "apt", "dpkg")
	for p, e := range ti.files {
		if e.Type != imagefs.TypeDir {
			ti.chmod(t, p, imagefs.UnixMode(e.Mode)&0o777)
		}
	}
}
