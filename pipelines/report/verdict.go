package report

import (
	"github.com/atlasia-ai/supplychain/pipelines/gate"
	"github.com/atlasia-ai/supplychain/pipelines/suppress"
)

// FromVerdict returns the Summary of a gate verdict: the reported findings,
// the blocking ones, and what the suppressions did.
func FromVerdict(v gate.Verdict) Summary {
	return Summary{
		Targets:        v.Targets,
		Findings:       v.Reported,
		Blocking:       v.Blocking,
		Blocked:        v.Blocked,
		Reason:         v.Reason,
		BlockOn:        v.BlockOn,
		Suppressed:     suppressedFindings(v.Suppressed),
		ExpiredMatches: suppressedFindings(v.ExpiredMatches),
		Expired:        suppressions(v.Expired),
		Unused:         suppressions(v.Unused),
	}
}

func suppressedFindings(matches []suppress.Match) []SuppressedFinding {
	out := make([]SuppressedFinding, 0, len(matches))
	for _, m := range matches {
		out = append(out, SuppressedFinding{Finding: m.Finding, Suppression: suppressionOf(m.Entry)})
	}
	return out
}

func suppressions(entries []suppress.Entry) []Suppression {
	out := make([]Suppression, 0, len(entries))
	for _, e := range entries {
		out = append(out, suppressionOf(e))
	}
	return out
}

func suppressionOf(e suppress.Entry) Suppression {
	return Suppression{
		ID:            e.ID,
		Target:        e.Target,
		Package:       e.Package,
		PURL:          e.PURL,
		Path:          e.Path,
		Justification: e.Justification,
		Owner:         e.Owner,
		Expires:       e.Expires,
	}
}
