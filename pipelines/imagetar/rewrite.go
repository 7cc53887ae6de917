package imagetar

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"

	"github.com/atlasia-ai/supplychain/pipelines/internal/ocidigest"

	"github.com/atlasia-ai/supplychain/pipelines/internal/tarindex"
)

// Media types of the documents that the rewrite follows.
const (
	mediaTypeOCIIndex     = "application/vnd.oci.image.index.v1+json"
	mediaTypeOCIManifest  = "application/vnd.oci.image.manifest.v1+json"
	mediaTypeOCIConfig    = "application/vnd.oci.image.config.v1+json"
	mediaTypeDockerList   = "application/vnd.docker.distribution.manifest.list.v2+json"
	mediaTypeDockerImage  = "application/vnd.docker.distribution.manifest.v2+json"
	mediaTypeDockerConfig = "application/vnd.docker.container.image.v1+json"
)

// BuildKit marks the manifests of attestations (SBOM, provenance) in an
// index with these annotations: the type, and the digest of the image
// manifest that the attestation describes.
const (
	annotationReferenceType   = "vnd.docker.reference.type"
	annotationReferenceDigest = "vnd.docker.reference.digest"
	referenceTypeAttestation  = "attestation-manifest"
)

// blob is the new version of a tarball member.
type blob struct {
	// name is the member name in the output. It differs from the input's
	// name when the name is a digest.
	name   string
	data   []byte
	digest string
}

// rewriter computes the new versions of the metadata files of an image
// tarball after mutate has changed its image configs.
type rewriter struct {
	archive *archive
	mutate  func(config *Object) error
	// replacements maps input member names to their new versions.
	replacements map[string]*blob
	// blobs maps the digests of the blobs that the rewrite read, changed or
	// not, to their new versions.
	blobs map[string]*blob
	// configs counts the image configs passed to mutate.
	configs int
}

func newRewriter(a *archive, mutate func(config *Object) error) *rewriter {
	return &rewriter{
		archive:      a,
		mutate:       mutate,
		replacements: map[string]*blob{},
		blobs:        map[string]*blob{},
	}
}

// rewrite mutates every image config that index.json or manifest.json
// reaches, and rewrites the documents that refer to a changed config.
func (r *rewriter) rewrite() error {
	hasIndex, hasManifest := r.archive.Has("index.json"), r.archive.Has("manifest.json")
	if !hasIndex && !hasManifest {
		return errors.New("no index.json or manifest.json at the top: not the output of Container.AsTarball, docker save or an OCI image layout")
	}
	if hasIndex {
		if err := r.rewriteFile("index.json", r.rewriteIndex); err != nil {
			return err
		}
	}
	if hasManifest {
		if err := r.rewriteFile("manifest.json", r.rewriteDockerManifest); err != nil {
			return err
		}
	}
	if r.configs == 0 {
		return errors.New("no image config found: index.json and manifest.json list no image manifest whose blobs are in the tarball")
	}
	return nil
}

// rewriteFile replaces the member name, whose name is no digest, with the
// output of fn.
func (r *rewriter) rewriteFile(name string, fn func([]byte) ([]byte, error)) error {
	data, err := r.archive.readFile(name)
	if err != nil {
		return err
	}
	out, err := fn(data)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	r.replacements[name] = &blob{name: name, data: out, digest: ocidigest.SHA256(out)}
	return nil
}

// rewriteBlob returns the new version of the blob with the given digest,
// which fn computes from the blob's data. It returns nil when the tarball
// lacks the blob, as docker save leaves out the manifests of platforms that
// were not pulled.
func (r *rewriter) rewriteBlob(digest string, fn func([]byte) ([]byte, error)) (*blob, error) {
	if b, ok := r.blobs[digest]; ok {
		return b, nil
	}
	name, err := blobName(digest)
	if err != nil {
		return nil, err
	}
	if !r.archive.Has(name) {
		return nil, nil
	}
	data, err := r.archive.readFile(name)
	if err != nil {
		return nil, err
	}
	if got := ocidigest.SHA256(data); got != digest {
		return nil, fmt.Errorf("blob %q has digest %s, not the %s that refers to it", name, got, digest)
	}

	out, err := fn(data)
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", digest, err)
	}
	b := &blob{name: name, data: out, digest: ocidigest.SHA256(out)}
	if b.digest != digest {
		b.name = renameBlob(name, b.digest)
		r.replacements[name] = b
	}
	r.blobs[digest] = b
	return b, nil
}

