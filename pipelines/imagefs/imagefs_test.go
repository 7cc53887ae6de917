package imagefs

import (
	"archive/tar"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	basePasswd = "root:x:0:0:root:/root:/bin/sh\n"
	appPasswd  = basePasswd + "appuser:x:1000:1000::/app:/usr/sbin/nologin\n"
)

// testLayers returns three layers that exercise whiteouts, opaque
// directories, hardlinks, symlinks and replaced entries.
func testLayers(t *testing.T, compress func(*testing.T, ...tarFile) testLayer) []testLayer {
	base := compress(t,
		dir("./", 0o755),
		dir("etc/", 0o755),
		reg("etc/passwd", 0o644, basePasswd),
		reg("etc/leaked.key", 0o600, "secret"),
		dir("usr/", 0o755),
		dir("usr/bin/", 0o755),
		reg("usr/bin/su", 0o4755, "su-binary"),
		reg("usr/bin/perl", 0o755, "perl-binary"),
		hardlink("usr/bin/perl5.36", "usr/bin/perl"),
		symlink("bin", "usr/bin"),
		dir("opt/", 0o755),
		dir("opt/app/", 0o755),
		reg("opt/app/old1", 0o644, "1"),
		reg("opt/app/old2", 0o644, "2"),
		dir("var/", 0o755),
		dir("var/cache/", 0o755),
		dir("var/cache/junk/", 0o755),
		reg("var/cache/junk/a", 0o644, "a"),
		dir("srv/", 0o755),
		reg("srv/data", 0o644, "data"),
		dir("tmp/", 0o1777),
		dir("var/local/", 0o2775),
		symlink("loop-a", "loop-b"),
		symlink("loop-b", "loop-a"),
		tarFile{name: "dev-null", typeflag: tar.TypeChar, mode: 0o666},
	)
	upper := compress(t,
		reg("etc/.wh.leaked.key", 0o600, ""),
		reg("var/cache/.wh.junk", 0o600, ""),
		// An entry before the opaque marker of its own directory: the marker
		// hides only lower layers.
		reg("opt/app/new", 0o644, "new"),
		reg("opt/app/.wh..wh..opq", 0o600, ""),
		reg("usr/bin/su", 0o755, "su-binary"),
		reg("srv", 0o644, "srv is a file now"),
		dir(".wh..wh.plnk/", 0o700),
	)
	top := compress(t,
		reg("etc/passwd", 0o644, appPasswd),
	)
	return []testLayer{base, upper, top}
}

// wantFiles are the merged paths and types of testLayers.
var wantFiles = map[string]EntryType{
	"/bin":              TypeSymlink,
	"/dev-null":         TypeOther,
	"/etc":              TypeDir,
	"/etc/passwd":       TypeRegular,
	"/loop-a":           TypeSymlink,
	"/loop-b":           TypeSymlink,
	"/opt":              TypeDir,
	"/opt/app":          TypeDir,
	"/opt/app/new":      TypeRegular,
	"/srv":              TypeRegular,
	"/tmp":              TypeDir,
	"/usr":              TypeDir,
	"/usr/bin":          TypeDir,
	"/usr/bin/perl":     TypeRegular,
	"/usr/bin/perl5.36": TypeHardlink,
	"/usr/bin/su":       TypeRegular,
	"/var":              TypeDir,
	"/var/cache":        TypeDir,
	"/var/local":        TypeDir,
}

func keepEtcAndPerl(p string) bool {
	return strings.HasPrefix(p, "/etc/") || strings.HasPrefix(p, "/usr/bin/perl")
}

func readTestImage(t *testing.T, layout tarballLayout, compress func(*testing.T, ...tarFile) testLayer) *Image {
	t.Helper()
	layers := testLayers(t, compress)
	name := writeTarball(t, layout, testConfig(t, "1000:1000", layers), layers)
	img, err := ReadTarball(name, WithContents(keepEtcAndPerl))
	if err != nil {
		t.Fatalf("ReadTarball: %v", err)
	}
	return img
}

