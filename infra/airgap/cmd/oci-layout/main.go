// Command oci-layout converts the single image in a `docker save` tarball into
// an OCI image layout directory with OCI media types, and prints the digest of
// the image manifest.
//
// The Dagger engine loads the runtime images of its SDKs from an OCI layout's
// blobs (its builtin content store) by manifest digest. The steps that build
// the engine image use this command to turn the Go SDK runtime image, built by
// `docker build`, into that content.
//
// Usage:
//
//	oci-layout -o DIR IMAGE.tar
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func main() {
	flags := flag.NewFlagSet("oci-layout", flag.ContinueOnError)
	flags.SetOutput(os.Stderr)
	flags.Usage = func() {
		fmt.Fprintln(flags.Output(), "Usage: oci-layout -o DIR IMAGE.tar")
		fmt.Fprintln(flags.Output(), "Writes the image of a `docker save` tarball as an OCI image layout in DIR and prints its manifest digest.")
		flags.PrintDefaults()
	}
	outputDir := flags.String("o", "", "output `directory` of the OCI image layout; it must not exist or be empty")
	if err := flags.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if *outputDir == "" || flags.NArg() != 1 {
		flags.Usage()
		os.Exit(2)
	}

	digest, err := convert(flags.Arg(0), *outputDir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "oci-layout: %v\n", err)
		os.Exit(1)
	}
	fmt.Println(digest)
}

// convert writes the image of the docker save tarball at tarPath as an OCI
// image layout in outputDir and returns the manifest digest.
func convert(tarPath, outputDir string) (v1.Hash, error) {
	if err := checkEmptyDir(outputDir); err != nil {
		return v1.Hash{}, err
	}

	// A nil tag selects the only image of the tarball and fails when the
	// tarball contains more than one.
	source, err := tarball.ImageFromPath(tarPath, nil)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("read image from %s: %w", tarPath, err)
	}
	image, err := toOCI(source)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("convert image from %s to OCI media types: %w", tarPath, err)
	}

	path, err := layout.Write(outputDir, empty.Index)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("create OCI layout in %s: %w", outputDir, err)
	}
	if err := path.AppendImage(image); err != nil {
		return v1.Hash{}, fmt.Errorf("write image to OCI layout %s: %w", outputDir, err)
	}
	return image.Digest()
}

// toOCI returns source with an OCI manifest, an OCI config and gzip-compressed
// OCI layers. The layers and the image config, so also the diff IDs, history,
// environment and entrypoint, stay as they are.
func toOCI(source v1.Image) (v1.Image, error) {
	config, err := source.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	layers, err := source.Layers()
	if err != nil {
		return nil, fmt.Errorf("read layers: %w", err)
	}

	image := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	image = mutate.ConfigMediaType(image, types.OCIConfigJSON)
	additions := make([]mutate.Addendum, 0, len(layers))
	for _, layer := range layers {
		additions = append(additions, mutate.Addendum{Layer: layer, MediaType: types.OCILayer})
	}
	image, err = mutate.Append(image, additions...)
	if err != nil {
		return nil, fmt.Errorf("append layers: %w", err)
	}
	// Append rewrote the history with one empty entry for each layer, so the
	// source's config replaces the whole config.
	return mutate.ConfigFile(image, config)
}

// checkEmptyDir returns an error unless dir is missing or an empty directory,
// so that the command never mixes its layout with other files.
func checkEmptyDir(dir string) error {
	f, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Readdirnames(1); !errors.Is(err, io.EOF) {
		if err != nil {
			return fmt.Errorf("read output directory %s: %w", dir, err)
		}
		return fmt.Errorf("output directory %s is not empty, but -o needs a missing or empty directory", dir)
	}
	return nil
}