// rewriteIndex rewrites an OCI index or Docker manifest list: it follows
// each descriptor of an index or image manifest and records the new digest
// and size of the documents that changed.
func (r *rewriter) rewriteIndex(data []byte) ([]byte, error) {
	var index Object
	if err := index.UnmarshalJSON(data); err != nil {
		return nil, fmt.Errorf("decoding the index: %w", err)
	}
	descriptors, err := getObjects(&index, "manifests")
	if err != nil {
		return nil, err
	}

	changed := map[string]string{}
	for i, desc := range descriptors {
		if isAttestation(desc) {
			continue
		}
		mediaType, digest, err := mediaTypeAndDigest(desc)
		if err != nil {
			return nil, fmt.Errorf("manifests[%d]: %w", i, err)
		}
		var b *blob
		switch mediaType {
		case mediaTypeOCIIndex, mediaTypeDockerList:
			b, err = r.rewriteBlob(digest, r.rewriteIndex)
		case mediaTypeOCIManifest, mediaTypeDockerImage:
			b, err = r.rewriteBlob(digest, r.rewriteManifest)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("manifests[%d]: %w", i, err)
		}
		if b == nil || b.digest == digest {
			continue
		}
		if err := setDescriptor(desc, b); err != nil {
			return nil, err
		}
		changed[digest] = b.digest
	}
	if len(changed) == 0 {
		return data, nil
	}

	// NOTE: an attestation's own contents, such as the subject of an
	// in-toto statement, still name the old image manifest digest.
	for _, desc := range descriptors {
		if err := updateReferenceDigest(desc, changed); err != nil {
			return nil, err
		}
	}
	if err := setObjects(&index, "manifests", descriptors); err != nil {
		return nil, err
	}
	compact, err := index.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return formatLike(data, compact)
}

// rewriteManifest rewrites an image manifest whose config is an image
// config: it mutates the config and records its new digest and size.
// Manifests of other artifacts stay as they are.
func (r *rewriter) rewriteManifest(data []byte) ([]byte, error) {
	var manifest Object
	if err := manifest.UnmarshalJSON(data); err != nil {
		return nil, fmt.Errorf("decoding the manifest: %w", err)
	}
	config, err := manifest.GetObject("config")
	if err != nil {
		return nil, err
	}
	mediaType, digest, err := mediaTypeAndDigest(config)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if mediaType != mediaTypeOCIConfig && mediaType != mediaTypeDockerConfig {
		return data, nil
	}

	name, err := blobName(digest)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	b, err := r.rewriteConfig(name, digest)
	if err != nil {
		return nil, err
	}
	if b.digest == digest {
		return data, nil
	}
	if err := setDescriptor(config, b); err != nil {
		return nil, err
	}
	if err := manifest.Set("config", config); err != nil {
		return nil, err
	}
	compact, err := manifest.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return formatLike(data, compact)
}

// rewriteDockerManifest rewrites the manifest.json of docker save and of
// Container.AsTarball: a JSON array with an object for each image, whose
// "Config" is the member name of the image config.
func (r *rewriter) rewriteDockerManifest(data []byte) ([]byte, error) {
	images, err := decodeObjects(data)
	if err != nil {
		return nil, fmt.Errorf("decoding the image list: %w", err)
	}
	for i, image := range images {
		var configPath string
		raw, ok := image.Get("Config")
		if !ok {
			return nil, fmt.Errorf("image %d has no Config", i)
		}
		if err := json.Unmarshal(raw, &configPath); err != nil {
			return nil, fmt.Errorf("image %d: invalid Config, want a string: %w", i, err)
		}

		b, err := r.rewriteConfig(configPath, digestFromName(configPath))
		if err != nil {
			return nil, fmt.Errorf("image %d: %w", i, err)
		}
		// Keep the path's spelling of the directory, such as "./blobs/".
		dir, _ := path.Split(configPath)
		if err := image.Set("Config", dir+path.Base(b.name)); err != nil {
			return nil, err
		}
	}

	compact, err := marshalObjects(images)
	if err != nil {
		return nil, err
	}
	return formatLike(data, compact)
}