func TestReadTarballLayouts(t *testing.T) {
	tests := []struct {
		name       string
		layout     tarballLayout
		compress   func(*testing.T, ...tarFile) testLayer
		wantDigest bool
	}{
		{"legacy docker save, plain layers", legacyDockerSave, plainLayer, false},
		{"legacy docker save, gzip layers", legacyDockerSave, gzipLayer, false},
		{"OCI layout with manifest.json, gzip layers", ociWithManifest, gzipLayer, true},
		{"OCI layout with manifest.json, plain layers", ociWithManifest, plainLayer, true},
		{"OCI layout only, gzip layers", ociOnly, gzipLayer, true},
		{"OCI layout only, plain layers", ociOnly, plainLayer, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layers := testLayers(t, tt.compress)
			config := testConfig(t, "1000:1000", layers)
			img, err := ReadTarball(writeTarball(t, tt.layout, config, layers), WithContents(keepEtcAndPerl))
			if err != nil {
				t.Fatalf("ReadTarball: %v", err)
			}

			got := map[string]EntryType{}
			for _, e := range img.Files() {
				got[e.Path] = e.Type
			}
			if !reflect.DeepEqual(got, wantFiles) {
				t.Errorf("Files() = %v, want %v", got, wantFiles)
			}
			if img.ConfigDigest() != digestOf(config) {
				t.Errorf("ConfigDigest() = %s, want %s", img.ConfigDigest(), digestOf(config))
			}
			if len(img.Layers()) != len(layers) {
				t.Fatalf("Layers() has %d layers, want %d", len(img.Layers()), len(layers))
			}
			for i, l := range img.Layers() {
				if l.DiffID != digestOf(layers[i].tar) {
					t.Errorf("layer %d DiffID = %s, want %s", i, l.DiffID, digestOf(layers[i].tar))
				}
				wantDigest := ""
				if tt.wantDigest {
					wantDigest = digestOf(layers[i].blob)
				}
				if l.Digest != wantDigest {
					t.Errorf("layer %d Digest = %q, want %q", i, l.Digest, wantDigest)
				}
			}
			if data, ok := img.File("/etc/passwd"); !ok || string(data) != appPasswd {
				t.Errorf("File(/etc/passwd) = %q, %v; want the top layer's passwd", data, ok)
			}
		})
	}
}

func TestReadTarballConfig(t *testing.T) {
	img := readTestImage(t, ociWithManifest, gzipLayer)
	cfg := img.Config()

	if cfg.User != "1000:1000" {
		t.Errorf("User = %q, want %q", cfg.User, "1000:1000")
	}
	if v, ok := cfg.Getenv("LOG_DIR"); !ok || v != "/app/logs" {
		t.Errorf("Getenv(LOG_DIR) = %q, %v; want /app/logs, true", v, ok)
	}
	if _, ok := cfg.Getenv("MISSING"); ok {
		t.Errorf("Getenv(MISSING) found a variable the image does not set")
	}
	if want := []string{"8080/tcp", "9090/tcp"}; !reflect.DeepEqual(cfg.ExposedPorts, want) {
		t.Errorf("ExposedPorts = %v, want %v", cfg.ExposedPorts, want)
	}
	if cfg.Healthcheck == nil {
		t.Fatal("Healthcheck is nil")
	}
	if want := []string{"CMD", "/app/server", "healthcheck"}; !reflect.DeepEqual(cfg.Healthcheck.Test, want) {
		t.Errorf("Healthcheck.Test = %v, want %v", cfg.Healthcheck.Test, want)
	}
	if cfg.Healthcheck.Interval != 30*time.Second {
		t.Errorf("Healthcheck.Interval = %s, want 30s", cfg.Healthcheck.Interval)
	}
	if cfg.Labels["org.opencontainers.image.title"] != "test" {
		t.Errorf("Labels = %v, want the title label", cfg.Labels)
	}
	if len(cfg.History) != 1 || cfg.History[0].CreatedBy != "COPY rootfs /" {
		t.Errorf("History = %+v, want one COPY step", cfg.History)
	}
	if cfg.WorkingDir != "/app" || !reflect.DeepEqual(cfg.Cmd, []string{"/app/server"}) {
		t.Errorf("WorkingDir, Cmd = %q, %v", cfg.WorkingDir, cfg.Cmd)
	}
}

