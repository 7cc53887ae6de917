// Package report renders the outcome of a scan for people: Markdown for a
// GitHub step summary or a pull request comment, and a plain-text table for
// a terminal. Both read a Summary, which the pipeline fills from the
// findings, the suppressions and the gate's verdict.
package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/atlasia-ai/supplychain/pipelines/findings"
)

// Summary is the outcome of a scan of several targets.
type Summary struct {
	// Targets are the scanned targets. A target without findings is still
	// listed, with zero counts.
	Targets []findings.Target
	// Findings are the reported findings: those that no active suppression
	// matched. They include the blocking ones.
	Findings []findings.Finding
	// Blocking are the findings that fail the gate.
	Blocking []findings.Finding
	// Blocked is the gate's verdict: true when the release is blocked.
	Blocked bool
	// Reason explains the verdict, e.g. "2 CRITICAL findings" or "no
	// finding at CRITICAL".
	Reason string
	// BlockOn are the severities at which the gate blocks.
	BlockOn []findings.Severity
	// Suppressed are the findings that an active suppression matched, each
	// with that suppression.
	Suppressed []SuppressedFinding
	// ExpiredMatches are reported findings that an expired suppression
	// matched, each with that suppression, so that a blocking finding can
	// name the suppression that no longer applies.
	ExpiredMatches []SuppressedFinding
	// Expired are the suppressions whose expiry day has passed.
	Expired []Suppression
	// Unused are the active suppressions that matched no finding.
	Unused []Suppression
	// DB is the vulnerability DB the scan used, or nil when the scan ran no
	// Trivy target.
	DB *findings.DB
}

// SuppressedFinding is a finding with the suppression that matched it.
type SuppressedFinding struct {
	Finding     findings.Finding
	Suppression Suppression
}

// Suppression is an entry of the suppressions file.
type Suppression struct {
	// ID is the advisory, check or secret rule ID that the entry suppresses.
	ID string
	// Target, Package, PURL and Path narrow the entry. An empty one matches
	// every finding.
	Target  string
	Package string
	PURL    string
	Path    string
	// Justification is the reason the finding needs no fix before Expires.
	Justification string
	// Owner is the person or team responsible for the suppression.
	Owner string
	// Expires is the last day on which the entry suppresses, in UTC.
	Expires time.Time
}

// dateLayout formats expiry days, as the suppressions file writes them.
const dateLayout = "2006-01-02"

// sortFindings returns a copy of fs from the highest severity to the lowest,
// then by target, ID, package, installed version, path and line.
func sortFindings(fs []findings.Finding) []findings.Finding {
	sorted := slices.Clone(fs)
	slices.SortStableFunc(sorted, compareFindings)
	return sorted
}

func compareFindings(a, b findings.Finding) int {
	return cmp.Or(
		cmp.Compare(b.Severity.Rank(), a.Severity.Rank()),
		strings.Compare(a.Target, b.Target),
		strings.Compare(a.ID, b.ID),
		strings.Compare(a.Package, b.Package),
		strings.Compare(a.InstalledVersion, b.InstalledVersion),
		strings.Compare(a.Path, b.Path),
		cmp.Compare(a.Line, b.Line),
	)
}

func sortSuppressed(sfs []SuppressedFinding) []SuppressedFinding {
	sorted := slices.Clone(sfs)
	slices.SortStableFunc(sorted, func(a, b SuppressedFinding) int {
		return compareFindings(a.Finding, b.Finding)
	})
	return sorted
}

// sortSuppressions returns a copy of ss by ID, then target, package, purl,
// path and expiry day.
func sortSuppressions(ss []Suppression) []Suppression {
	sorted := slices.Clone(ss)
	slices.SortStableFunc(sorted, func(a, b Suppression) int {
		return cmp.Or(
			strings.Compare(a.ID, b.ID),
			strings.Compare(a.Target, b.Target),
			strings.Compare(a.Package, b.Package),
			strings.Compare(a.PURL, b.PURL),
			strings.Compare(a.Path, b.Path),
			a.Expires.Compare(b.Expires),
		)
	})
	return sorted
}

// targetNames returns the names of the targets and of every target that a
// finding names but Targets lacks, sorted.
func (s Summary) targetNames() []string {
	names := make(map[string]bool)
	for _, t := range s.Targets {
		names[t.Name] = true
	}
	for _, f := range s.Findings {
		names[f.Target] = true
	}
	for _, sf := range s.Suppressed {
		names[sf.Finding.Target] = true
	}
	sorted := make([]string, 0, len(names))
	for name := range names {
		sorted = append(sorted, name)
	}
	slices.Sort(sorted)
	return sorted
}

// target returns the target with the given name, or one with only the name
// when Targets lacks it.
func (s Summary) target(name string) findings.Target {
	for _, t := range s.Targets {
		if t.Name == name {
			return t
		}
	}
	return findings.Target{Name: name}
}

// expiredFor returns the expired suppression that matched f, if any.
func (s Summary) expiredFor(f findings.Finding) (Suppression, bool) {
	key := f.Key()
	for _, m := range s.ExpiredMatches {
		if m.Finding.Key() == key {
			return m.Suppression, true
		}
	}
	return Suppression{}, false
}

// severitiesDescending lists the severities from CRITICAL down to UNKNOWN.
func severitiesDescending() []findings.Severity {
	severities := slices.Clone(findings.Severities)
	slices.Reverse(severities)
	return severities
}

// countBySeverity returns the number of findings of each severity of target.
func countBySeverity(fs []findings.Finding, target string) map[findings.Severity]int {
	counts := make(map[findings.Severity]int)
	for _, f := range fs {
		if f.Target == target {
			counts[f.Severity]++
		}
	}
	return counts
}

// blockOnText returns the severities the gate blocks on, highest first and
// joined with commas, e.g. "CRITICAL, HIGH", or "no severity" for none.
func blockOnText(severities []findings.Severity) string {
	if len(severities) == 0 {
		return "no severity"
	}
	sorted := slices.Clone(severities)
	slices.SortFunc(sorted, func(a, b findings.Severity) int { return cmp.Compare(b.Rank(), a.Rank()) })
	names := make([]string, len(sorted))
	for i, s := range sorted {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// verdict returns "BLOCKED" or "PASSED".
func (s Summary) verdict() string {
	if s.Blocked {
		return "BLOCKED"
	}
	return "PASSED"
}

// isHighOrCritical reports whether f is HIGH or CRITICAL.
func isHighOrCritical(f findings.Finding) bool {
	return f.Severity.Rank() >= findings.High.Rank()
}

// shortDigest returns the algorithm and the first 12 hex digits of a digest,
// as docker images shows image IDs, or the digest as it is when it is shorter.
func shortDigest(digest string) string {
	algorithm, hex, ok := strings.Cut(digest, ":")
	if !ok || len(hex) <= 12 {
		return digest
	}
	return algorithm + ":" + hex[:12]
}

// dbText describes the vulnerability DB, such as "Trivy's default
// repository, built 2026-01-01 00:00 UTC".
func dbText(db findings.DB) string {
	repository := "Trivy's default repository"
	if db.Repository != "" {
		repository = db.Repository
	}
	return fmt.Sprintf("%s, built %s", repository, db.UpdatedAt.UTC().Format("2006-01-02 15:04 UTC"))
}
