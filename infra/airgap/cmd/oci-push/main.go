// Command oci-push pushes one file to a registry as a single-layer OCI
// artifact, the form in which Trivy pulls its vulnerability database and its
// checks bundle. crane cannot set custom layer and config media types, so
// this tool builds the manifest itself and pushes it with go-containerregistry.
//
//	oci-push -file db.tar.gz \
//	  -media-type application/vnd.aquasec.trivy.db.layer.v1.tar+gzip \
//	  -config-media-type application/vnd.aquasec.trivy.config.v1+json \
//	  -ref 127.0.0.1:5000/atlasia/trivy-db-fixture:2
//
// It prints the manifest digest on stdout. The manifest carries no
// timestamps, so pushing the same file with the same flags again yields the
// same digest, and -digest-only prints that digest without contacting the
// registry.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// titleAnnotation names the layer's file. Trivy saves the layer under this
// name before extracting it, so db.tar.gz and bundle.tar.gz must keep their
// .tar.gz suffix.
const titleAnnotation = "org.opencontainers.image.title"

// emptyConfig is the config blob of the artifact, the empty JSON object
// that ORAS also writes by default. Trivy reads only the layer.
var emptyConfig = []byte("{}")

func main() {
	log.SetFlags(0)
	log.SetPrefix("oci-push: ")

	file := flag.String("file", "", "file to push as the artifact's only layer (required)")
	ref := flag.String("ref", "", "target reference, e.g. 127.0.0.1:5000/atlasia/trivy-db-fixture:2 (required unless -digest-only)")
	mediaType := flag.String("media-type", "", "media type of the layer (required)")
	title := flag.String("title", "", "value of the layer's "+titleAnnotation+" annotation (default: the file's base name)")
	configMediaType := flag.String("config-media-type", "application/vnd.oci.empty.v1+json", "media type of the config blob, whose content is {}")
	insecure := flag.Bool("insecure", false, "allow plain HTTP to the registry; loopback and RFC 1918 addresses use HTTP even without it")
	digestOnly := flag.Bool("digest-only", false, "print the manifest digest that a push would produce, without pushing")
	flag.Parse()

	if *file == "" || *mediaType == "" || (*ref == "" && !*digestOnly) || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if *title == "" {
		*title = filepath.Base(*file)
	}

	img, err := newArtifact(*file, types.MediaType(*mediaType), types.MediaType(*configMediaType), *title)
	if err != nil {
		log.Fatal(err)
	}
	digest, err := img.Digest()
	if err != nil {
		log.Fatalf("compute manifest digest: %v", err)
	}

	if !*digestOnly {
		if err := push(context.Background(), img, *ref, *insecure); err != nil {
			log.Fatal(err)
		}
		log.Printf("pushed %s as %s@%s", *file, *ref, digest)
	}
	fmt.Println(digest)
}

func push(ctx context.Context, img v1.Image, refStr string, insecure bool) error {
	var opts []name.Option
	if insecure {
		opts = append(opts, name.Insecure)
	}
	ref, err := name.ParseReference(refStr, opts...)
	if err != nil {
		return fmt.Errorf("invalid reference %q: %w", refStr, err)
	}

	// remote.Write skips blobs the registry already has.
	err = remote.Write(ref, img,
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(authn.DefaultKeychain),
	)
	if err != nil {
		return fmt.Errorf("push to %s failed: %w", ref, err)
	}
	return nil
}

// artifact is a v1.Image with one file layer, a {} config and an OCI
// manifest that has no timestamps or other varying fields.
type artifact struct {
	manifest []byte
	layer    *fileLayer
}

func newArtifact(path string, mediaType, configMediaType types.MediaType, title string) (v1.Image, error) {
	layer, err := newFileLayer(path, mediaType)
	if err != nil {
		return nil, err
	}
	configDigest, _, err := v1.SHA256(bytes.NewReader(emptyConfig))
	if err != nil {
		return nil, err
	}

	manifest := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		Config: v1.Descriptor{
			MediaType: configMediaType,
			Digest:    configDigest,
			Size:      int64(len(emptyConfig)),
		},
		Layers: []v1.Descriptor{{
			MediaType:   mediaType,
			Digest:      layer.digest,
			Size:        layer.size,
			Annotations: map[string]string{titleAnnotation: title},
		}},
	}
	raw, err := json.Marshal(manifest)
	if err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	return partial.CompressedToImage(&artifact{manifest: raw, layer: layer})
}

func (a *artifact) RawConfigFile() ([]byte, error) { return emptyConfig, nil }

func (a *artifact) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }

func (a *artifact) RawManifest() ([]byte, error) { return a.manifest, nil }

func (a *artifact) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if h == a.layer.digest {
		return a.layer, nil
	}
	return nil, fmt.Errorf("artifact has no layer %s", h)
}

// fileLayer streams a file from disk as an opaque layer blob. It is pushed
// as is, and the media type defines how a consumer reads it.
type fileLayer struct {
	path      string
	mediaType types.MediaType
	digest    v1.Hash
	size      int64
}

func newFileLayer(path string, mediaType types.MediaType) (*fileLayer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()

	h := sha256.New()
	size, err := io.Copy(h, f)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if size == 0 {
		return nil, fmt.Errorf("%s is empty; an artifact layer needs content", path)
	}
	return &fileLayer{
		path:      path,
		mediaType: mediaType,
		digest:    v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))},
		size:      size,
	}, nil
}

func (l *fileLayer) Digest() (v1.Hash, error)            { return l.digest, nil }
func (l *fileLayer) Compressed() (io.ReadCloser, error)  { return os.Open(l.path) }
func (l *fileLayer) Size() (int64, error)                { return l.size, nil }
func (l *fileLayer) MediaType() (types.MediaType, error) { return l.mediaType, nil }
