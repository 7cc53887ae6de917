// Package findings is the model every scan result is turned into: Trivy's
// vulnerabilities, secrets and misconfigurations, and the compose checks of
// this project. The gate, the suppressions and the reports work on it, so
// they do not depend on any one scanner's output format.
package findings

import (
	"fmt"
	"strings"
)

// Class is the kind of a finding.
type Class string

const (
	// Vulnerability is a known vulnerability of an OS or language package.
	Vulnerability Class = "vulnerability"
	// Secret is a credential found in a file or an image layer.
	Secret Class = "secret"
	// Misconfiguration is a failed configuration check (Dockerfile,
	// Kubernetes, compose).
	Misconfiguration Class = "misconfiguration"
)

// Severity is a finding's severity, in Trivy's names.
type Severity string

// Severities from the lowest to the highest.
const (
	Unknown  Severity = "UNKNOWN"
	Low      Severity = "LOW"
	Medium   Severity = "MEDIUM"
	High     Severity = "HIGH"
	Critical Severity = "CRITICAL"
)

// Severities lists every severity from the lowest to the highest.
var Severities = []Severity{Unknown, Low, Medium, High, Critical}

// Rank returns the position of s in Severities (UNKNOWN is 0, CRITICAL is 4),
// or -1 for a name that is not a severity.
func (s Severity) Rank() int {
	for i, known := range Severities {
		if s == known {
			return i
		}
	}
	return -1
}

// ParseSeverity returns the severity with the given name, in any case.
func ParseSeverity(name string) (Severity, error) {
	s := Severity(strings.ToUpper(strings.TrimSpace(name)))
	if s.Rank() < 0 {
		return "", fmt.Errorf("invalid severity %q: use one of %v", name, Severities)
	}
	return s, nil
}

// Target is one scanned thing: an image, a source tree or a compose file.
type Target struct {
	// Name identifies the target in reports and SARIF categories, for
	// example "image/ai-orchestrator", "source" or "compose".
	Name string `json:"name"`
	// Kind is "image", "filesystem" or "compose".
	Kind string `json:"kind"`
	// Image is the image reference or tarball name, for image targets.
	Image string `json:"image,omitempty"`
	// Digest is the image's config digest (its ID), for image targets.
	Digest string `json:"digest,omitempty"`
}

// Finding is one result of a scan.
type Finding struct {
	// Target is the Name of the Target the finding belongs to.
	Target string `json:"target"`
	Class  Class  `json:"class"`
	// ID is the advisory or check ID, e.g. CVE-2024-1234, DS002,
	// ATL-CMP-001, or a secret rule ID such as aws-access-key-id.
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	// Package is the package name of a vulnerability (a Debian binary
	// package or a Go module path).
	Package          string `json:"package,omitempty"`
	InstalledVersion string `json:"installed_version,omitempty"`
	FixedVersion     string `json:"fixed_version,omitempty"`
	// Status is Trivy's vulnerability status: fixed, affected,
	// will_not_fix, ...
	Status string `json:"status,omitempty"`
	// PURL is the package URL of a vulnerable package.
	PURL string `json:"purl,omitempty"`
	// Path is the file the finding is in: the scanned file of a
	// misconfiguration or secret, or the file a language package came from.
	Path string `json:"path,omitempty"`
	// Line is the first line of the finding in Path, 0 when unknown.
	Line int `json:"line,omitempty"`
	// Message explains the finding, e.g. the failed check's message.
	Message string `json:"message,omitempty"`
	// URL points at the advisory or the check's documentation.
	URL string `json:"url,omitempty"`
}

// Key returns a string that identifies the finding within a scan: the same
// advisory in two packages, or the same check at two places, gives two keys.
func (f Finding) Key() string {
	return strings.Join([]string{f.Target, string(f.Class), f.ID, f.Package, f.InstalledVersion, f.Path, fmt.Sprint(f.Line)}, "|")
}

// Scan is the findings of one scanned target. The gate takes scans, not bare
// findings, so that its messages can name each target's image and digest.
type Scan struct {
	Target   Target    `json:"target"`
	Findings []Finding `json:"findings"`
}
