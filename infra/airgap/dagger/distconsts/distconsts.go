// Package distconsts is a stand-in for the package of the same import path in
// the Dagger repository (engine/distconsts), which the Go module proxy does not
// serve at the version that github.com/dagger/dagger v0.19.7 requires. It
// declares every constant that v0.19.7 reads from that package, with the
// values of the upstream engine/distconsts/consts.go. The image versions match
// those that v0.19.7's own integration tests pull (alpine:3.22.1,
// golang:1.25.3-alpine).
package distconsts

// Engine container and socket.
const (
	EngineContainerName = "dagger-engine.dev"

	DefaultEngineSockAddr = "unix:///run/dagger/engine.sock"
)

// Paths inside the engine image, and the environment variables that carry the
// manifest digests of the SDK runtime images stored as builtin content.
const (
	RuncPath       = "/usr/local/bin/runc"
	DaggerInitPath = "/usr/local/bin/dagger-init"

	EngineDefaultStateDir = "/var/lib/dagger"

	EngineContainerBuiltinContentDir   = "/usr/local/share/dagger/content"
	GoSDKManifestDigestEnvName         = "DAGGER_GO_SDK_MANIFEST_DIGEST"
	PythonSDKManifestDigestEnvName     = "DAGGER_PYTHON_SDK_MANIFEST_DIGEST"
	TypescriptSDKManifestDigestEnvName = "DAGGER_TYPESCRIPT_SDK_MANIFEST_DIGEST"
)

// Images that the engine uses by default, for example for `dagger terminal`.
// Air-gapped, they resolve only through the engine's registry mirror.
const (
	AlpineVersion = "3.22.1"
	AlpineImage   = "alpine:" + AlpineVersion

	GolangVersion = "1.25.3"
	GolangImage   = "golang:" + GolangVersion + "-alpine"

	BusyboxVersion = "1.37.0"
	BusyboxImage   = "busybox:" + BusyboxVersion
)

// OCIVersionAnnotation is the manifest annotation from which `dagger version`
// reads the version of the latest engine image.
const (
	OCIVersionAnnotation = "org.opencontainers.image.version"
)

// EngineCustomCACertsDir is the directory of extra CA certificates that the
// engine trusts and installs into the containers it runs.
const (
	EngineCustomCACertsDir = "/usr/local/share/ca-certificates"
)
