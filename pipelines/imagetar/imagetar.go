// Package imagetar changes the image config inside an image tarball and
// keeps the rest of the tarball as it is.
//
// It reads and writes the layouts that the pipeline handles:
//
//   - Dagger's Container.AsTarball (v0.19.7): an OCI image layout
//     (oci-layout, index.json, blobs/sha256/) with the manifest.json of
//     docker save beside it, whose Config and Layers name the same blobs.
//   - docker save of Docker 20.10: manifest.json, the config as
//     "<digest>.json" and each layer as "<id>/layer.tar", with no index.json.
//   - Other OCI image layouts, including those whose index.json lists an
//     image index, as docker save of Docker 25 and later writes them.
//
// The new config blob gets the name of its new digest, and every document
// that refers to it is rewritten in turn: the image manifest, the indexes
// above it, index.json and manifest.json. Layers are copied without being
// decompressed, and members are written in their original order.
package imagetar

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// MutateConfig writes to dst a copy of the image tarball src in which
// mutate has changed each image config that index.json or manifest.json
// lists, except the configs of BuildKit attestations. mutate gets each
// config once, as an Object that keeps the fields it does not touch byte
// for byte. dst may be src: the output goes to a temporary file in dst's
// directory, which replaces dst, with src's permissions, when it is
// complete.
//
// MutateConfig fails when src is not an image tarball of a layout that the
// package documentation lists, when a digest that src records does not
// match the data, when src has no image config, and when mutate fails.
func MutateConfig(src, dst string, mutate func(config *Object) error) error {
	if err := mutateConfig(src, dst, mutate); err != nil {
		return fmt.Errorf("rewriting image tarball %q: %w", src, err)
	}
	return nil
}

func mutateConfig(src, dst string, mutate func(config *Object) error) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()

	a, err := indexArchive(in)
	if err != nil {
		return err
	}
	r := newRewriter(a, mutate)
	if err := r.rewrite(); err != nil {
		return err
	}
	if _, err := in.Seek(0, io.SeekStart); err != nil {
		return err
	}

	info, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*.tmp")
	if err != nil {
		return fmt.Errorf("creating the output file: %w", err)
	}
	defer func() {
		if err != nil {
			out.Close()
			os.Remove(out.Name())
		}
	}()
	if err := out.Chmod(info.Mode().Perm()); err != nil {
		return fmt.Errorf("setting the permissions of the output file: %w", err)
	}

	isCopied := func(name string) bool {
		_, replaced := r.replacements[name]
		return a.Has(name) && !replaced
	}
	if err := writeArchive(in, out, r.replacements, isCopied); err != nil {
		return fmt.Errorf("writing %q: %w", dst, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("writing %q: %w", dst, err)
	}
	if err := os.Rename(out.Name(), dst); err != nil {
		return fmt.Errorf("replacing %q: %w", dst, err)
	}
	return nil
}
