package gate

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/atlasia-ai/supplychain/pipelines/findings"
	"github.com/atlasia-ai/supplychain/pipelines/suppress"
)

// ErrBlocked is wrapped by the error of Verdict.Err when the gate blocks.
var ErrBlocked = errors.New("release gate blocked")

// Verdict is the outcome of Evaluate.
type Verdict struct {
	// Blocked is true when at least one finding blocks the release.
	Blocked bool `json:"blocked"`
	// Reason is a one-line summary of why the gate blocked or passed.
	Reason string `json:"reason"`
	// BlockOn are the policy's block-on severities.
	BlockOn []findings.Severity `json:"block_on"`
	// SuppressionsFile is the policy's suppressions file, which Err names
	// as the place to add a suppression.
	SuppressionsFile string `json:"suppressions_file"`

	// Blocking are the findings at a block-on severity that no active
	// suppression matched, from the highest severity to the lowest.
	Blocking []findings.Finding `json:"blocking"`
	// Reported are the findings at a reported severity that no active
	// suppression matched, including the blocking ones, in the same order.
	Reported []findings.Finding `json:"reported"`
	// Suppressed are the findings an active suppression matched, at any
	// severity, each with that suppression.
	Suppressed []suppress.Match `json:"suppressed"`
	// ExpiredMatches are the unsuppressed findings that an expired
	// suppression matched, each with that suppression.
	ExpiredMatches []suppress.Match `json:"expired_matches"`
	// Expired are the suppressions whose expiry day has passed.
	Expired []suppress.Entry `json:"expired"`
	// Unused are the active suppressions that matched no finding, except
	// those that name a target the scan did not cover.
	Unused []suppress.Entry `json:"unused"`
	// Counts are the numbers of unsuppressed findings by target name and
	// severity, at every severity. Every scanned target has an entry, an
	// empty map when it has no finding.
	Counts map[string]map[findings.Severity]int `json:"counts"`
	// Targets are the scanned targets, which Err uses to name each
	// finding's image and digest.
	Targets []findings.Target `json:"targets"`
}

// Evaluate applies the suppressions to the findings of the scans at the time
// now, then blocks when a remaining finding has a block-on severity of the
// policy. It expects a valid policy, as DefaultPolicy, LoadPolicy and the
// With methods return.
func Evaluate(policy Policy, scans []findings.Scan, suppressions []suppress.Entry, now time.Time) Verdict {
	var all []findings.Finding
	verdict := Verdict{
		BlockOn:          policy.BlockOn,
		SuppressionsFile: policy.SuppressionsFile,
		Blocking:         []findings.Finding{},
		Reported:         []findings.Finding{},
		Counts:           map[string]map[findings.Severity]int{},
		Targets:          []findings.Target{},
	}
	for _, scan := range scans {
		verdict.Targets = append(verdict.Targets, scan.Target)
		verdict.Counts[scan.Target.Name] = map[findings.Severity]int{}
		all = append(all, scan.Findings...)
	}

	applied := suppress.Apply(all, suppressions, now)
	verdict.Suppressed = applied.Suppressed
	verdict.ExpiredMatches = applied.ExpiredMatches
	verdict.Expired = applied.Expired
	// An entry for a target that was not scanned, as with --targets, may
	// still match in a full scan, so it is not reported as unused.
	verdict.Unused = []suppress.Entry{}
	for _, e := range applied.Unused {
		if e.Target == "" || verdict.Counts[e.Target] != nil {
			verdict.Unused = append(verdict.Unused, e)
		}
	}

	kept := slices.Clone(applied.Kept)
	slices.SortStableFunc(kept, func(a, b findings.Finding) int { return b.Severity.Rank() - a.Severity.Rank() })
	for _, f := range kept {
		if verdict.Counts[f.Target] == nil {
			verdict.Counts[f.Target] = map[findings.Severity]int{}
		}
		verdict.Counts[f.Target][f.Severity]++
		if slices.Contains(policy.Report, f.Severity) {
			verdict.Reported = append(verdict.Reported, f)
		}
		if slices.Contains(policy.BlockOn, f.Severity) {
			verdict.Blocking = append(verdict.Blocking, f)
		}
	}

	verdict.Blocked = len(verdict.Blocking) > 0
	verdict.Reason = verdict.reason()
	return verdict
}

