// Package tarindex indexes the members of a tar archive by name, so that a
// caller can read the data of any member in place, in any order, with no
// second pass over the archive. The image tarball packages imagefs and
// imagetar build on it.
package tarindex

import (
	"archive/tar"
	"fmt"
	"io"
	"path"
	"strings"
)

// Member is a member of a tar archive, located by the byte range of its
// data.
type Member struct {
	Typeflag byte
	Linkname string
	// Offset is the position of the member's data in the archive, in bytes.
	Offset int64
	// Size is the length of the member's data in bytes, as its header
	// records it.
	Size int64
}

// DuplicateFunc decides what Read does when a new member, later, has the
// same cleaned name as a member already in the index, earlier. When it
// returns nil, later replaces earlier. When it returns an error, Read stops
// and returns that error unchanged.
type DuplicateFunc func(name string, earlier, later Member) error

// Index maps the cleaned names of the members of a tar archive to the
// members.
type Index struct {
	members map[string]Member
}

// Read reads the tar headers of f from its current offset and records where
// the data of each member starts. archive/tar reads exactly up to the data
// of the member that Next returns, and skips data with f's Seek method, so
// the offset that Seek reports after Next is where that data starts. This
// needs an f that does not read ahead of the bytes it returns, such as an
// os.File or a bytes.Reader. The recorded offsets are positions in f, for
// reading with an io.ReaderAt over the same bytes.
//
// When two members have the same cleaned name, Read calls onDuplicate. A
// nil onDuplicate lets the later member replace the earlier one.
func Read(f io.ReadSeeker, onDuplicate DuplicateFunc) (*Index, error) {
	x := &Index{members: map[string]Member{}}
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return x, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading tar header: %w", err)
		}
		offset, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, fmt.Errorf("locating tar member %q: %w", hdr.Name, err)
		}

		name := CleanName(hdr.Name)
		m := Member{Typeflag: hdr.Typeflag, Linkname: hdr.Linkname, Offset: offset, Size: hdr.Size}
		if earlier, ok := x.members[name]; ok && onDuplicate != nil {
			if err := onDuplicate(name, earlier, m); err != nil {
				return nil, err
			}
		}
		x.members[name] = m
	}
}

// CleanName returns the cleaned, relative form of a member name, so that
// "./blobs/sha256/", "/blobs/sha256" and "blobs/x/../sha256" are all
// "blobs/sha256". A name that leaves the root, such as "../a", stays inside
// it as "a".
func CleanName(name string) string {
	return strings.TrimPrefix(path.Clean("/"+name), "/")
}

// Lookup returns the member whose cleaned name is the cleaned form of name,
// and whether there is one.
func (x *Index) Lookup(name string) (Member, bool) {
	m, ok := x.members[CleanName(name)]
	return m, ok
}

// Has reports whether the index has a member whose cleaned name is the
// cleaned form of name.
func (x *Index) Has(name string) bool {
	_, ok := x.Lookup(name)
	return ok
}
