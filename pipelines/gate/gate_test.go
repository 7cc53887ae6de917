package gate

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/atlasia-ai/supplychain/pipelines/findings"
	"github.com/atlasia-ai/supplychain/pipelines/suppress"
)

const backendDigest = "sha256:24dd544971d8e43683ca3652691948adf504e3326c992ab936d7cb7c4d6f4b79"

// loadScan parses a real Trivy v0.74 capture of pipelines/findings/testdata.
// The backend capture has, at every severity: ATLASIA-FIXTURE-0001 CRITICAL
// in apt, 0004 LOW in bsdutils, 0003 MEDIUM in libc6, 0002 HIGH in zlib1g
// and 0005 HIGH in github.com/jackc/pgx/v5.
func loadScan(t *testing.T, file string, target findings.Target) findings.Scan {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "findings", "testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	scan, err := findings.ParseTrivyReport(data, target)
	if err != nil {
		t.Fatal(err)
	}
	return scan
}

func backendScan(t *testing.T) findings.Scan {
	return loadScan(t, "trivy-image-backend.json", findings.Target{Name: "image/ai-orchestrator", Kind: "image", Image: "atlasia/ai-orchestrator:dev"})
}

func parseEntries(t *testing.T, yaml string) []suppress.Entry {
	t.Helper()
	entries, err := suppress.Parse([]byte(yaml), "infra/trivy-suppressions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// ids returns "ID package" of each finding, a short form to compare.
func ids(found []findings.Finding) []string {
	out := []string{}
	for _, f := range found {
		out = append(out, strings.TrimSpace(f.ID+" "+f.Package))
	}
	return out
}

func entryIDs(entries []suppress.Entry) []string {
	out := []string{}
	for _, e := range entries {
		out = append(out, e.ID)
	}
	return out
}

func TestEvaluate(t *testing.T) {
	now := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	blockHigh, err := DefaultPolicy().WithBlockOn("HIGH,CRITICAL")
	if err != nil {
		t.Fatal(err)
	}
	aptActive := `suppressions:
  - id: ATLASIA-FIXTURE-0001
    package: apt
    justification: apt is removed by the hardening step.
    owner: platform-team
    expires: 2026-02-01
`
	aptExpired := strings.Replace(aptActive, "2026-02-01", "2026-01-31", 1)
	unused := aptActive + `  - id: CVE-2024-0001
    justification: kept from an older base image.
    owner: security
    expires: 2027-01-01
`

	tests := []struct {
		name         string
		policy       Policy
		scans        func(t *testing.T) []findings.Scan
		suppressions string
		wantBlocked  bool
		wantBlocking []string
		wantReported []string
		wantSupp     []string
		wantExpired  []string
		wantUnused   []string
	}{
		{
			name:         "default blocks on critical only",
			policy:       DefaultPolicy(),
			scans:        func(t *testing.T) []findings.Scan { return []findings.Scan{backendScan(t)} },
			wantBlocked:  true,
			wantBlocking: []string{"ATLASIA-FIXTURE-0001 apt"},
			wantReported: []string{"ATLASIA-FIXTURE-0001 apt", "ATLASIA-FIXTURE-0002 zlib1g", "ATLASIA-FIXTURE-0005 github.com/jackc/pgx/v5"},
		},
		{
			name:   "high is reported but does not block",
			policy: DefaultPolicy(),
			scans: func(t *testing.T) []findings.Scan {
				scan := backendScan(t)
				var high []findings.Finding
				for _, f := range scan.Findings {
					if f.Severity != findings.Critical {
						high = append(high, f)
					}
				}
				scan.Findings = high
				return []findings.Scan{scan}
			},
			wantBlocked:  false,
			wantReported: []string{"ATLASIA-FIXTURE-0002 zlib1g", "ATLASIA-FIXTURE-0005 github.com/jackc/pgx/v5"},
		},
		{
			name:         "override to high blocks",
			policy:       blockHigh,
			scans:        func(t *testing.T) []findings.Scan { return []findings.Scan{backendScan(t)} },
			wantBlocked:  true,
			wantBlocking: []string{"ATLASIA-FIXTURE-0001 apt", "ATLASIA-FIXTURE-0002 zlib1g", "ATLASIA-FIXTURE-0005 github.com/jackc/pgx/v5"},
			wantReported: []string{"ATLASIA-FIXTURE-0001 apt", "ATLASIA-FIXTURE-0002 zlib1g", "ATLASIA-FIXTURE-0005 github.com/jackc/pgx/v5"},
		},
		{
			name:         "suppression on its expiry day unblocks",
			policy:       DefaultPolicy(),
			scans:        func(t *testing.T) []findings.Scan { return []findings.Scan{backendScan(t)} },
			suppressions: aptActive,
			wantBlocked:  false,
			wantReported: []string{"ATLASIA-FIXTURE-0002 zlib1g", "ATLASIA-FIXTURE-0005 github.com/jackc/pgx/v5"},
			wantSupp:     []string{"ATLASIA-FIXTURE-0001 apt"},
		},
		{
			name:         "expired suppression blocks",
			policy:       DefaultPolicy(),
			scans:        func(t *testing.T) []findings.Scan { return []findings.Scan{backendScan(t)} },
			suppressions: aptExpired,
			wantBlocked:  true,
			wantBlocking: []string{"ATLASIA-FIXTURE-0001 apt"},
			wantReported: []string{"ATLASIA-FIXTURE-0001 apt", "ATLASIA-FIXTURE-0002 zlib1g", "ATLASIA-FIXTURE-0005 github.com/jackc/pgx/v5"},
			wantExpired:  []string{"ATLASIA-FIXTURE-0001"},
		},
		{
			name:         "unused suppression",
			policy:       DefaultPolicy(),
			scans:        func(t *testing.T) []findings.Scan { return []findings.Scan{backendScan(t)} },
			suppressions: unused,
			wantBlocked:  false,
			wantReported: []string{"ATLASIA-FIXTURE-0002 zlib1g", "ATLASIA-FIXTURE-0005 github.com/jackc/pgx/v5"},
			wantSupp:     []string{"ATLASIA-FIXTURE-0001 apt"},
			wantUnused:   []string{"CVE-2024-0001"},
		},
		{
			name:   "suppression for an unscanned target is not unused",
			policy: DefaultPolicy(),
			scans:  func(t *testing.T) []findings.Scan { return []findings.Scan{backendScan(t)} },
			suppressions: aptActive + `  - id: DS-0002
    target: source
    justification: the toolchain image runs as root.
    owner: platform-team
    expires: 2027-01-01
  - id: DS-0002
    target: image/ai-orchestrator
    justification: a scanned target, so this entry is unused.
    owner: platform-team
    expires: 2027-01-01
`,
			wantBlocked:  false,
			wantReported: []string{"ATLASIA-FIXTURE-0002 zlib1g", "ATLASIA-FIXTURE-0005 github.com/jackc/pgx/v5"},
			wantSupp:     []string{"ATLASIA-FIXTURE-0001 apt"},
			wantUnused:   []string{"DS-0002"},
		},
		{
			name:   "secrets block",
			policy: DefaultPolicy(),
			scans: func(t *testing.T) []findings.Scan {
				return []findings.Scan{loadScan(t, "trivy-image-secret.json", findings.Target{Name: "image/secret-fixture", Kind: "image"})}
			},
			wantBlocked:  true,
			wantBlocking: []string{"aws-access-key-id", "aws-secret-access-key"},
			wantReported: []string{"aws-access-key-id", "aws-secret-access-key"},
		},
		{
			name:         "no scans",
			policy:       DefaultPolicy(),
			scans:        func(t *testing.T) []findings.Scan { return nil },
			wantBlocked:  false,
			wantReported: []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var entries []suppress.Entry
			if tt.suppressions != "" {
				entries = parseEntries(t, tt.suppressions)
			}
			v := Evaluate(tt.policy, tt.scans(t), entries, now)

			if v.Blocked != tt.wantBlocked {
				t.Errorf("Blocked = %v, want %v (reason %q)", v.Blocked, tt.wantBlocked, v.Reason)
			}
			if got, want := ids(v.Blocking), orEmpty(tt.wantBlocking); !reflect.DeepEqual(got, want) {
				t.Errorf("Blocking = %q, want %q", got, want)
			}
			if got, want := ids(v.Reported), orEmpty(tt.wantReported); !reflect.DeepEqual(got, want) {
				t.Errorf("Reported = %q, want %q", got, want)
			}
			var suppressed []findings.Finding
			for _, m := range v.Suppressed {
				suppressed = append(suppressed, m.Finding)
			}
			if got, want := ids(suppressed), orEmpty(tt.wantSupp); !reflect.DeepEqual(got, want) {
				t.Errorf("Suppressed = %q, want %q", got, want)
			}
			if got, want := entryIDs(v.Expired), orEmpty(tt.wantExpired); !reflect.DeepEqual(got, want) {
				t.Errorf("Expired = %q, want %q", got, want)
			}
			if got, want := entryIDs(v.Unused), orEmpty(tt.wantUnused); !reflect.DeepEqual(got, want) {
				t.Errorf("Unused = %q, want %q", got, want)
			}
			if gotErr := v.Err() != nil; gotErr != tt.wantBlocked {
				t.Errorf("Err() = %v, want an error only when blocked", v.Err())
			}
		})
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func TestEvaluateCounts(t *testing.T) {
	source := findings.Scan{Target: findings.Target{Name: "source", Kind: "filesystem"}}
	entries := parseEntries(t, `suppressions:
  - id: ATLASIA-FIXTURE-0002
    justification: fixture
    owner: platform-team
    expires: 2027-01-01
`)
	v := Evaluate(DefaultPolicy(), []findings.Scan{backendScan(t), source}, entries, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))

	// Counts cover every severity, not only the reported ones, and leave
	// the suppressed zlib1g finding out.
	want := map[string]map[findings.Severity]int{
		"image/ai-orchestrator": {findings.Critical: 1, findings.High: 1, findings.Medium: 1, findings.Low: 1},
		"source":                {},
	}
	if !reflect.DeepEqual(v.Counts, want) {
		t.Errorf("Counts = %v, want %v", v.Counts, want)
	}
}

func TestVerdictErr(t *testing.T) {
	entries := parseEntries(t, `suppressions:
  - id: ATLASIA-FIXTURE-0001
    package: apt
    justification: apt is removed by the hardening step.
    owner: platform-team
    expires: 2026-01-31
`)
	policy, err := DefaultPolicy().WithBlockOn("HIGH,CRITICAL")
	if err != nil {
		t.Fatal(err)
	}
	secrets := loadScan(t, "trivy-image-secret.json", findings.Target{Name: "image/secret-fixture", Kind: "image"})
	v := Evaluate(policy, []findings.Scan{backendScan(t), secrets}, entries, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))

	err = v.Err()
	if err == nil {
		t.Fatal("Err() = nil, want an error")
	}
	if !errors.Is(err, ErrBlocked) {
		t.Errorf("Err() does not wrap ErrBlocked")
	}
	msg := err.Error()
	wantLines := []string{
		"release gate blocked: 5 findings at block-on severity HIGH,CRITICAL have no active suppression:",
		"  ATLASIA-FIXTURE-0001 CRITICAL in apt 2.6.1 (no fixed version), target image/ai-orchestrator (image atlasia/ai-orchestrator:dev, digest " + backendDigest + ")",
		"    suppression for ATLASIA-FIXTURE-0001 (infra/trivy-suppressions.yaml:2) expired on 2026-01-31, owner platform-team",
		`  aws-access-key-id CRITICAL secret "AWS Access Key ID" at /etc/atlasia/settings.env:1, target image/secret-fixture (digest sha256:62f39723f8f5e91e1cbdf948f3712f6e4ee8d75be1c3501c2896572126c56cb6)`,
		"  ATLASIA-FIXTURE-0002 HIGH in zlib1g 1:1.2.13.dfsg-1 (fixed in 1:99.0.0-1), target image/ai-orchestrator (image atlasia/ai-orchestrator:dev, digest " + backendDigest + ")",
		"  ATLASIA-FIXTURE-0005 HIGH in github.com/jackc/pgx/v5 v5.9.2 (fixed in 5.999.0) from usr/local/bin/ai-orchestrator, target image/ai-orchestrator",
		"fix each finding (upgrade the package, remove the secret, correct the configuration), or add a suppression with a justification, owner and expiry date to infra/trivy-suppressions.yaml",
	}
	lines := strings.Split(msg, "\n")
	for _, want := range wantLines {
		found := false
		for _, line := range lines {
			if strings.HasPrefix(line, want) {
				found = true
			}
		}
		if !found {
			t.Errorf("Err() message has no line starting with\n%s\nmessage:\n%s", want, msg)
		}
	}
	// Only the apt finding had a suppression, so only it has a note.
	if n := strings.Count(msg, "expired on"); n != 1 {
		t.Errorf("message names %d expired suppressions, want 1:\n%s", n, msg)
	}
	if !strings.HasPrefix(v.Reason, "5 findings at HIGH,CRITICAL without an active suppression: 3 in image/ai-orchestrator, 2 in image/secret-fixture") {
		t.Errorf("Reason = %q", v.Reason)
	}
}

func TestVerdictErrMisconfiguration(t *testing.T) {
	scan := findings.Scan{
		Target: findings.Target{Name: "source", Kind: "filesystem"},
		Findings: []findings.Finding{
			{Target: "source", Class: findings.Misconfiguration, ID: "DS-0002", Severity: findings.Critical, Title: "Image user should not be 'root'", Path: "Dockerfile"},
			{Target: "source", Class: findings.Misconfiguration, ID: "ATL-CMP-001", Severity: findings.Critical, Title: "privileged service"},
		},
	}
	err := Evaluate(DefaultPolicy(), []findings.Scan{scan}, nil, time.Now()).Err()
	if err == nil {
		t.Fatal("Err() = nil, want an error")
	}
	for _, want := range []string{
		`DS-0002 CRITICAL misconfiguration "Image user should not be 'root'" at Dockerfile, target source`,
		`ATL-CMP-001 CRITICAL misconfiguration "privileged service", target source`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Err() message does not contain %q:\n%s", want, err)
		}
	}
}

func TestVerdictReasonWhenPassed(t *testing.T) {
	v := Evaluate(DefaultPolicy(), nil, nil, time.Now())
	if v.Err() != nil {
		t.Errorf("Err() = %v, want nil", v.Err())
	}
	if want := "no unsuppressed finding at CRITICAL: 0 reported, 0 suppressed, 0 expired suppressions"; v.Reason != want {
		t.Errorf("Reason = %q, want %q", v.Reason, want)
	}
}
