package tarindex

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/atlasia-ai/supplychain/pipelines/internal/tartest"
)

func regular(name, data string) tartest.Member {
	return tartest.Member{
		Header: tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data))},
		Data:   []byte(data),
	}
}

func directory(name string) tartest.Member {
	return tartest.Member{Header: tar.Header{Name: name, Typeflag: tar.TypeDir, Mode: 0o755}}
}

func symlink(name, target string) tartest.Member {
	return tartest.Member{Header: tar.Header{Name: name, Typeflag: tar.TypeSymlink, Mode: 0o777, Linkname: target}}
}

// readData returns the data of the member that x records under name, read
// in place from archive.
func readData(t *testing.T, archive []byte, x *Index, name string) string {
	t.Helper()
	m, ok := x.Lookup(name)
	if !ok {
		t.Fatalf("Lookup(%q) found no member", name)
	}
	data, err := io.ReadAll(io.NewSectionReader(bytes.NewReader(archive), m.Offset, m.Size))
	if err != nil {
		t.Fatalf("reading member %q: %v", name, err)
	}
	return string(data)
}

func TestCleanName(t *testing.T) {
	tests := []struct {
		name string
		want string
	}{
		{name: "manifest.json", want: "manifest.json"},
		{name: "./manifest.json", want: "manifest.json"},
		{name: "/manifest.json", want: "manifest.json"},
		{name: "blobs/sha256/", want: "blobs/sha256"},
		{name: "./blobs//sha256/", want: "blobs/sha256"},
		{name: "blobs/x/../sha256", want: "blobs/sha256"},
		{name: "../a", want: "a"},
		{name: ".", want: ""},
		{name: "", want: ""},
	}
	for _, tt := range tests {
		if got := CleanName(tt.name); got != tt.want {
			t.Errorf("CleanName(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestReadLocatesMembers(t *testing.T) {
	longName := "blobs/sha256/" + strings.Repeat("ab", 64)
	archive := tartest.Archive(t, []tartest.Member{
		directory("./blobs/"),
		regular("./index.json", "index"),
		regular("/oci-layout", "layout"),
		regular(longName, "a member whose name needs a PAX header"),
		symlink("blobs/link", "../index.json"),
		regular("blobs/empty", ""),
	})

	x, err := Read(bytes.NewReader(archive), nil)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}

	tests := []struct {
		lookup   string
		typeflag byte
		linkname string
		data     string
	}{
		{lookup: "index.json", typeflag: tar.TypeReg, data: "index"},
		{lookup: "./index.json", typeflag: tar.TypeReg, data: "index"},
		{lookup: "oci-layout", typeflag: tar.TypeReg, data: "layout"},
		{lookup: longName, typeflag: tar.TypeReg, data: "a member whose name needs a PAX header"},
		{lookup: "blobs/", typeflag: tar.TypeDir},
		{lookup: "/blobs/link", typeflag: tar.TypeSymlink, linkname: "../index.json"},
		{lookup: "blobs/empty", typeflag: tar.TypeReg},
	}
	for _, tt := range tests {
		t.Run(tt.lookup, func(t *testing.T) {
			if !x.Has(tt.lookup) {
				t.Fatalf("Has(%q) = false, want true", tt.lookup)
			}
			m, _ := x.Lookup(tt.lookup)
			if m.Typeflag != tt.typeflag {
				t.Errorf("Typeflag = %q, want %q", m.Typeflag, tt.typeflag)
			}
			if m.Linkname != tt.linkname {
				t.Errorf("Linkname = %q, want %q", m.Linkname, tt.linkname)
			}
			if m.Size != int64(len(tt.data)) {
				t.Errorf("Size = %d, want %d", m.Size, len(tt.data))
			}
			if got := readData(t, archive, x, tt.lookup); got != tt.data {
				t.Errorf("data = %q, want %q", got, tt.data)
			}
		})
	}

	for _, name := range []string{"missing.json", "blobs/sha256", "index"} {
		if x.Has(name) {
			t.Errorf("Has(%q) = true, want false", name)
		}
	}
}

func TestReadFromCurrentOffset(t *testing.T) {
	prefix := bytes.Repeat([]byte{0xff}, 1000)
	archive := append(prefix, tartest.Archive(t, []tartest.Member{regular("a.txt", "alpha")})...)
	r := bytes.NewReader(archive)
	if _, err := r.Seek(int64(len(prefix)), io.SeekStart); err != nil {
		t.Fatal(err)
	}

	x, err := Read(r, nil)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if got := readData(t, archive, x, "a.txt"); got != "alpha" {
		t.Errorf("data of a.txt read at its recorded offset = %q, want %q", got, "alpha")
	}
}

// recordNames returns, for a slice of names, a DuplicateFunc that appends
// each name it gets to the slice and returns err.
func recordNames(err error) func(calls *[]string) DuplicateFunc {
	return func(calls *[]string) DuplicateFunc {
		return func(name string, _, _ Member) error {
			*calls = append(*calls, name)
			return err
		}
	}
}

func TestReadDuplicates(t *testing.T) {
	errDuplicate := errors.New("duplicate rejected")
	tests := []struct {
		name        string
		members     []tartest.Member
		onDuplicate func(calls *[]string) DuplicateFunc
		wantErr     error
		wantCalls   []string
		wantData    string // of "a.txt", when Read succeeds
	}{
		{
			name:      "nil function keeps the later member",
			members:   []tartest.Member{regular("a.txt", "first"), regular("./a.txt", "second")},
			wantData:  "second",
			wantCalls: nil,
		},
		{
			name:        "function returning nil keeps the later member",
			members:     []tartest.Member{regular("a.txt", "first"), regular("/a.txt", "second")},
			onDuplicate: recordNames(nil),
			wantData:    "second",
			wantCalls:   []string{"a.txt"},
		},
		{
			name:        "function error stops Read",
			members:     []tartest.Member{regular("a.txt", "first"), regular("a.txt", "second"), regular("b.txt", "bravo")},
			onDuplicate: recordNames(errDuplicate),
			wantErr:     errDuplicate,
			wantCalls:   []string{"a.txt"},
		},
		{
			name:        "distinct names call no function",
			members:     []tartest.Member{regular("a.txt", "alpha"), regular("b.txt", "bravo")},
			onDuplicate: recordNames(errDuplicate),
			wantData:    "alpha",
			wantCalls:   nil,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			archive := tartest.Archive(t, tt.members)
			var calls []string
			var onDuplicate DuplicateFunc
			if tt.onDuplicate != nil {
				onDuplicate = tt.onDuplicate(&calls)
			}

			x, err := Read(bytes.NewReader(archive), onDuplicate)
			if strings.Join(calls, ",") != strings.Join(tt.wantCalls, ",") {
				t.Errorf("onDuplicate called for %q, want %q", calls, tt.wantCalls)
			}
			if tt.wantErr != nil {
				if err != tt.wantErr {
					t.Errorf("Read error = %v, want %v unchanged", err, tt.wantErr)
				}
				if x != nil {
					t.Errorf("Read returned an index along with error %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if got := readData(t, archive, x, "a.txt"); got != tt.wantData {
				t.Errorf("data of a.txt = %q, want %q", got, tt.wantData)
			}
		})
	}
}

func TestReadPassesDuplicateMembers(t *testing.T) {
	archive := tartest.Archive(t, []tartest.Member{directory("a.txt/"), regular("./a.txt", "second")})
	var gotName string
	var gotEarlier, gotLater Member
	x, err := Read(bytes.NewReader(archive), func(name string, earlier, later Member) error {
		gotName, gotEarlier, gotLater = name, earlier, later
		return nil
	})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}

	if gotName != "a.txt" {
		t.Errorf("onDuplicate got name %q, want the cleaned %q", gotName, "a.txt")
	}
	if gotEarlier.Typeflag != tar.TypeDir {
		t.Errorf("onDuplicate got an earlier member of tar type %q, want the directory", gotEarlier.Typeflag)
	}
	if gotLater.Typeflag != tar.TypeReg {
		t.Errorf("onDuplicate got a later member of tar type %q, want the regular file", gotLater.Typeflag)
	}
	if gotLater.Size != int64(len("second")) {
		t.Errorf("onDuplicate got a later member of %d bytes, want %d", gotLater.Size, len("second"))
	}
	if m, _ := x.Lookup("a.txt"); m != gotLater {
		t.Errorf("index has %+v for a.txt, want the later member %+v", m, gotLater)
	}
}

// failingSeeker is a reader whose Seek method always fails.
type failingSeeker struct {
	io.Reader
}

func (failingSeeker) Seek(int64, int) (int64, error) {
	return 0, errors.New("seek failed")
}

func TestReadErrors(t *testing.T) {
	valid := tartest.Archive(t, []tartest.Member{regular("a.txt", "alpha")})
	tests := []struct {
		name     string
		input    io.ReadSeeker
		contains []string
	}{
		{
			name:     "not a tar archive",
			input:    bytes.NewReader(bytes.Repeat([]byte("not a tar "), 100)),
			contains: []string{"reading tar header"},
		},
		{
			name:     "truncated data",
			input:    bytes.NewReader(valid[:512+2]),
			contains: []string{"reading tar header", "unexpected EOF"},
		},
		{
			name:     "seek fails",
			input:    failingSeeker{bytes.NewReader(valid)},
			contains: []string{`locating tar member "a.txt"`, "seek failed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := Read(tt.input, nil)
			if err == nil {
				t.Fatal("Read succeeded, want an error")
			}
			if x != nil {
				t.Errorf("Read returned an index along with error %v", err)
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}