func TestMergedEntries(t *testing.T) {
	img := readTestImage(t, legacyDockerSave, plainLayer)
	tests := []struct {
		name     string
		path     string
		wantOK   bool
		wantMode fs.FileMode
		wantLink string
		layer    int
	}{
		{"whiteout removes file", "/etc/leaked.key", false, 0, "", 0},
		{"whiteout removes directory", "/var/cache/junk", false, 0, "", 0},
		{"whiteout removes children", "/var/cache/junk/a", false, 0, "", 0},
		{"opaque directory hides lower children", "/opt/app/old1", false, 0, "", 0},
		{"opaque directory keeps same-layer child", "/opt/app/new", true, 0o644, "", 1},
		{"file replacing directory drops children", "/srv/data", false, 0, "", 0},
		{"upper layer clears setuid", "/usr/bin/su", true, 0o755, "", 1},
		{"sticky bit", "/tmp", true, 0o777 | fs.ModeSticky, "", 0},
		{"setgid directory", "/var/local", true, 0o775 | fs.ModeSetgid, "", 0},
		{"hardlink target is absolute", "/usr/bin/perl5.36", true, 0o644, "/usr/bin/perl", 0},
		{"symlink target as written", "/bin", true, 0o777, "usr/bin", 0},
		{"AUFS metadata is ignored", "/.wh..wh.plnk", false, 0, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := img.Lstat(tt.path)
			if ok != tt.wantOK {
				t.Fatalf("Lstat(%q) found = %v, want %v", tt.path, ok, tt.wantOK)
			}
			if !ok {
				return
			}
			if e.Mode != tt.wantMode {
				t.Errorf("Mode = %v, want %v", e.Mode, tt.wantMode)
			}
			if e.Linkname != tt.wantLink {
				t.Errorf("Linkname = %q, want %q", e.Linkname, tt.wantLink)
			}
			if e.Layer != tt.layer {
				t.Errorf("Layer = %d, want %d", e.Layer, tt.layer)
			}
		})
	}
}

func TestLayersRecordWhiteouts(t *testing.T) {
	img := readTestImage(t, ociOnly, gzipLayer)
	upper := img.Layers()[1]

	if want := []string{"/etc/leaked.key", "/var/cache/junk"}; !reflect.DeepEqual(upper.Whiteouts, want) {
		t.Errorf("Whiteouts = %v, want %v", upper.Whiteouts, want)
	}
	if want := []string{"/opt/app"}; !reflect.DeepEqual(upper.OpaqueDirs, want) {
		t.Errorf("OpaqueDirs = %v, want %v", upper.OpaqueDirs, want)
	}
	for _, e := range upper.Entries {
		if strings.Contains(e.Path, ".wh.") {
			t.Errorf("Entries contains the whiteout marker %q", e.Path)
		}
	}
}

func TestPathsInAnyLayer(t *testing.T) {
	img := readTestImage(t, ociWithManifest, gzipLayer)
	tests := []struct {
		name string
		path string
		want []LayerPath
	}{
		{
			name: "deleted file still in lower layer",
			path: "/etc/leaked.key",
			want: []LayerPath{{Entry: Entry{Path: "/etc/leaked.key", Type: TypeRegular, Mode: 0o600, Size: 6, Layer: 0}, Removed: true}},
		},
		{
			name: "rewritten file in both layers",
			path: "/usr/bin/su",
			want: []LayerPath{
				{Entry: Entry{Path: "/usr/bin/su", Type: TypeRegular, Mode: 0o755 | fs.ModeSetuid, Size: 9, Layer: 0}},
				{Entry: Entry{Path: "/usr/bin/su", Type: TypeRegular, Mode: 0o755, Size: 9, Layer: 1}},
			},
		},
		{
			name: "file hidden by opaque directory",
			path: "/opt/app/old2",
			want: []LayerPath{{Entry: Entry{Path: "/opt/app/old2", Type: TypeRegular, Mode: 0o644, Size: 1, Layer: 0}, Removed: true}},
		},
		{
			name: "path in no layer",
			path: "/nowhere",
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := img.PathsInAnyLayer(func(p string) bool { return p == tt.path })
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("PathsInAnyLayer(%q) = %+v, want %+v", tt.path, got, tt.want)
			}
		})
	}
}

