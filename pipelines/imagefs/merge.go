package imagefs

import (
	"fmt"
	"path"

	"github.com/atlasia-ai/supplychain/pipelines/internal/ocidigest"
)

func newImage(rawConfig []byte) (*Image, error) {
	cfg, err := ParseConfig(rawConfig)
	if err != nil {
		return nil, err
	}
	return &Image{
		config:       cfg,
		rawConfig:    rawConfig,
		configDigest: ocidigest.SHA256(rawConfig),
		merged:       map[string]Entry{},
		children:     map[string]map[string]struct{}{},
		contents:     map[string][]byte{},
	}, nil
}

// NewImage returns an image with the configuration JSON rawConfig and the
// merged file system files, in one layer. contents maps the path of a regular
// file or hardlink of files to the contents that File returns. It serves
// tests and callers that list an image's files by other means. Paths are
// cleaned and made absolute, and every entry gets Layer 0.
//
// NewImage fails when rawConfig is not an image configuration, when two
// entries have the same path, or when a path of contents is not a regular
// file or hardlink of files.
func NewImage(rawConfig []byte, files []Entry, contents map[string][]byte) (*Image, error) {
	img, err := newImage(rawConfig)
	if err != nil {
		return nil, err
	}

	layer := Layer{Entries: make([]Entry, 0, len(files))}
	seen := make(map[string]bool, len(files))
	for _, e := range files {
		e.Path = cleanPath(e.Path)
		e.Layer = 0
		if e.Type == TypeHardlink {
			e.Linkname = cleanPath(e.Linkname)
		}
		if seen[e.Path] {
			return nil, fmt.Errorf("duplicate entry for path %q", e.Path)
		}
		seen[e.Path] = true
		layer.Entries = append(layer.Entries, e)
	}

	kept := make(map[string][]byte, len(contents))
	for name, data := range contents {
		name = cleanPath(name)
		if !seen[name] {
			return nil, fmt.Errorf("contents given for %q, which has no entry", name)
		}
		kept[name] = data
	}
	for _, e := range layer.Entries {
		if _, ok := kept[e.Path]; ok && e.Type != TypeRegular && e.Type != TypeHardlink {
			return nil, fmt.Errorf("contents given for %q, which is a %s, not a regular file", e.Path, e.Type)
		}
	}

	img.apply(layer, kept)

	// files may list a hardlink before its target, so link contents are
	// resolved once every entry is in place.
	for _, e := range layer.Entries {
		if e.Type != TypeHardlink {
			continue
		}
		if _, ok := img.contents[e.Path]; ok {
			continue
		}
		if data, ok := img.contents[e.Linkname]; ok {
			img.contents[e.Path] = data
		}
	}
	return img, nil
}

// apply adds layer on top of the merged file system. contents maps paths of
// the layer's regular files to the contents to keep.
//
// As the OCI image spec requires, whiteouts and opaque directories hide only
// entries of lower layers, never entries of the same layer, so they are
// applied before the layer's own entries.
func (img *Image) apply(layer Layer, contents map[string][]byte) {
	for _, dir := range layer.OpaqueDirs {
		for name := range img.children[dir] {
			img.remove(path.Join(dir, name))
		}
	}
	for _, p := range layer.Whiteouts {
		img.remove(p)
	}

	for _, e := range layer.Entries {
		img.add(e, contents)
	}
	img.layers = append(img.layers, layer)
}

// add writes e into the merged file system, replacing what was at its path.
func (img *Image) add(e Entry, contents map[string][]byte) {
	// A directory replaced by anything else takes its children with it, as
	// extracting the tar onto a file system does. A directory replaced by a
	// directory keeps them.
	if old, ok := img.merged[e.Path]; ok && old.Type == TypeDir && e.Type != TypeDir {
		img.remove(e.Path)
	}

	img.merged[e.Path] = e
	if e.Path != "/" {
		dir, name := path.Split(e.Path)
		dir = path.Clean(dir)
		if img.children[dir] == nil {
			img.children[dir] = map[string]struct{}{}
		}
		img.children[dir][name] = struct{}{}
	}

	delete(img.contents, e.Path)
	switch e.Type {
	case TypeRegular:
		if data, ok := contents[e.Path]; ok {
			img.contents[e.Path] = data
		}
	case TypeHardlink:
		// The target was written by this layer or a lower one, so its kept
		// contents, if any, are already in place.
		if data, ok := img.contents[e.Linkname]; ok {
			img.contents[e.Path] = data
		} else if data, ok := contents[e.Path]; ok {
			img.contents[e.Path] = data
		}
	}
}

// remove deletes the entry at p and, for a directory, everything below it.
func (img *Image) remove(p string) {
	old, ok := img.merged[p]
	if !ok {
		return
	}
	if old.Type == TypeDir {
		for name := range img.children[p] {
			img.remove(path.Join(p, name))
		}
		delete(img.children, p)
	}

	delete(img.merged, p)
	delete(img.contents, p)
	if p != "/" {
		dir, name := path.Split(p)
		dir = path.Clean(dir)
		delete(img.children[dir], name)
	}
}
