package imagetar

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/atlasia-ai/supplychain/pipelines/internal/ocidigest"

	"github.com/atlasia-ai/supplychain/pipelines/internal/tarindex"
)

// maxMetadataSize is the size, in bytes, of the largest index, manifest or
// image config that MutateConfig reads into memory. Real ones are a few KiB.
const maxMetadataSize = 16 << 20

// archive indexes the members of an image tarball, so that metadata files
// can be read in any order with no second pass over the layers.
type archive struct {
	file *os.File
	*tarindex.Index
}

// indexArchive reads the tar headers of f and records where the data of
// each member starts. It fails when a name is used twice, unless the earlier
// member is a directory, which the later member then replaces.
func indexArchive(f *os.File) (*archive, error) {
	index, err := tarindex.Read(f, rejectDuplicate)
	if err != nil {
		return nil, err
	}
	return &archive{file: f, Index: index}, nil
}

// rejectDuplicate returns an error unless earlier is a directory.
// indexArchive passes it to tarindex.Read.
func rejectDuplicate(name string, earlier, _ tarindex.Member) error {
	if earlier.Typeflag != tar.TypeDir {
		return fmt.Errorf("tar member %q appears twice", name)
	}
	return nil
}

// readFile returns the contents of the regular file name, which must be at
// most maxMetadataSize bytes.
func (a *archive) readFile(name string) ([]byte, error) {
	name = tarindex.CleanName(name)
	m, ok := a.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("member %q: %w", name, os.ErrNotExist)
	}
	if m.Typeflag != tar.TypeReg && m.Typeflag != tar.TypeRegA {
		return nil, fmt.Errorf("member %q is not a regular file (tar type %q)", name, m.Typeflag)
	}
	if m.Size > maxMetadataSize {
		return nil, fmt.Errorf("member %q is %d bytes, more than the %d allowed for an index, manifest or config", name, m.Size, maxMetadataSize)
	}
	data := make([]byte, m.Size)
	if _, err := a.file.ReadAt(data, m.Offset); err != nil {
		return nil, fmt.Errorf("reading member %q: %w", name, err)
	}
	return data, nil
}

// writeArchive copies the tarball src to dst member by member. It writes
// the new version of each member that replacements names in its place, and
// copies the others, layers included, as they are. A new version is left
// out when a member with its name is already in the output or is copied
// from src, because blob names are digests, so that member has the same
// contents. isCopied reports whether a member name is copied from src.
func writeArchive(src io.Reader, dst io.Writer, replacements map[string]*blob, isCopied func(name string) bool) error {
	tr := tar.NewReader(src)
	tw := tar.NewWriter(dst)
	written := map[string]bool{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading tar header: %w", err)
		}
		name := tarindex.CleanName(hdr.Name)

		replacement, ok := replacements[name]
		if !ok {
			if err := tw.WriteHeader(hdr); err != nil {
				return fmt.Errorf("writing tar header of %q: %w", name, err)
			}
			if _, err := io.Copy(tw, tr); err != nil {
				return fmt.Errorf("copying member %q: %w", name, err)
			}
			written[name] = true
			continue
		}

		newName := tarindex.CleanName(replacement.name)
		if written[newName] || (newName != name && isCopied(newName)) {
			continue
		}
		// Keep the header's spelling of the directory, such as "./blobs/".
		renamed := *hdr
		renamed.Name = strings.TrimSuffix(hdr.Name, path.Base(name)) + path.Base(newName)
		renamed.Size = int64(len(replacement.data))
		if err := tw.WriteHeader(&renamed); err != nil {
			return fmt.Errorf("writing tar header of %q: %w", newName, err)
		}
		if _, err := tw.Write(replacement.data); err != nil {
			return fmt.Errorf("writing member %q: %w", newName, err)
		}
		written[newName] = true
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("finishing the tarball: %w", err)
	}
	return nil
}

// blobName returns the member name of the blob with the given digest in an
// OCI image layout. It fails for digests other than sha256.
func blobName(digest string) (string, error) {
	encoded, ok := strings.CutPrefix(digest, "sha256:")
	if !ok || !ocidigest.IsHex(encoded) {
		return "", fmt.Errorf("unsupported digest %q: want sha256: and 64 lower-case hex digits", digest)
	}
	return "blobs/sha256/" + encoded, nil
}

// digestFromName returns the digest that a member name encodes: OCI blobs
// are "blobs/sha256/HEX" and legacy docker save configs are "HEX.json". It
// returns "" for other names.
func digestFromName(name string) string {
	base := path.Base(tarindex.CleanName(name))
	encoded := strings.TrimSuffix(base, ".json")
	if !ocidigest.IsHex(encoded) {
		return ""
	}
	if encoded == base && !strings.HasPrefix(tarindex.CleanName(name), "blobs/sha256/") {
		return ""
	}
	return "sha256:" + encoded
}

// renameBlob returns the member name for the new contents of the member
// name, whose new digest is digest: a name that encodes the old digest, as
// digestFromName reads it, gets the new one, and other names stay.
func renameBlob(name, digest string) string {
	if digestFromName(name) == "" {
		return name
	}
	encoded := strings.TrimPrefix(digest, "sha256:")
	dir, base := path.Split(name)
	if strings.HasSuffix(base, ".json") {
		return dir + encoded + ".json"
	}
	return dir + encoded
}
