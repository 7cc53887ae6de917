package imagefs

// DefaultContentLimit is the size, in bytes, of the largest file whose
// contents WithContents keeps unless WithContentLimit sets another.
const DefaultContentLimit = 8 << 20

// Option configures ReadTarball.
type Option func(*options)

type options struct {
	keepContents func(path string) bool
	contentLimit int64
	repoTag      string
}

func makeOptions(opts []Option) options {
	o := options{contentLimit: DefaultContentLimit}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithContents keeps the contents of every regular file whose absolute path
// match accepts, such as "/var/lib/dpkg/status", so that File can return
// them. Files larger than the content limit are listed without contents. A
// hardlink returns the contents of its target, so match must accept the
// target's path.
func WithContents(match func(path string) bool) Option {
	return func(o *options) {
		o.keepContents = match
	}
}

// WithContentLimit sets the size, in bytes, of the largest file whose
// contents WithContents keeps. The default is DefaultContentLimit.
func WithContentLimit(bytes int64) Option {
	return func(o *options) {
		o.contentLimit = bytes
	}
}

// WithRepoTag selects the image tagged tag, such as
// "atlasia/ai-orchestrator:dev", in a tarball that holds several images. In
// an OCI layout the tag is matched against the index annotations
// "io.containerd.image.name" and "org.opencontainers.image.ref.name".
func WithRepoTag(tag string) Option {
	return func(o *options) {
		o.repoTag = tag
	}
}
