// Package sarif merges the SARIF logs of a scan into the one log that is
// uploaded to GitHub code scanning. The log has one run per target (an image,
// the source tree, the compose file), and each run carries its own category,
// so that GitHub tracks the alerts of each target apart.
//
// The inputs are Trivy's SARIF output (trivy image|fs|config -f sarif) and
// runs built from the project's own findings with FromFindings. The types are
// those of github.com/owenrumney/go-sarif/v2, the library Trivy v0.74.0
// writes its SARIF output with.
package sarif

import (
	"encoding/json"
	"fmt"
	"strings"

	gosarif "github.com/owenrumney/go-sarif/v2/sarif"
)

// Report is a SARIF log, as go-sarif models it. The alias lets callers use
// this package without importing go-sarif.
type Report = gosarif.Report

// Run is one run of a SARIF log, as go-sarif models it.
type Run = gosarif.Run

// Category returns the category of a target for a run's automationDetails.id:
// the target name with a trailing slash, e.g. "image/ai-orchestrator/" for
// "image/ai-orchestrator". A name that already ends with a slash is returned
// as it is.
//
// GitHub code scanning reads automationDetails.id as "category/run-id": the
// category is everything before the last slash ("SARIF support for code
// scanning", runAutomationDetails object). Without the trailing slash,
// "image/ai-orchestrator" would be run "ai-orchestrator" of category "image",
// which every image would share, and "source" would have no category at all.
// The upload-sarif action of github/codeql-action appends the slash to its
// category input in the same way.
func Category(targetName string) string {
	if strings.HasSuffix(targetName, "/") {
		return targetName
	}
	return targetName + "/"
}

// Encode returns the report as indented JSON with a final newline. Map keys
// are sorted, so the same report always gives the same bytes.
//
// Use it in place of the report's WriteFile method: go-sarif v2.3.3 opens the
// file without O_TRUNC, so writing over a longer file leaves its tail behind.
func Encode(report *Report) ([]byte, error) {
	data, err := json.MarshalIndent(report, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding SARIF log: %w", err)
	}
	return append(data, '\n'), nil
}
