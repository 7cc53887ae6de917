package imagefs

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/atlasia-ai/supplychain/pipelines/internal/ocidigest"

	"github.com/atlasia-ai/supplychain/pipelines/internal/tarindex"
)

// maxMetadataSize is the size, in bytes, of the largest manifest, index or
// image config that ReadTarball reads into memory. Real ones are a few KiB.
const maxMetadataSize = 16 << 20

// ReadTarball reads the image in the tarball at path: the output of
// `docker save` (legacy layout or, from Docker 25, OCI layout) or of Dagger's
// Container.AsTarball. It uses manifest.json when the tarball has one, and
// otherwise the OCI layout's index.json. Layers may be plain or
// gzip-compressed tar, and are read one at a time as streams.
//
// ReadTarball fails when the file is not such a tarball, or when it contains
// several images and WithRepoTag selects none of them. It also fails when a
// layer uses another compression (zstd, bzip2, xz), and when a digest that
// the tarball records does not match the data.
func ReadTarball(path string, opts ...Option) (*Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening image tarball: %w", err)
	}
	defer f.Close()

	img, err := readTarball(f, makeOptions(opts))
	if err != nil {
		return nil, fmt.Errorf("reading image tarball %q: %w", path, err)
	}
	return img, nil
}

// archive indexes the members of an image tarball so that each one can be
// read with no second pass over the file.
type archive struct {
	r io.ReaderAt
	*tarindex.Index
}

// indexArchive reads the tar headers of f and records where each member's
// data starts, for reading through r. When a name is used twice, the later
// member replaces the earlier one.
func indexArchive(f io.ReadSeeker, r io.ReaderAt) (*archive, error) {
	index, err := tarindex.Read(f, nil)
	if err != nil {
		return nil, err
	}
	return &archive{r: r, Index: index}, nil
}

// open returns a reader of the member name and its size. It follows
// symlinks and hardlinks, which `docker save` writes for layers that two
// images share.
func (a *archive) open(name string) (*io.SectionReader, error) {
	name = tarindex.CleanName(name)
	for hops := 0; hops <= maxSymlinks; hops++ {
		m, ok := a.Lookup(name)
		if !ok {
			return nil, fmt.Errorf("member %q: %w", name, os.ErrNotExist)
		}
		switch m.Typeflag {
		case tar.TypeReg, tar.TypeRegA:
			return io.NewSectionReader(a.r, m.Offset, m.Size), nil
		case tar.TypeSymlink:
			name = tarindex.CleanName(path.Join(path.Dir(name), m.Linkname))
		case tar.TypeLink:
			name = tarindex.CleanName(m.Linkname)
		default:
			return nil, fmt.Errorf("member %q is not a regular file (tar type %q)", name, m.Typeflag)
		}
	}
	return nil, fmt.Errorf("member %q: more than %d links", name, maxSymlinks)
}

// readFile returns the contents of the member name, which must be at most
// maxMetadataSize bytes.
func (a *archive) readFile(name string) ([]byte, error) {
	r, err := a.open(name)
	if err != nil {
		return nil, err
	}
	if r.Size() > maxMetadataSize {
		return nil, fmt.Errorf("member %q is %d bytes, more than the %d allowed for metadata", name, r.Size(), maxMetadataSize)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading member %q: %w", name, err)
	}
	return data, nil
}

// source locates one image in a tarball: its config and layers, and the
// digests to check them against.
type source struct {
	configName   string
	configDigest string // empty when the layout records none
	layerNames   []string
	layerDigests []string // "" where the layout records none
}

func readTarball(f *os.File, o options) (*Image, error) {
	a, err := indexArchive(f, f)
	if err != nil {
		return nil, err
	}

	var src source
	switch {
	case a.Has("manifest.json"):
		src, err = dockerSource(a, o.repoTag)
	case a.Has("index.json"):
		src, err = ociSource(a, o.repoTag)
	default:
		return nil, errors.New("no manifest.json or index.json at the top: not the output of docker save or an OCI image layout")
	}
	if err != nil {
		return nil, err
	}

	rawConfig, err := a.readFile(src.configName)
	if err != nil {
		return nil, fmt.Errorf("reading image config: %w", err)
	}
	if src.configDigest != "" {
		if got := ocidigest.SHA256(rawConfig); got != src.configDigest {
			return nil, fmt.Errorf("image config %q has digest %s, not the recorded %s", src.configName, got, src.configDigest)
		}
	}
	img, err := newImage(rawConfig)
	if err != nil {
		return nil, fmt.Errorf("image config %q: %w", src.configName, err)
	}

	diffIDs := img.config.DiffIDs
	if len(diffIDs) != len(src.layerNames) {
		return nil, fmt.Errorf("image config lists %d layers in rootfs.diff_ids but the manifest lists %d", len(diffIDs), len(src.layerNames))
	}
	for i, name := range src.layerNames {
		r, err := a.open(name)
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		layer, contents, err := readLayer(r, i, o)
		if err != nil {
			return nil, fmt.Errorf("layer %d (%q): %w", i, name, err)
		}
		if layer.DiffID != diffIDs[i] {
			return nil, fmt.Errorf("layer %d (%q) has diff ID %s, but the image config records %s", i, name, layer.DiffID, diffIDs[i])
		}
		layer.Digest = src.layerDigests[i]
		img.apply(layer, contents)
	}
	return img, nil
}

// dockerManifest is one image of a docker save manifest.json.
type dockerManifest struct {
	Config   string   `json:"Config"`
	RepoTags []string `json:"RepoTags"`
	Layers   []string `json:"Layers"`
}

// dockerSource reads manifest.json and selects the image tagged repoTag, or
// the only image when repoTag is empty.
func dockerSource(a *archive, repoTag string) (source, error) {
	data, err := a.readFile("manifest.json")
	if err != nil {
		return source{}, err
	}
	var manifests []dockerManifest
	if err := json.Unmarshal(data, &manifests); err != nil {
		return source{}, fmt.Errorf("decoding manifest.json: %w", err)
	}

	var chosen *dockerManifest
	switch {
	case repoTag != "":
		for i := range manifests {
			for _, tag := range manifests[i].RepoTags {
				if tag == repoTag {
					chosen = &manifests[i]
				}
			}
		}
		if chosen == nil {
			return source{}, fmt.Errorf("manifest.json has no image tagged %q", repoTag)
		}
	case len(manifests) == 1:
		chosen = &manifests[0]
	default:
		return source{}, fmt.Errorf("manifest.json lists %d images: select one with WithRepoTag", len(manifests))
	}

	src := source{
		configName:   chosen.Config,
		configDigest: digestFromName(chosen.Config),
		layerNames:   chosen.Layers,
	}
	for _, name := range chosen.Layers {
		src.layerDigests = append(src.layerDigests, digestFromName(name))
	}
	return src, nil
}

// digestFromName returns the digest that a member name encodes: OCI blobs
// are "blobs/sha256/HEX" and legacy docker save configs are "HEX.json". It
// returns "" for other names, such as the legacy "ID/layer.tar".
func digestFromName(name string) string {
	name = tarindex.CleanName(name)
	if hex, ok := strings.CutPrefix(name, "blobs/sha256/"); ok && ocidigest.IsHex(hex) {
		return "sha256:" + hex
	}
	if hex, ok := strings.CutSuffix(name, ".json"); ok && ocidigest.IsHex(hex) {
		return "sha256:" + hex
	}
	return ""
}
