// Package imagefs reads a container image from a tarball and returns its
// configuration and its file system, both layer by layer and merged as a
// container runtime mounts it.
//
// The file system is a listing of metadata (path, type, mode, owner, size,
// link target). Contents are kept only for the small files that the caller
// selects with WithContents, such as the dpkg database, so a whole image never
// has to fit in memory.
package imagefs

import (
	"io/fs"
	"path"
	"sort"
	"strings"
)

// EntryType is the kind of a file system entry.
type EntryType string

// The entry types. TypeOther covers character and block devices, FIFOs and
// any other tar entry type.
const (
	TypeRegular  EntryType = "regular"
	TypeDir      EntryType = "dir"
	TypeSymlink  EntryType = "symlink"
	TypeHardlink EntryType = "hardlink"
	TypeOther    EntryType = "other"
)

// Entry is one file, directory or link of an image layer.
type Entry struct {
	// Path is absolute and cleaned, such as "/usr/bin/passwd".
	Path string
	Type EntryType
	// Mode has the permission bits and fs.ModeSetuid, fs.ModeSetgid and
	// fs.ModeSticky. It has no type bits: Type carries the type.
	Mode fs.FileMode
	UID  int
	GID  int
	// Size is the length of a regular file's contents in bytes, and 0 for
	// every other type.
	Size int64
	// Linkname is the target of a symlink as written in the layer, or the
	// absolute, cleaned path of a hardlink's target.
	Linkname string
	// Layer is the index, from 0 at the base, of the layer that last wrote
	// the entry.
	Layer int
}

// Layer is the content of one layer: the entries it adds or replaces and the
// paths it deletes from the layers below.
type Layer struct {
	// Digest is the digest of the layer blob as the tarball stores it, such
	// as "sha256:…" of the gzip stream. It is empty for a tarball in the
	// legacy docker save format, which names layers by path only.
	Digest string
	// DiffID is the sha256 digest of the uncompressed layer tar, checked
	// against the image config's rootfs.diff_ids.
	DiffID string
	// Entries are in the order of the layer tar, with no whiteout markers.
	Entries []Entry
	// Whiteouts are the paths that ".wh.NAME" markers delete.
	Whiteouts []string
	// OpaqueDirs are the directories whose lower-layer children an opaque
	// ".wh..wh..opq" marker hides.
	OpaqueDirs []string
}

// LayerPath is an entry as one layer wrote it.
type LayerPath struct {
	Entry
	// Removed is true when the merged file system has no entry at Path, so a
	// later layer deleted it. Its bytes still ship in the image.
	Removed bool
}

// Image is a container image read from a tarball: its configuration and its
// file system.
type Image struct {
	config       Config
	rawConfig    []byte
	configDigest string
	layers       []Layer

	// merged maps a path to the entry that the merged file system shows.
	merged map[string]Entry
	// children maps a directory to the names of its entries in merged.
	children map[string]map[string]struct{}
	// contents maps a path of merged to the kept contents of its file.
	contents map[string][]byte
}

// Config returns the image configuration.
func (img *Image) Config() Config {
	return img.config
}

// RawConfig returns the image configuration JSON as the tarball stores it,
// or as NewImage built it.
func (img *Image) RawConfig() []byte {
	return img.rawConfig
}

// ConfigDigest returns the sha256 digest of the configuration JSON, which
// Docker shows as the image ID, as "sha256:…".
func (img *Image) ConfigDigest() string {
	return img.configDigest
}

// Layers returns the layers from the base up. An image built by NewImage has
// one layer with the merged entries.
func (img *Image) Layers() []Layer {
	return img.layers
}

