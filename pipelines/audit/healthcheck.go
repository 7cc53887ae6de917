package audit

import (
	"fmt"
	"strings"
)

// checkHealthcheck passes when the image has a HEALTHCHECK with a command.
// HEALTHCHECK NONE, which disables a health check inherited from the base
// image, fails.
func checkHealthcheck(t *target) (Status, []string) {
	hc := t.cfg.Healthcheck
	if hc == nil || len(hc.Test) == 0 {
		return Fail, []string{"no HEALTHCHECK instruction"}
	}
	if hc.Test[0] == "NONE" {
		return Fail, []string{"HEALTHCHECK NONE disables the health check"}
	}

	line := fmt.Sprintf("HEALTHCHECK %s %s", hc.Test[0], strings.Join(hc.Test[1:], " "))
	if secretValueKind(line) != "" {
		// CIS-DI-0010 reports the secret; the evidence must not print it.
		line = fmt.Sprintf("HEALTHCHECK %s (command redacted: it contains what looks like a secret)", hc.Test[0])
	}
	if hc.Interval > 0 {
		line += fmt.Sprintf(" (interval %s)", hc.Interval)
	}
	return Pass, []string{line}
}
