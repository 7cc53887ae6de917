// Atlasia builds, hardens and audits the container images of the Atlasia AI
// platform.
//
// Every function reads the platform from a checkout (by default this
// repository): the Dockerfiles under images/ and the compose stack under
// infra/. The decisions (what hardening removes, which audit checks fail)
// live in the plain-Go packages under pipelines/; this module wires the
// containers, files and directories around them.
package main

import (
	"dagger/atlasia/internal/dagger"

	"github.com/atlasia-ai/supplychain/pipelines/pins"
)

// Atlasia is the pipeline of one checkout of the Atlasia platform.
type Atlasia struct {
	// +private
	Source *dagger.Directory
	// +private
	Version string
	// +private
	Revision string
	// +private
	Created string
	// +private
	DebianImage string
	// +private
	GolangImage string
	// +private
	TrivyImage string
}

func New(
	// Checkout of the platform to build; defaults to this repository. The
	// default leaves out what git ignores, such as the generated code that
	// dagger develop writes into ci/.
	// +defaultPath="/"
	// +ignore=[".git", "bin", "build", "reports", "**/node_modules", "ci/dagger.gen.go", "ci/internal/dagger", "ci/internal/querybuilder", "ci/internal/telemetry", "ci/.env"]
	source *dagger.Directory,
	// Version written to the images' org.opencontainers.image.version label.
	// +default="dev"
	version string,
	// Source revision (a commit) written to the org.opencontainers.image.revision label.
	// +default="unknown"
	revision string,
	// Build time written to the org.opencontainers.image.created label, in
	// RFC 3339. The default, the Unix epoch, keeps the label the same from
	// build to build.
	// +default="1970-01-01T00:00:00Z"
	created string,
	// Debian base image of the platform and of the pipeline's tool
	// containers (default: debian:bookworm). Point it at a mirror to run
	// without Docker Hub.
	// +optional
	debianImage string,
	// Go builder image of the backend (default: golang:1.26.8-bookworm).
	// +optional
	golangImage string,
	// Trivy image that runs the scans (default: aquasec/trivy:0.74.0).
	// +optional
	trivyImage string,
) *Atlasia {
	return &Atlasia{
		Source:      source,
		Version:     version,
		Revision:    revision,
		Created:     created,
		DebianImage: orDefault(debianImage, pins.Debian),
		GolangImage: orDefault(golangImage, pins.Golang),
		TrivyImage:  orDefault(trivyImage, pins.Trivy),
	}
}

// readable gives an exported file the mode 0644, where it would otherwise
// keep the 0600 that Trivy and the tarball export give it.
var readable = dagger.DirectoryWithFileOpts{Permissions: 0o644}

// orDefault returns value, or fallback when value is empty.
func orDefault(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}
