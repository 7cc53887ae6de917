package report

import (
	"strings"
	"testing"
	"time"

	"github.com/atlasia-ai/supplychain/pipelines/findings"
	"github.com/atlasia-ai/supplychain/pipelines/gate"
	"github.com/atlasia-ai/supplychain/pipelines/suppress"
)

func TestFromVerdict(t *testing.T) {
	target := findings.Target{Name: "image/ai-orchestrator", Kind: "image", Digest: "sha256:24dd5449"}
	apt := findings.Finding{Target: target.Name, Class: findings.Vulnerability, ID: "ATLASIA-FIXTURE-0001", Severity: findings.Critical, Package: "apt", InstalledVersion: "2.6.1", Status: "affected"}
	zlib := findings.Finding{Target: target.Name, Class: findings.Vulnerability, ID: "ATLASIA-FIXTURE-0002", Severity: findings.High, Package: "zlib1g", InstalledVersion: "1:1.2.13.dfsg-1", FixedVersion: "1:99.0.0-1"}
	expires := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)
	entries := []suppress.Entry{
		{ID: "ATLASIA-FIXTURE-0001", Justification: "apt is removed by hardening", Owner: "platform", Expires: expires},
		{ID: "CVE-0000-0000", Justification: "no longer present", Owner: "platform", Expires: expires, Index: 1},
	}
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	verdict := gate.Evaluate(gate.DefaultPolicy(), []findings.Scan{{Target: target, Findings: []findings.Finding{apt, zlib}}}, entries, now)

	summary := FromVerdict(verdict)
	if summary.Blocked {
		t.Errorf("Blocked = true, want false: the only CRITICAL finding is suppressed")
	}
	if len(summary.Suppressed) != 1 || summary.Suppressed[0].Suppression.Owner != "platform" || !summary.Suppressed[0].Suppression.Expires.Equal(expires) {
		t.Errorf("Suppressed = %+v, want the apt finding with its entry", summary.Suppressed)
	}
	if len(summary.Unused) != 1 || summary.Unused[0].ID != "CVE-0000-0000" {
		t.Errorf("Unused = %+v, want CVE-0000-0000", summary.Unused)
	}
	if len(summary.Findings) != 1 || summary.Findings[0].ID != "ATLASIA-FIXTURE-0002" {
		t.Errorf("Findings = %+v, want the zlib finding", summary.Findings)
	}
	markdown := Markdown(summary)
	for _, want := range []string{"ATLASIA-FIXTURE-0001", "2027-03-31", "CVE-0000-0000"} {
		if !strings.Contains(markdown, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, markdown)
		}
	}
}