// reason returns the one-line summary of the verdict.
func (v Verdict) reason() string {
	blockOn := joinSeverities(v.BlockOn)
	if !v.Blocked {
		return fmt.Sprintf("no unsuppressed finding at %s: %d reported, %d suppressed, %d expired suppressions", blockOn, len(v.Reported), len(v.Suppressed), len(v.Expired))
	}

	// Count the blocking findings by target, in the order of first mention.
	var names []string
	perTarget := map[string]int{}
	for _, f := range v.Blocking {
		if perTarget[f.Target] == 0 {
			names = append(names, f.Target)
		}
		perTarget[f.Target]++
	}
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = fmt.Sprintf("%d in %s", perTarget[name], name)
	}
	return fmt.Sprintf("%s at %s without an active suppression: %s", countFindings(len(v.Blocking)), blockOn, strings.Join(parts, ", "))
}

// Err returns nil when the gate did not block, else an error wrapping
// ErrBlocked. Its message gives each blocking finding on its own line: ID,
// severity, package with installed and fixed versions (or file and line),
// and target with image and digest when known. Below a finding that an
// expired suppression matched, a line names that suppression, its expiry
// day and owner.
func (v Verdict) Err() error {
	if !v.Blocked {
		return nil
	}
	expired := suppress.Result{ExpiredMatches: v.ExpiredMatches}
	var b strings.Builder
	fmt.Fprintf(&b, "%s at block-on severity %s have no active suppression:", countFindings(len(v.Blocking)), joinSeverities(v.BlockOn))
	for _, f := range v.Blocking {
		fmt.Fprintf(&b, "\n  %s", v.describe(f))
		if entry, ok := expired.ExpiredFor(f); ok {
			fmt.Fprintf(&b, "\n    suppression for %s (%s:%d) expired on %s, owner %s", entry.ID, entry.File, entry.Line, entry.ExpiryDate(), entry.Owner)
		}
	}
	fmt.Fprintf(&b, "\nfix each finding (upgrade the package, remove the secret, correct the configuration), or add a suppression with a justification, owner and expiry date to %s", v.SuppressionsFile)
	return fmt.Errorf("%w: %s", ErrBlocked, b.String())
}

// describe returns one line about a finding for Err.
func (v Verdict) describe(f findings.Finding) string {
	var what string
	switch {
	case f.Package != "":
		fix := "no fixed version"
		if f.FixedVersion != "" {
			fix = "fixed in " + f.FixedVersion
		}
		what = fmt.Sprintf("in %s %s (%s)", f.Package, f.InstalledVersion, fix)
		if f.Path != "" {
			what += " from " + f.Path
		}
	case f.Path != "":
		what = fmt.Sprintf("%s %q at %s", f.Class, f.Title, location(f))
	default:
		what = fmt.Sprintf("%s %q", f.Class, f.Title)
	}
	return fmt.Sprintf("%s %s %s, target %s", f.ID, f.Severity, what, v.describeTarget(f.Target))
}

// describeTarget returns the target's name with its image and digest when
// they are known.
func (v Verdict) describeTarget(name string) string {
	for _, t := range v.Targets {
		if t.Name != name {
			continue
		}
		var details []string
		if t.Image != "" {
			details = append(details, "image "+t.Image)
		}
		if t.Digest != "" {
			details = append(details, "digest "+t.Digest)
		}
		if len(details) > 0 {
			return fmt.Sprintf("%s (%s)", name, strings.Join(details, ", "))
		}
	}
	return name
}

func location(f findings.Finding) string {
	if f.Line > 0 {
		return fmt.Sprintf("%s:%d", f.Path, f.Line)
	}
	return f.Path
}

func countFindings(n int) string {
	if n == 1 {
		return "1 finding"
	}
	return fmt.Sprintf("%d findings", n)
}