// Files returns the merged file system sorted by path, after whiteouts and
// opaque directories have removed what upper layers deleted.
func (img *Image) Files() []Entry {
	files := make([]Entry, 0, len(img.merged))
	for _, e := range img.merged {
		files = append(files, e)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files
}

// Lstat returns the merged entry at name. Symlinks in the directories of
// name are followed and a symlink at name itself is not, as lstat(2) does.
// It returns false when no entry exists there.
func (img *Image) Lstat(name string) (Entry, bool) {
	resolved, ok := img.resolveParents(cleanPath(name))
	if !ok {
		return Entry{}, false
	}
	e, ok := img.merged[resolved]
	return e, ok
}

// Stat returns the merged entry at name after following every symlink, as
// stat(2) does. It returns false when no entry exists there, when a symlink
// points nowhere, or after 40 links, the limit Linux applies.
func (img *Image) Stat(name string) (Entry, bool) {
	resolved, ok := img.resolve(cleanPath(name), 0)
	if !ok {
		return Entry{}, false
	}
	e, ok := img.merged[resolved]
	return e, ok
}

// File returns the contents of the regular file at name in the merged file
// system, following symlinks and hardlinks. It returns false when the file
// does not exist or WithContents did not select it, or when it was larger than
// the content limit.
func (img *Image) File(name string) ([]byte, bool) {
	resolved, ok := img.resolve(cleanPath(name), 0)
	if !ok {
		return nil, false
	}
	data, ok := img.contents[resolved]
	return data, ok
}

// ReadDir returns the merged entries directly inside the directory dir,
// sorted by path. Symlinks in dir are followed. It returns nil when dir does
// not exist or is empty.
func (img *Image) ReadDir(dir string) []Entry {
	resolved, ok := img.resolve(cleanPath(dir), 0)
	if !ok {
		return nil
	}
	var entries []Entry
	for name := range img.children[resolved] {
		entries = append(entries, img.merged[path.Join(resolved, name)])
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Path < entries[j].Path })
	return entries
}

// PathsInAnyLayer returns every entry of every layer whose path match accepts,
// sorted by path and then by layer. Removed marks those that the merged file
// system no longer has: files that were deleted but still ship in a lower
// layer.
func (img *Image) PathsInAnyLayer(match func(path string) bool) []LayerPath {
	var found []LayerPath
	for _, layer := range img.layers {
		for _, e := range layer.Entries {
			if !match(e.Path) {
				continue
			}
			_, present := img.merged[e.Path]
			found = append(found, LayerPath{Entry: e, Removed: !present})
		}
	}
	sort.SliceStable(found, func(i, j int) bool {
		if found[i].Path != found[j].Path {
			return found[i].Path < found[j].Path
		}
		return found[i].Layer < found[j].Layer
	})
	return found
}

// maxSymlinks is the number of symlinks that path resolution follows before
// it gives up, the limit of Linux (MAXSYMLINKS).
const maxSymlinks = 40

// resolve follows every symlink in name, the last component included. It
// returns the path of an existing entry, or false.
func (img *Image) resolve(name string, hops int) (string, bool) {
	resolved, ok := img.resolveParentsHops(name, &hops)
	if !ok {
		return "", false
	}
	e, ok := img.merged[resolved]
	if !ok {
		return "", false
	}
	if e.Type != TypeSymlink {
		return resolved, true
	}
	hops++
	if hops > maxSymlinks {
		return "", false
	}
	return img.resolve(linkTarget(resolved, e.Linkname), hops)
}

// resolveParents follows the symlinks in the directories of name and returns
// name with its directories resolved. The last component is not followed and
// need not exist.
func (img *Image) resolveParents(name string) (string, bool) {
	hops := 0
	return img.resolveParentsHops(name, &hops)
}

func (img *Image) resolveParentsHops(name string, hops *int) (string, bool) {
	if name == "/" {
		return "/", true
	}
	current := "/"
	components := strings.Split(strings.TrimPrefix(name, "/"), "/")
	for i, component := range components {
		next := path.Join(current, component)
		if i == len(components)-1 {
			return next, true
		}
		e, ok := img.merged[next]
		if !ok {
			return "", false
		}
		for e.Type == TypeSymlink {
			*hops++
			if *hops > maxSymlinks {
				return "", false
			}
			target, ok := img.resolveParentsHops(linkTarget(next, e.Linkname), hops)
			if !ok {
				return "", false
			}
			next = target
			if e, ok = img.merged[next]; !ok {
				return "", false
			}
		}
		if e.Type != TypeDir {
			return "", false
		}
		current = next
	}
	return current, true
}

// linkTarget returns the absolute path that the symlink at link points to.
func linkTarget(link, target string) string {
	if path.IsAbs(target) {
		return path.Clean(target)
	}
	return path.Join(path.Dir(link), target)
}

// cleanPath returns name as an absolute, cleaned path. Tar entries are
// relative ("usr/bin/", "./etc/passwd") and callers may pass either form.
// NOTE: ".." is removed lexically, as path.Clean does, so "/bin/../lib" is
// "/lib" even where /bin is a symlink to usr/bin and the kernel would reach
// /usr/lib.
func cleanPath(name string) string {
	return path.Clean("/" + strings.TrimPrefix(name, "./"))
}
