// Package platform describes the images of the Atlasia platform that the
// pipeline builds: where each one's Dockerfile lives in a checkout, which
// base images it takes as build arguments, and how it is hardened.
package platform

import (
	"fmt"
	"slices"

	"github.com/atlasia-ai/supplychain/pipelines/harden"
)

// Image is one image of the platform.
type Image struct {
	// Name is the image's name, also its compose service and tarball name.
	Name string
	// Context is the directory of its Dockerfile, relative to the checkout.
	Context string
	// BaseArgs maps the Dockerfile's base-image build arguments to the pins
	// they default to, so the pipeline can pass overridden references.
	BaseArgs []string
	// NeedsShell is true when the image's entrypoint or HEALTHCHECK runs a
	// shell script, so hardening keeps bash and dash.
	NeedsShell bool
}

// HardenPlan returns the hardening plan of the image.
func (img Image) HardenPlan() harden.Plan {
	if img.NeedsShell {
		return harden.New(harden.WithShells())
	}
	return harden.New()
}

// BaseArgDebian and BaseArgGolang are the build arguments through which the
// platform's Dockerfiles take their base images.
const (
	BaseArgDebian = "DEBIAN_IMAGE"
	BaseArgGolang = "GOLANG_IMAGE"
)

var images = []Image{
	{
		Name:     "ai-orchestrator",
		Context:  "images/ai-orchestrator",
		BaseArgs: []string{BaseArgGolang, BaseArgDebian},
	},
	{
		Name:     "frontend",
		Context:  "images/frontend",
		BaseArgs: []string{BaseArgDebian},
		// The HEALTHCHECK is a bash script that reads /dev/tcp, because the
		// image has no HTTP client.
		NeedsShell: true,
	},
}

// Images returns the images the pipeline builds, in a stable order.
func Images() []Image {
	return slices.Clone(images)
}

// Lookup returns the image with the given name, or an error that lists the
// valid names.
func Lookup(name string) (Image, error) {
	for _, img := range images {
		if img.Name == name {
			return img, nil
		}
	}
	names := make([]string, len(images))
	for i, img := range images {
		names[i] = img.Name
	}
	return Image{}, fmt.Errorf("unknown image %q: the platform's images are %v", name, names)
}