func TestFileContents(t *testing.T) {
	img := readTestImage(t, legacyDockerSave, gzipLayer)
	tests := []struct {
		name   string
		path   string
		want   string
		wantOK bool
	}{
		{"top layer wins", "/etc/passwd", appPasswd, true},
		{"relative path", "etc/passwd", appPasswd, true},
		{"hardlink returns target contents", "/usr/bin/perl5.36", "perl-binary", true},
		{"symlinked directory is followed", "/bin/perl", "perl-binary", true},
		{"file not selected", "/usr/bin/su", "", false},
		{"deleted file", "/etc/leaked.key", "", false},
		{"directory", "/etc", "", false},
		{"symlink loop", "/loop-a", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := img.File(tt.path)
			if ok != tt.wantOK {
				t.Fatalf("File(%q) found = %v, want %v", tt.path, ok, tt.wantOK)
			}
			if string(got) != tt.want {
				t.Errorf("File(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

func TestWithContentLimit(t *testing.T) {
	layers := testLayers(t, plainLayer)
	name := writeTarball(t, legacyDockerSave, testConfig(t, "", layers), layers)
	img, err := ReadTarball(name, WithContents(keepEtcAndPerl), WithContentLimit(int64(len(basePasswd))))
	if err != nil {
		t.Fatal(err)
	}

	// The top layer's passwd is longer than the limit, so its contents are
	// dropped even though the base layer's fit.
	if data, ok := img.File("/etc/passwd"); ok {
		t.Errorf("File(/etc/passwd) = %q, want no contents above the limit", data)
	}
	if _, ok := img.Lstat("/etc/passwd"); !ok {
		t.Errorf("Lstat(/etc/passwd) found nothing: files above the limit must stay listed")
	}
}

func TestStatAndLstat(t *testing.T) {
	img := readTestImage(t, ociOnly, plainLayer)
	tests := []struct {
		name     string
		stat     func(string) (Entry, bool)
		path     string
		wantPath string
		wantType EntryType
	}{
		{"Lstat resolves parent symlink", img.Lstat, "/bin/su", "/usr/bin/su", TypeRegular},
		{"Lstat keeps final symlink", img.Lstat, "/bin", "/bin", TypeSymlink},
		{"Stat follows final symlink", img.Stat, "/bin", "/usr/bin", TypeDir},
		{"Stat of symlink loop", img.Stat, "/loop-a", "", ""},
		{"Lstat of symlink loop", img.Lstat, "/loop-a", "/loop-a", TypeSymlink},
		{"Lstat through a regular file", img.Lstat, "/etc/passwd/x", "", ""},
		{"Lstat of root", img.Lstat, "/", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := tt.stat(tt.path)
			if ok != (tt.wantPath != "") {
				t.Fatalf("found = %v, want %v", ok, tt.wantPath != "")
			}
			if e.Path != tt.wantPath || e.Type != tt.wantType {
				t.Errorf("got %s %s, want %s %s", e.Path, e.Type, tt.wantPath, tt.wantType)
			}
		})
	}
}

func TestReadDir(t *testing.T) {
	img := readTestImage(t, ociOnly, gzipLayer)
	var got []string
	for _, e := range img.ReadDir("/bin") {
		got = append(got, e.Path)
	}
	want := []string{"/usr/bin/perl", "/usr/bin/perl5.36", "/usr/bin/su"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadDir(/bin) = %v, want %v", got, want)
	}
}

func TestReadTarballErrors(t *testing.T) {
	good := plainLayer(t, dir("etc/", 0o755), reg("etc/hostname", 0o644, "x"))
	zstdLayer := testLayer{tar: good.tar, blob: append([]byte{0x28, 0xb5, 0x2f, 0xfd}, good.tar...)}

	tests := []struct {
		name    string
		tarball func(t *testing.T) string
		opts    []Option
		wantErr string
	}{
		{
			name: "zstd layer",
			tarball: func(t *testing.T) string {
				return writeTarball(t, legacyDockerSave, testConfig(t, "", []testLayer{zstdLayer}), []testLayer{zstdLayer})
			},
			wantErr: `unsupported layer compression "zstd"`,
		},
		{
			name: "diff ID mismatch",
			tarball: func(t *testing.T) string {
				other := plainLayer(t, reg("other", 0o644, "y"))
				return writeTarball(t, ociWithManifest, testConfig(t, "", []testLayer{other}), []testLayer{good})
			},
			wantErr: "but the image config records",
		},
		{
			name: "layer count mismatch",
			tarball: func(t *testing.T) string {
				return writeTarball(t, ociOnly, testConfig(t, "", []testLayer{good, good}), []testLayer{good})
			},
			wantErr: "lists 2 layers in rootfs.diff_ids but the manifest lists 1",
		},
		{
			name: "no manifest",
			tarball: func(t *testing.T) string {
				name := filepath.Join(t.TempDir(), "plain.tar")
				if err := os.WriteFile(name, writeTar(t, []tarFile{reg("hello.txt", 0o644, "hi")}), 0o644); err != nil {
					t.Fatal(err)
				}
				return name
			},
			wantErr: "no manifest.json or index.json",
		},
		{
			name: "unknown repo tag",
			tarball: func(t *testing.T) string {
				return writeTarball(t, legacyDockerSave, testConfig(t, "", []testLayer{good}), []testLayer{good})
			},
			opts:    []Option{WithRepoTag("other/image:dev")},
			wantErr: `manifest.json has no image tagged "other/image:dev"`,
		},
		{
			name: "unknown image name in OCI layout",
			tarball: func(t *testing.T) string {
				return writeTarball(t, ociOnly, testConfig(t, "", []testLayer{good}), []testLayer{good})
			},
			opts:    []Option{WithRepoTag("other/image:dev")},
			wantErr: `index.json has no image named "other/image:dev"`,
		},
		{
			name: "missing file",
			tarball: func(t *testing.T) string {
				return filepath.Join(t.TempDir(), "absent.tar")
			},
			wantErr: "opening image tarball",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadTarball(tt.tarball(t), tt.opts...)
			if err == nil {
				t.Fatalf("ReadTarball succeeded, want an error containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestReadTarballRepoTag(t *testing.T) {
	layer := plainLayer(t, reg("hello", 0o644, "hi"))
	for _, layout := range []tarballLayout{legacyDockerSave, ociOnly} {
		name := writeTarball(t, layout, testConfig(t, "", []testLayer{layer}), []testLayer{layer})
		img, err := ReadTarball(name, WithRepoTag("test/image:dev"))
		if err != nil {
			t.Fatalf("layout %d: ReadTarball: %v", layout, err)
		}
		if _, ok := img.Lstat("/hello"); !ok {
			t.Errorf("layout %d: /hello is missing", layout)
		}
	}
}

func TestReadTarballSharedLayerSymlink(t *testing.T) {
	// docker save stores a layer that two images share once, and makes the
	// second name a symlink to the first.
	layer := plainLayer(t, reg("hello", 0o644, "hi"))
	config := testConfig(t, "", []testLayer{layer, layer})
	m := dockerManifest{Config: hexOf(config) + ".json", Layers: []string{"aaa/layer.tar", "bbb/layer.tar"}}
	files := []tarFile{
		reg(m.Config, 0o644, string(config)),
		dir("aaa/", 0o755),
		reg("aaa/layer.tar", 0o644, string(layer.blob)),
		dir("bbb/", 0o755),
		symlink("bbb/layer.tar", "../aaa/layer.tar"),
		reg("manifest.json", 0o644, mustJSON(t, []dockerManifest{m})),
	}
	name := filepath.Join(t.TempDir(), "shared.tar")
	if err := os.WriteFile(name, writeTar(t, files), 0o644); err != nil {
		t.Fatal(err)
	}

	img, err := ReadTarball(name)
	if err != nil {
		t.Fatalf("ReadTarball: %v", err)
	}
	if e, ok := img.Lstat("/hello"); !ok || e.Layer != 1 {
		t.Errorf("Lstat(/hello) = %+v, %v; want the entry of layer 1", e, ok)
	}
}

func TestEntryJSON(t *testing.T) {
	tests := []struct {
		name  string
		entry Entry
		json  string
	}{
		{
			name:  "setuid file",
			entry: Entry{Path: "/usr/bin/su", Type: TypeRegular, Mode: 0o755 | fs.ModeSetuid, Size: 72000, Layer: 2},
			json:  `{"path":"/usr/bin/su","type":"regular","mode":"4755","uid":0,"gid":0,"size":72000,"layer":2}`,
		},
		{
			name:  "sticky directory",
			entry: Entry{Path: "/tmp", Type: TypeDir, Mode: 0o777 | fs.ModeSticky},
			json:  `{"path":"/tmp","type":"dir","mode":"1777","uid":0,"gid":0,"layer":0}`,
		},
		{
			name:  "symlink",
			entry: Entry{Path: "/bin", Type: TypeSymlink, Mode: 0o777, Linkname: "usr/bin", UID: 1, GID: 2},
			json:  `{"path":"/bin","type":"symlink","mode":"0777","uid":1,"gid":2,"linkname":"usr/bin","layer":0}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := json.Marshal(tt.entry)
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != tt.json {
				t.Errorf("Marshal = %s, want %s", data, tt.json)
			}
			var back Entry
			if err := json.Unmarshal(data, &back); err != nil {
				t.Fatal(err)
			}
			if back != tt.entry {
				t.Errorf("Unmarshal = %+v, want %+v", back, tt.entry)
			}
		})
	}
}

func TestEntryJSONInvalidMode(t *testing.T) {
	var e Entry
	err := json.Unmarshal([]byte(`{"path":"/x","type":"regular","mode":"rwxr-xr-x"}`), &e)
	if err == nil || !strings.Contains(err.Error(), `invalid mode "rwxr-xr-x"`) {
		t.Errorf("Unmarshal error = %v, want an invalid mode error", err)
	}
}

func TestNewImage(t *testing.T) {
	config := []byte(`{"config":{"User":"app"}}`)
	files := []Entry{
		{Path: "/etc", Type: TypeDir, Mode: 0o755},
		// The hardlink comes before its target.
		{Path: "/etc/passwd.link", Type: TypeHardlink, Linkname: "etc/passwd"},
		{Path: "etc/passwd", Type: TypeRegular, Mode: 0o644, Size: 5, Layer: 3},
	}
	img, err := NewImage(config, files, map[string][]byte{"/etc/passwd": []byte("hello")})
	if err != nil {
		t.Fatalf("NewImage: %v", err)
	}

	if img.Config().User != "app" {
		t.Errorf("User = %q, want app", img.Config().User)
	}
	if e, ok := img.Lstat("/etc/passwd"); !ok || e.Layer != 0 {
		t.Errorf("Lstat(/etc/passwd) = %+v, %v; want the entry with layer 0", e, ok)
	}
	if data, ok := img.File("/etc/passwd.link"); !ok || string(data) != "hello" {
		t.Errorf("File(/etc/passwd.link) = %q, %v; want the target's contents", data, ok)
	}
	if len(img.Layers()) != 1 {
		t.Errorf("Layers() has %d layers, want 1", len(img.Layers()))
	}
}

func TestNewImageErrors(t *testing.T) {
	config := []byte(`{}`)
	tests := []struct {
		name     string
		config   []byte
		files    []Entry
		contents map[string][]byte
		wantErr  string
	}{
		{"duplicate path", config, []Entry{{Path: "/a", Type: TypeRegular}, {Path: "a", Type: TypeRegular}}, nil, `duplicate entry for path "/a"`},
		{"contents without entry", config, nil, map[string][]byte{"/a": nil}, `contents given for "/a", which has no entry`},
		{"contents of directory", config, []Entry{{Path: "/a", Type: TypeDir}}, map[string][]byte{"/a": nil}, "which is a dir, not a regular file"},
		{"invalid config", []byte(`[]`), nil, nil, "decoding image config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewImage(tt.config, tt.files, tt.contents)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("NewImage error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestUnixMode(t *testing.T) {
	tests := []struct {
		unix uint32
		mode fs.FileMode
	}{
		{0o755, 0o755},
		{0o4755, 0o755 | fs.ModeSetuid},
		{0o2755, 0o755 | fs.ModeSetgid},
		{0o1777, 0o777 | fs.ModeSticky},
		{0o6711, 0o711 | fs.ModeSetuid | fs.ModeSetgid},
	}
	for _, tt := range tests {
		if got := FileModeFromUnix(tt.unix); got != tt.mode {
			t.Errorf("FileModeFromUnix(%04o) = %v, want %v", tt.unix, got, tt.mode)
		}
		if got := UnixMode(tt.mode); got != tt.unix {
			t.Errorf("UnixMode(%v) = %04o, want %04o", tt.mode, got, tt.unix)
		}
	}
}
