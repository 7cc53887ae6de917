package imagefs

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/atlasia-ai/supplychain/pipelines/internal/ocidigest"
)

// Media types of OCI and Docker manifests and indexes.
const (
	mediaTypeOCIIndex      = "application/vnd.oci.image.index.v1+json"
	mediaTypeOCIManifest   = "application/vnd.oci.image.manifest.v1+json"
	mediaTypeDockerList    = "application/vnd.docker.distribution.manifest.list.v2+json"
	mediaTypeDockerImage   = "application/vnd.docker.distribution.manifest.v2+json"
	annotationImageName    = "io.containerd.image.name"
	annotationRefName      = "org.opencontainers.image.ref.name"
	annotationBuildKitType = "vnd.docker.reference.type"
)

// descriptor is an OCI content descriptor.
type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations"`
	Platform    *struct {
		OS           string `json:"os"`
		Architecture string `json:"architecture"`
		Variant      string `json:"variant"`
	} `json:"platform"`
}

// index is an OCI image index or a Docker manifest list.
type index struct {
	MediaType string       `json:"mediaType"`
	Manifests []descriptor `json:"manifests"`
}

// manifest is an OCI or Docker image manifest.
type manifest struct {
	MediaType string       `json:"mediaType"`
	Config    descriptor   `json:"config"`
	Layers    []descriptor `json:"layers"`
}

// blobName returns the path of a blob in an OCI layout, "blobs/ALG/HEX".
func blobName(digest string) (string, error) {
	alg, hex, ok := strings.Cut(digest, ":")
	if !ok || alg == "" || hex == "" || strings.ContainsAny(digest, "/\\") {
		return "", fmt.Errorf("invalid digest %q", digest)
	}
	return "blobs/" + alg + "/" + hex, nil
}

// ociSource reads index.json and selects the one image manifest it leads
// to, through nested indexes. With repoTag, only the entries of index.json
// whose name annotation equals repoTag count. Attestation manifests that
// BuildKit adds, and manifests whose blobs the layout does not contain (other
// platforms of a multi-platform image), are skipped.
func ociSource(a *archive, repoTag string) (source, error) {
	data, err := a.readFile("index.json")
	if err != nil {
		return source{}, err
	}
	var top index
	if err := json.Unmarshal(data, &top); err != nil {
		return source{}, fmt.Errorf("decoding index.json: %w", err)
	}

	roots := top.Manifests
	if repoTag != "" {
		roots = nil
		for _, d := range top.Manifests {
			if d.Annotations[annotationImageName] == repoTag || d.Annotations[annotationRefName] == repoTag {
				roots = append(roots, d)
			}
		}
		if len(roots) == 0 {
			return source{}, fmt.Errorf("index.json has no image named %q", repoTag)
		}
	}

	var found []descriptor
	for _, d := range roots {
		if err := collectManifests(a, d, 0, &found); err != nil {
			return source{}, err
		}
	}
	switch len(found) {
	case 0:
		return source{}, fmt.Errorf("index.json leads to no image manifest whose blob the layout contains")
	case 1:
	default:
		var platforms []string
		for _, d := range found {
			platforms = append(platforms, describePlatform(d))
		}
		return source{}, fmt.Errorf("index.json leads to %d image manifests (%s): select one with WithRepoTag", len(found), strings.Join(platforms, ", "))
	}

	return manifestSource(a, found[0])
}

// maxIndexDepth bounds the nesting of indexes, which a malformed layout could
// make cyclic.
const maxIndexDepth = 8

// collectManifests appends to found the image manifests that d leads to.
func collectManifests(a *archive, d descriptor, depth int, found *[]descriptor) error {
	if depth > maxIndexDepth {
		return fmt.Errorf("indexes nested more than %d deep at %s", maxIndexDepth, d.Digest)
	}
	if d.Annotations[annotationBuildKitType] == "attestation-manifest" {
		return nil
	}
	name, err := blobName(d.Digest)
	if err != nil {
		return err
	}
	if !a.Has(name) {
		return nil
	}

	switch d.MediaType {
	case mediaTypeOCIManifest, mediaTypeDockerImage:
		*found = append(*found, d)
		return nil
	case mediaTypeOCIIndex, mediaTypeDockerList:
		data, err := a.readFile(name)
		if err != nil {
			return err
		}
		if got := ocidigest.SHA256(data); strings.HasPrefix(d.Digest, "sha256:") && got != d.Digest {
			return fmt.Errorf("index %s has digest %s", d.Digest, got)
		}
		var nested index
		if err := json.Unmarshal(data, &nested); err != nil {
			return fmt.Errorf("decoding index %s: %w", d.Digest, err)
		}
		for _, child := range nested.Manifests {
			if err := collectManifests(a, child, depth+1, found); err != nil {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf("descriptor %s has media type %q, which is neither an image manifest nor an index", d.Digest, d.MediaType)
	}
}

func describePlatform(d descriptor) string {
	if d.Platform == nil {
		return d.Digest
	}
	p := d.Platform.OS + "/" + d.Platform.Architecture
	if d.Platform.Variant != "" {
		p += "/" + d.Platform.Variant
	}
	return p
}

// manifestSource reads the image manifest d and locates its config and
// layers.
func manifestSource(a *archive, d descriptor) (source, error) {
	name, err := blobName(d.Digest)
	if err != nil {
		return source{}, err
	}
	data, err := a.readFile(name)
	if err != nil {
		return source{}, err
	}
	if got := ocidigest.SHA256(data); strings.HasPrefix(d.Digest, "sha256:") && got != d.Digest {
		return source{}, fmt.Errorf("manifest %s has digest %s", d.Digest, got)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return source{}, fmt.Errorf("decoding manifest %s: %w", d.Digest, err)
	}

	configName, err := blobName(m.Config.Digest)
	if err != nil {
		return source{}, fmt.Errorf("manifest %s config: %w", d.Digest, err)
	}
	src := source{configName: configName}
	if strings.HasPrefix(m.Config.Digest, "sha256:") {
		src.configDigest = m.Config.Digest
	}
	for i, layer := range m.Layers {
		layerName, err := blobName(layer.Digest)
		if err != nil {
			return source{}, fmt.Errorf("manifest %s layer %d: %w", d.Digest, i, err)
		}
		src.layerNames = append(src.layerNames, layerName)
		src.layerDigests = append(src.layerDigests, layer.Digest)
	}
	return src, nil
}
