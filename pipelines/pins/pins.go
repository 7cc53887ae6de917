// Package pins holds the references of every image the pipeline pulls. The
// Dagger module takes each of them as an optional argument, so a site with its
// own registry mirror overrides them. The Dockerfiles under images/ name the
// same references as the defaults of their *_IMAGE build arguments.
//
// Inside the local air-gapped engine (infra/airgap), docker.io names resolve
// through the registry mirror, which carries every image below.
package pins

const (
	// Debian is the base of the platform's images and of the pipeline's tool
	// containers (the hardening step runs dpkg from it).
	Debian = "debian:bookworm"
	// Golang builds the backend.
	Golang = "golang:1.26.8-bookworm"
	// Trivy scans images, source trees and configuration.
	Trivy = "aquasec/trivy:0.74.0"
	// Dind runs docker and docker compose for the runtime checks.
	Dind = "docker:20.10.24-dind-bookworm"
)
