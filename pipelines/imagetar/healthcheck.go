package imagetar

import (
	"errors"
	"fmt"

	"github.com/atlasia-ai/supplychain/pipelines/dockerfile"
)

// SetHealthcheck writes to dst a copy of the image tarball src whose image
// config has the health check hc, as the "Healthcheck" member of the
// config's "config" object, where Docker reads it. A nil hc removes that
// member, so the image has no health check, as in Dagger's own output.
// Everything else is kept as MutateConfig keeps it, and dst may be src.
//
// SetHealthcheck fails when hc has an empty Test, which in Docker means
// "inherit" and has no place in a finished image, and for the reasons that
// MutateConfig fails.
func SetHealthcheck(src, dst string, hc *dockerfile.Healthcheck) error {
	if hc != nil && len(hc.Test) == 0 {
		return errors.New("setting the image health check: Test is empty: use nil to remove the health check")
	}
	return MutateConfig(src, dst, func(config *Object) error {
		return setHealthcheck(config, hc)
	})
}

// setHealthcheck sets or, when hc is nil, removes the Healthcheck member of
// the "config" object of an image config.
func setHealthcheck(config *Object, hc *dockerfile.Healthcheck) error {
	runtime, err := config.GetObject("config")
	if err != nil {
		return err
	}
	if hc == nil {
		if !runtime.Delete("Healthcheck") {
			return nil
		}
	} else if err := runtime.Set("Healthcheck", hc); err != nil {
		return fmt.Errorf("setting the health check: %w", err)
	}
	return config.Set("config", runtime)
}