// rewriteConfig passes the image config in the member name to mutate once
// and returns its new version. When want is not "", the config's digest must
// be want.
func (r *rewriter) rewriteConfig(name, want string) (*blob, error) {
	name = tarindex.CleanName(name)
	if b, ok := r.replacements[name]; ok {
		return b, nil
	}
	data, err := r.archive.readFile(name)
	if err != nil {
		return nil, fmt.Errorf("reading the image config: %w", err)
	}
	digest := ocidigest.SHA256(data)
	if want != "" && digest != want {
		return nil, fmt.Errorf("image config %q has digest %s, not the recorded %s", name, digest, want)
	}

	var config Object
	if err := config.UnmarshalJSON(data); err != nil {
		return nil, fmt.Errorf("decoding image config %q: %w", name, err)
	}
	if err := r.mutate(&config); err != nil {
		return nil, fmt.Errorf("changing image config %q: %w", name, err)
	}
	compact, err := config.MarshalJSON()
	if err != nil {
		return nil, err
	}
	out, err := formatLike(data, compact)
	if err != nil {
		return nil, err
	}
	r.configs++

	b := &blob{name: name, data: out, digest: ocidigest.SHA256(out)}
	if b.digest != digest {
		b.name = renameBlob(name, b.digest)
	}
	r.replacements[name] = b
	r.blobs[digest] = b
	return b, nil
}

// mediaTypeAndDigest returns the "mediaType" and "digest" of a descriptor.
func mediaTypeAndDigest(desc *Object) (mediaType, digest string, err error) {
	if mediaType, err = getString(desc, "mediaType"); err != nil {
		return "", "", err
	}
	if digest, err = getString(desc, "digest"); err != nil {
		return "", "", err
	}
	return mediaType, digest, nil
}

// setDescriptor points the descriptor desc to b.
func setDescriptor(desc *Object, b *blob) error {
	if err := desc.Set("digest", b.digest); err != nil {
		return err
	}
	return desc.Set("size", len(b.data))
}

func isAttestation(desc *Object) bool {
	annotations, err := desc.GetObject("annotations")
	if err != nil {
		return false
	}
	kind, _ := getString(annotations, annotationReferenceType)
	return kind == referenceTypeAttestation
}

// updateReferenceDigest points the annotation with which an attestation
// descriptor names its image manifest to the manifest's new digest.
func updateReferenceDigest(desc *Object, changed map[string]string) error {
	if !isAttestation(desc) {
		return nil
	}
	annotations, err := desc.GetObject("annotations")
	if err != nil {
		return err
	}
	old, _ := getString(annotations, annotationReferenceDigest)
	digest, ok := changed[old]
	if !ok {
		return nil
	}
	if err := annotations.Set(annotationReferenceDigest, digest); err != nil {
		return err
	}
	return desc.Set("annotations", annotations)
}

// getString returns the string member key of o, or "" when it is missing.
func getString(o *Object, key string) (string, error) {
	raw, ok := o.Get(key)
	if !ok {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("invalid member %q, want a string: %w", key, err)
	}
	return s, nil
}

// getObjects decodes the member key of o as an array of objects. A missing
// member is an empty array.
func getObjects(o *Object, key string) ([]*Object, error) {
	raw, ok := o.Get(key)
	if !ok {
		return nil, nil
	}
	objects, err := decodeObjects(raw)
	if err != nil {
		return nil, fmt.Errorf("member %q: %w", key, err)
	}
	return objects, nil
}

// decodeObjects decodes a JSON array of objects.
func decodeObjects(data []byte) ([]*Object, error) {
	var objects []*Object
	if err := json.Unmarshal(data, &objects); err != nil {
		return nil, fmt.Errorf("invalid array of objects: %w", err)
	}
	for i, o := range objects {
		if o == nil {
			return nil, fmt.Errorf("invalid array of objects: element %d is null", i)
		}
	}
	return objects, nil
}

func setObjects(o *Object, key string, objects []*Object) error {
	raw, err := marshalObjects(objects)
	if err != nil {
		return err
	}
	return o.Set(key, json.RawMessage(raw))
}

// marshalObjects encodes objects as a compact JSON array, with each object
// encoded by its MarshalJSON, which keeps the bytes of unchanged values.
func marshalObjects(objects []*Object) ([]byte, error) {
	out := []byte{'['}
	for i, o := range objects {
		if i > 0 {
			out = append(out, ',')
		}
		data, err := o.MarshalJSON()
		if err != nil {
			return nil, err
		}
		out = append(out, data...)
	}
	return append(out, ']'), nil
}
