// Package tartest builds tar and gzip data for the tests of the packages
// that read image tarballs and their layers.
package tartest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"testing"
)

// Member is a member of a tar archive that a test builds: its header and
// the data written after the header.
type Member struct {
	Header tar.Header
	Data   []byte
}

// Archive returns a tar archive of members, in order. It writes each header
// as it is, so the caller sets Header.Size. Archive fails the test when
// archive/tar rejects a header or the data after it, as it does when the
// length of Data is not Header.Size.
func Archive(t testing.TB, members []Member) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		hdr := m.Header
		if err := tw.WriteHeader(&hdr); err != nil {
			t.Fatalf("writing tar header %q: %v", hdr.Name, err)
		}
		if _, err := tw.Write(m.Data); err != nil {
			t.Fatalf("writing tar member %q: %v", hdr.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatalf("closing the tar archive: %v", err)
	}
	return buf.Bytes()
}

// Gzip returns data compressed with gzip at the default level.
func Gzip(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatalf("compressing with gzip: %v", err)
	}
	if err := zw.Close(); err != nil {
		t.Fatalf("closing the gzip stream: %v", err)
	}
	return buf.Bytes()
}
