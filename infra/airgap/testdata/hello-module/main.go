// A fixture Go SDK module that checks the local Dagger engine in module mode.
//
// With the engine of infra/airgap/steps/engine.sh, `dagger call os-release` in
// this directory runs codegen and builds the module inside the engine from its
// seeded module cache, pulls debian:bookworm through the registry mirror and
// prints "Debian GNU/Linux 12 (bookworm)".
package main

import (
	"context"
)

type HelloModule struct{}

// Returns PRETTY_NAME from /etc/os-release of a debian:bookworm container
func (m *HelloModule) OsRelease(ctx context.Context) (string, error) {
	return dag.Container().
		From("debian:bookworm").
		WithExec([]string{"sh", "-c", `. /etc/os-release && printf '%s\n' "$PRETTY_NAME"`}).
		Stdout(ctx)
}
