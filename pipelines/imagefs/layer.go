package imagefs

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// Whiteout markers, as the OCI image spec defines them for layer changesets.
const (
	whiteoutPrefix = ".wh."
	// whiteoutMeta prefixes AUFS metadata files, which are not whiteouts.
	whiteoutMeta   = ".wh..wh."
	whiteoutOpaque = ".wh..wh..opq"
)

// Magic numbers of layer compressions.
var (
	magicGzip  = []byte{0x1f, 0x8b}
	magicZstd  = []byte{0x28, 0xb5, 0x2f, 0xfd}
	magicBzip2 = []byte("BZh")
	magicXz    = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
)

// decompress returns the layer tar stream of blob, which may be plain or
// gzip-compressed tar. It fails with "unsupported layer compression" for
// zstd, bzip2 and xz.
func decompress(blob io.Reader) (io.Reader, error) {
	br := bufio.NewReader(blob)
	head, err := br.Peek(6)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("reading layer header: %w", err)
	}

	switch {
	case bytes.HasPrefix(head, magicGzip):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("opening gzip layer: %w", err)
		}
		return zr, nil
	case bytes.HasPrefix(head, magicZstd):
		return nil, fmt.Errorf("unsupported layer compression %q", "zstd")
	case bytes.HasPrefix(head, magicBzip2):
		return nil, fmt.Errorf("unsupported layer compression %q", "bzip2")
	case bytes.HasPrefix(head, magicXz):
		return nil, fmt.Errorf("unsupported layer compression %q", "xz")
	default:
		return br, nil
	}
}

// readLayer reads the layer blob with the given index and returns its
// entries and whiteouts, with its DiffID computed from the uncompressed tar,
// and the contents of the files that o selects.
func readLayer(blob io.Reader, index int, o options) (Layer, map[string][]byte, error) {
	stream, err := decompress(blob)
	if err != nil {
		return Layer{}, nil, err
	}
	digest := sha256.New()
	stream = io.TeeReader(stream, digest)

	var layer Layer
	contents := map[string][]byte{}
	tr := tar.NewReader(stream)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Layer{}, nil, fmt.Errorf("reading tar header: %w", err)
		}

		p := cleanPath(hdr.Name)
		if p == "/" {
			continue
		}
		dir, base := path.Split(p)
		dir = path.Clean(dir)
		switch {
		case base == whiteoutOpaque:
			layer.OpaqueDirs = append(layer.OpaqueDirs, dir)
			continue
		case strings.HasPrefix(base, whiteoutMeta):
			continue
		case strings.HasPrefix(base, whiteoutPrefix):
			layer.Whiteouts = append(layer.Whiteouts, path.Join(dir, strings.TrimPrefix(base, whiteoutPrefix)))
			continue
		}

		e := entryFromHeader(hdr, p, index)
		layer.Entries = append(layer.Entries, e)
		if e.Type == TypeRegular && o.keepContents != nil && e.Size <= o.contentLimit && o.keepContents(p) {
			data, err := io.ReadAll(tr)
			if err != nil {
				return Layer{}, nil, fmt.Errorf("reading %q: %w", p, err)
			}
			contents[p] = data
		}
	}

	// The diff ID covers the whole tar stream, end-of-archive blocks and any
	// padding after them included.
	if _, err := io.Copy(io.Discard, stream); err != nil {
		return Layer{}, nil, fmt.Errorf("reading the end of the layer: %w", err)
	}
	layer.DiffID = "sha256:" + hex.EncodeToString(digest.Sum(nil))
	return layer, contents, nil
}

// entryFromHeader converts a layer tar header at the cleaned path p.
func entryFromHeader(hdr *tar.Header, p string, layer int) Entry {
	e := Entry{
		Path:  p,
		Mode:  unixMode(hdr.Mode),
		UID:   hdr.Uid,
		GID:   hdr.Gid,
		Layer: layer,
	}
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeRegA:
		e.Type = TypeRegular
		e.Size = hdr.Size
	case tar.TypeDir:
		e.Type = TypeDir
	case tar.TypeSymlink:
		e.Type = TypeSymlink
		e.Linkname = hdr.Linkname
	case tar.TypeLink:
		e.Type = TypeHardlink
		e.Linkname = cleanPath(hdr.Linkname)
	default:
		e.Type = TypeOther
	}
	return e
}

// Unix mode bits of the special permissions, as tar headers store them.
const (
	unixSetuid = 0o4000
	unixSetgid = 0o2000
	unixSticky = 0o1000
)

// unixMode converts the mode of a tar header to an fs.FileMode with the
// permission bits and the setuid, setgid and sticky bits.
func unixMode(mode int64) fs.FileMode {
	m := fs.FileMode(mode & 0o777)
	if mode&unixSetuid != 0 {
		m |= fs.ModeSetuid
	}
	if mode&unixSetgid != 0 {
		m |= fs.ModeSetgid
	}
	if mode&unixSticky != 0 {
		m |= fs.ModeSticky
	}
	return m
}

// UnixMode returns m as the octal Unix mode bits that chmod takes, such as
// 04755 for a setuid executable.
func UnixMode(m fs.FileMode) uint32 {
	bits := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		bits |= unixSetuid
	}
	if m&fs.ModeSetgid != 0 {
		bits |= unixSetgid
	}
	if m&fs.ModeSticky != 0 {
		bits |= unixSticky
	}
	return bits
}

// FileModeFromUnix returns the fs.FileMode of the octal Unix mode bits
// bits, the inverse of UnixMode. Type bits in bits are ignored.
func FileModeFromUnix(bits uint32) fs.FileMode {
	return unixMode(int64(bits & 0o7777))
}
