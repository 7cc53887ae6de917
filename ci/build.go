package main

import (
	"context"
	"fmt"

	"dagger/atlasia/internal/dagger"

	"github.com/atlasia-ai/supplychain/pipelines/dockerfile"
	"github.com/atlasia-ai/supplychain/pipelines/imagetar"
	"github.com/atlasia-ai/supplychain/pipelines/platform"
)

// Backend returns the backend image as a container, hardened by default.
//
// It is built from images/ai-orchestrator.
//
// NOTE: a container of Dagger v0.19.7 has no HEALTHCHECK; the tarballs of
// `build` carry the one of the Dockerfile.
func (m *Atlasia) Backend(
	ctx context.Context,
	// Apply the hardening cleanup (package manager, shells, setuid bits,
	// world-writable paths). Set to false for the image as the Dockerfile
	// builds it.
	// +default=true
	harden bool,
) (*dagger.Container, error) {
	return m.image("ai-orchestrator", harden)
}

// Frontend returns the frontend image as a container, hardened by default.
//
// It is built from images/frontend: nginx serving the web UI.
func (m *Atlasia) Frontend(
	ctx context.Context,
	// Apply the hardening cleanup. Set to false for the image as the
	// Dockerfile builds it.
	// +default=true
	harden bool,
) (*dagger.Container, error) {
	return m.image("frontend", harden)
}

// Build returns the platform's images as tarballs, hardened by default.
//
// The directory holds one tarball each (ai-orchestrator.tar, frontend.tar)
// that `docker load` accepts. Export it with
// `dagger call build export --path build`.
//
// The tarballs are written in the module's working directory (see tarball),
// which exists only while the call runs, so the result is cached per
// session: a result cached across sessions would point at a directory that
// is gone. The image builds underneath stay cached by the engine.
// +cache="session"
func (m *Atlasia) Build(
	ctx context.Context,
	// Apply the hardening cleanup.
	// +default=true
	harden bool,
) (*dagger.Directory, error) {
	out := dag.Directory()
	for _, img := range platform.Images() {
		ctr, err := m.image(img.Name, harden)
		if err != nil {
			return nil, err
		}
		tarball, err := m.tarball(ctx, img, ctr)
		if err != nil {
			return nil, err
		}
		out = out.WithFile(img.Name+".tar", tarball, readable)
	}
	return out, nil
}

// tarball returns the image as a tarball with the HEALTHCHECK of its
// Dockerfile in the image config. Dagger v0.19.7 keeps a container's config
// as an OCI image config, which has no Healthcheck field, so a DockerBuild
// loses it and AsTarball writes the config without it.
func (m *Atlasia) tarball(ctx context.Context, img platform.Image, ctr *dagger.Container) (*dagger.File, error) {
	dockerfilePath := img.Context + "/Dockerfile"
	source, err := m.Source.File(dockerfilePath).Contents(ctx)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dockerfilePath, err)
	}
	healthcheck, err := dockerfile.ParseHealthcheck([]byte(source))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dockerfilePath, err)
	}
	if healthcheck == nil {
		return ctr.AsTarball(), nil
	}

	// Files written to the module's working directory come back into the
	// pipeline through CurrentModule().WorkdirFile.
	name := img.Name + ".tar"
	if _, err := ctr.AsTarball().Export(ctx, name); err != nil {
		return nil, fmt.Errorf("export the %s image: %w", img.Name, err)
	}
	if err := imagetar.SetHealthcheck(name, name, healthcheck); err != nil {
		return nil, fmt.Errorf("set the HEALTHCHECK of %s from %s: %w", img.Name, dockerfilePath, err)
	}
	return dag.CurrentModule().WorkdirFile(name), nil
}

// image builds the named platform image from its Dockerfile and, when
// hardenImage is true, hardens it.
func (m *Atlasia) image(name string, hardenImage bool) (*dagger.Container, error) {
	img, err := platform.Lookup(name)
	if err != nil {
		return nil, err
	}
	bases := map[string]string{
		platform.BaseArgDebian: m.DebianImage,
		platform.BaseArgGolang: m.GolangImage,
	}
	args := []dagger.BuildArg{
		{Name: "VERSION", Value: m.Version},
		{Name: "REVISION", Value: m.Revision},
		{Name: "CREATED", Value: m.Created},
	}
	for _, arg := range img.BaseArgs {
		args = append(args, dagger.BuildArg{Name: arg, Value: bases[arg]})
	}
	// NOTE: Dagger v0.19.7 keys what derives from a subdirectory of Source
	// by all of Source (https://github.com/dagger/dagger/issues/10992). An
	// edit anywhere in the checkout, such as in the suppressions file, so
	// reruns the hardening step and gives the tarballs new bytes.
	ctr := m.Source.Directory(img.Context).DockerBuild(dagger.DirectoryDockerBuildOpts{BuildArgs: args})
	if !hardenImage {
		return ctr, nil
	}
	return m.harden(ctr, img)
}

// harden applies the image's hardening plan in a Debian tool container to a
// copy of the image's root filesystem, and returns the image with that
// filesystem as its only layer and its original configuration (user,
// environment, HEALTHCHECK, labels). A single new layer is what keeps the
// removed files out of the shipped image: deleting them in a layer on top
// would leave them in the layers below.
func (m *Atlasia) harden(ctr *dagger.Container, img platform.Image) (*dagger.Container, error) {
	const src, dst = "/image", "/hardened"
	script, err := img.HardenPlan().Script(dst)
	if err != nil {
		return nil, fmt.Errorf("harden %s: %w", img.Name, err)
	}
	rootfs := dag.Container().
		From(m.DebianImage).
		WithMountedDirectory(src, ctr.Rootfs()).
		WithMountedDirectory(dst, dag.Directory()).
		// One exec for the copy and the cleanup, because each exec on the
		// mount adds a layer: a cleanup in a second exec would only hide
		// the copied files behind whiteouts. cp -a keeps owners, modes,
		// links and extended attributes such as file capabilities.
		WithExec([]string{"sh", "-c", "cp -a " + src + "/. " + dst + "/\n" + script}).
		Directory(dst)
	return ctr.WithRootfs(rootfs), nil
}
