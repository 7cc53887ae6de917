package findings

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const backendImageID = "sha256:24dd544971d8e43683ca3652691948adf504e3326c992ab936d7cb7c4d6f4b79"

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseTrivyReport(t *testing.T) {
	backend := Target{Name: "image/ai-orchestrator", Kind: "image", Image: "atlasia/ai-orchestrator:dev"}
	source := Target{Name: "source", Kind: "filesystem"}

	tests := []struct {
		name       string
		file       string
		target     Target
		wantDigest string
		// want is the complete list of findings, in the report's order.
		want []Finding
	}{
		{
			name:       "image vulnerabilities",
			file:       "trivy-image-backend.json",
			target:     backend,
			wantDigest: backendImageID,
			want: []Finding{
				{
					Target: "image/ai-orchestrator", Class: Vulnerability, ID: "ATLASIA-FIXTURE-0001", Severity: Critical,
					Title:   "Fixture: unfixed critical advisory in apt (not a real vulnerability)",
					Package: "apt", InstalledVersion: "2.6.1", Status: "affected",
					PURL: "pkg:deb/debian/apt@2.6.1?arch=amd64&distro=debian-12.15",
				},
				{
					Target: "image/ai-orchestrator", Class: Vulnerability, ID: "ATLASIA-FIXTURE-0004", Severity: Low,
					Title:   "Fixture: low advisory in util-linux that Debian will not fix (not a real vulnerability)",
					Package: "bsdutils", InstalledVersion: "1:2.38.1-5+deb12u3", Status: "will_not_fix",
					PURL: "pkg:deb/debian/bsdutils@2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12.15&epoch=1",
				},
				{
					Target: "image/ai-orchestrator", Class: Vulnerability, ID: "ATLASIA-FIXTURE-0003", Severity: Medium,
					Title:   "Fixture: medium advisory in glibc that Debian will not fix (not a real vulnerability)",
					Package: "libc6", InstalledVersion: "2.36-9+deb12u14", Status: "will_not_fix",
					PURL: "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12.15",
				},
				{
					Target: "image/ai-orchestrator", Class: Vulnerability, ID: "ATLASIA-FIXTURE-0002", Severity: High,
					Title:   "Fixture: high advisory in zlib fixed in 1:99.0.0-1 (not a real vulnerability)",
					Package: "zlib1g", InstalledVersion: "1:1.2.13.dfsg-1", FixedVersion: "1:99.0.0-1", Status: "fixed",
					PURL: "pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64&distro=debian-12.15&epoch=1",
				},
				{
					Target: "image/ai-orchestrator", Class: Vulnerability, ID: "ATLASIA-FIXTURE-0005", Severity: High,
					Title:   "Fixture: high advisory in github.com/jackc/pgx/v5 (not a real vulnerability)",
					Package: "github.com/jackc/pgx/v5", InstalledVersion: "v5.9.2", FixedVersion: "5.999.0", Status: "fixed",
					PURL: "pkg:golang/github.com/jackc/pgx/v5@v5.9.2",
					// A language package gets the file it was found in.
					Path: "usr/local/bin/ai-orchestrator",
				},
			},
		},
		{
			name:       "image secrets",
			file:       "trivy-image-secret.json",
			target:     Target{Name: "image/secret-fixture", Kind: "image"},
			wantDigest: "sha256:62f39723f8f5e91e1cbdf948f3712f6e4ee8d75be1c3501c2896572126c56cb6",
			want: []Finding{
				{Target: "image/secret-fixture", Class: Secret, ID: "aws-access-key-id", Severity: Critical, Title: "AWS Access Key ID", Path: "/etc/atlasia/settings.env", Line: 1},
				{Target: "image/secret-fixture", Class: Secret, ID: "aws-secret-access-key", Severity: Critical, Title: "AWS Secret Access Key", Path: "/etc/atlasia/settings.env", Line: 2},
			},
		},
		{
			name:   "filesystem misconfigurations and secrets",
			file:   "trivy-fs-misconfig-secret.json",
			target: source,
			want: []Finding{
				{
					Target: "source", Class: Misconfiguration, ID: "DS-0001", Severity: Medium, Title: "':latest' tag used",
					Path: "Dockerfile", Line: 1, Message: "Specify a tag in the 'FROM' statement for image 'debian'",
					URL: "https://avd.aquasec.com/misconfig/ds-0001",
				},
				{
					// A check about the whole file has no line.
					Target: "source", Class: Misconfiguration, ID: "DS-0002", Severity: High, Title: "Image user should not be 'root'",
					Path: "Dockerfile", Message: "Specify at least 1 USER command in Dockerfile with non-root user as argument",
					URL: "https://avd.aquasec.com/misconfig/ds-0002",
				},
				{
					Target: "source", Class: Misconfiguration, ID: "DS-0005", Severity: Low, Title: "ADD instead of COPY",
					Path: "Dockerfile", Line: 2, Message: "Consider using 'COPY app /app' command instead of 'ADD app /app'",
					URL: "https://avd.aquasec.com/misconfig/ds-0005",
				},
				{
					Target: "source", Class: Misconfiguration, ID: "DS-0026", Severity: Low, Title: "No HEALTHCHECK defined",
					Path: "Dockerfile", Message: "Add HEALTHCHECK instruction in your Dockerfile",
					URL: "https://avd.aquasec.com/misconfig/ds-0026",
				},
				{
					Target: "source", Class: Misconfiguration, ID: "DS-0029", Severity: High, Title: "'apt-get' missing '--no-install-recommends'",
					Path: "Dockerfile", Line: 3, Message: "'--no-install-recommends' flag is missed: 'apt-get update && apt-get install -y curl'",
					URL: "https://avd.aquasec.com/misconfig/ds-0029",
				},
				{Target: "source", Class: Secret, ID: "github-pat", Severity: Critical, Title: "GitHub Personal Access Token", Path: "app/main.go", Line: 3},
				{Target: "source", Class: Secret, ID: "aws-access-key-id", Severity: Critical, Title: "AWS Access Key ID", Path: "app/settings.env", Line: 1},
				{Target: "source", Class: Secret, ID: "aws-secret-access-key", Severity: Critical, Title: "AWS Secret Access Key", Path: "app/settings.env", Line: 2},
			},
		},
		{
			// The capture has two PASS entries, one of them CRITICAL, that
			// must not become findings.
			name:   "config scan keeps failed checks only",
			file:   "trivy-config-dockerfile.json",
			target: source,
			want: []Finding{
				{
					Target: "source", Class: Misconfiguration, ID: "DS-0001", Severity: Medium, Title: "':latest' tag used",
					Path: "Dockerfile", Line: 1, Message: "Specify a tag in the 'FROM' statement for image 'debian'",
					URL: "https://avd.aquasec.com/misconfig/ds-0001",
				},
				{
					Target: "source", Class: Misconfiguration, ID: "DS-0002", Severity: High, Title: "Image user should not be 'root'",
					Path: "Dockerfile", Message: "Specify at least 1 USER command in Dockerfile with non-root user as argument",
					URL: "https://avd.aquasec.com/misconfig/ds-0002",
				},
			},
		},
		{
			name:   "clean project images",
			file:   "trivy-fs-images-clean.json",
			target: source,
			want:   []Finding{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scan, err := ParseTrivyReport(readTestdata(t, tt.file), tt.target)
			if err != nil {
				t.Fatalf("ParseTrivyReport: %v", err)
			}

			wantTarget := tt.target
			wantTarget.Digest = tt.wantDigest
			if scan.Target != wantTarget {
				t.Errorf("Target = %+v, want %+v", scan.Target, wantTarget)
			}
			if len(scan.Findings) != len(tt.want) {
				t.Fatalf("got %d findings, want %d: %+v", len(scan.Findings), len(tt.want), scan.Findings)
			}
			for i := range tt.want {
				if !reflect.DeepEqual(scan.Findings[i], tt.want[i]) {
					t.Errorf("finding %d:\n got %+v\nwant %+v", i, scan.Findings[i], tt.want[i])
				}
			}
		})
	}
}

func TestParseTrivySecretTextLeftOut(t *testing.T) {
	// Trivy masks the secret itself with asterisks, but Match and Code still
	// carry the surrounding line, such as the variable name.
	leaks := []string{"****", "AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "const token"}
	for _, file := range []string{"trivy-image-secret.json", "trivy-fs-misconfig-secret.json"} {
		got, err := ParseTrivy(readTestdata(t, file), Target{Name: "t"})
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, f := range got {
			text := strings.Join([]string{f.Title, f.Message, f.Path, f.Package, f.URL}, "\n")
			for _, leak := range leaks {
				if strings.Contains(text, leak) {
					t.Errorf("%s: finding %s contains %q from the secret's line", file, f.ID, leak)
				}
			}
		}
	}
}

func TestParseTrivyKeepsMatchingDigest(t *testing.T) {
	target := Target{Name: "image/ai-orchestrator", Digest: backendImageID}
	got, err := ParseTrivy(readTestdata(t, "trivy-image-backend.json"), target)
	if err != nil {
		t.Fatalf("ParseTrivy: %v", err)
	}
	if len(got) != 5 {
		t.Errorf("got %d findings, want 5", len(got))
	}
}

func TestParseTrivyErrors(t *testing.T) {
	target := Target{Name: "image/ai-orchestrator"}
	tests := []struct {
		name   string
		data   string
		target Target
		// want are substrings of the error message.
		want []string
	}{
		{
			name:   "target without name",
			data:   `{"SchemaVersion": 2}`,
			target: Target{},
			want:   []string{"Target.Name"},
		},
		{
			name:   "empty input",
			data:   ``,
			target: target,
			want:   []string{`"image/ai-orchestrator"`, "trivy --format json"},
		},
		{
			name:   "truncated JSON",
			data:   `{"SchemaVersion": 2, "Results": [`,
			target: target,
			want:   []string{`"image/ai-orchestrator"`, "at byte offset 33"},
		},
		{
			name:   "wrong field type",
			data:   `{"SchemaVersion": 2, "Results": [{"Target": 7}]}`,
			target: target,
			want:   []string{`"image/ai-orchestrator"`, "Results.Target", "at byte offset"},
		},
		{
			name:   "missing schema version",
			data:   `{"Results": []}`,
			target: target,
			want:   []string{`"image/ai-orchestrator"`, "SchemaVersion is 0, expected 2"},
		},
		{
			name:   "old schema version",
			data:   `{"SchemaVersion": 1}`,
			target: target,
			want:   []string{"SchemaVersion is 1, expected 2"},
		},
		{
			name:   "vulnerability without ID",
			data:   `{"SchemaVersion": 2, "Results": [{"Target": "x", "Vulnerabilities": [{"PkgName": "apt", "Severity": "HIGH"}]}]}`,
			target: target,
			want:   []string{`"image/ai-orchestrator"`, "Results[0].Vulnerabilities[0].VulnerabilityID is missing"},
		},
		{
			name:   "vulnerability without severity",
			data:   `{"SchemaVersion": 2, "Results": [{"Target": "x", "Vulnerabilities": [{"VulnerabilityID": "CVE-1", "Severity": "HIGH"}, {"VulnerabilityID": "CVE-2"}]}]}`,
			target: target,
			want:   []string{"Results[0].Vulnerabilities[1].Severity is missing"},
		},
		{
			name:   "invalid severity",
			data:   `{"SchemaVersion": 2, "Results": [{}, {"Target": "x", "Secrets": [{"RuleID": "r", "Severity": "SEVERE"}]}]}`,
			target: target,
			want:   []string{"Results[1].Secrets[0].Severity", `invalid severity "SEVERE"`},
		},
		{
			name:   "secret without rule",
			data:   `{"SchemaVersion": 2, "Results": [{"Target": "x", "Secrets": [{"Severity": "HIGH"}]}]}`,
			target: target,
			want:   []string{"Results[0].Secrets[0].RuleID is missing"},
		},
		{
			name:   "failed check without ID",
			data:   `{"SchemaVersion": 2, "Results": [{"Target": "x", "Misconfigurations": [{"Status": "FAIL", "Severity": "HIGH"}]}]}`,
			target: target,
			want:   []string{"Results[0].Misconfigurations[0].ID is missing"},
		},
		{
			name:   "digest mismatch",
			data:   `{"SchemaVersion": 2, "Metadata": {"ImageID": "sha256:aaa"}}`,
			target: Target{Name: "image/ai-orchestrator", Digest: "sha256:bbb"},
			want:   []string{`Metadata.ImageID is "sha256:aaa"`, `"sha256:bbb"`, `"image/ai-orchestrator"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTrivy([]byte(tt.data), tt.target)
			if err == nil {
				t.Fatal("ParseTrivy returned no error")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestParseTrivyOlderMisconfigurationID(t *testing.T) {
	// Reports of Trivy before v0.74 name the check in AVDID.
	data := `{"SchemaVersion": 2, "Results": [{"Target": "Dockerfile", "Misconfigurations": [{"AVDID": "AVD-DS-0002", "Status": "FAIL", "Severity": "HIGH"}]}]}`
	got, err := ParseTrivy([]byte(data), Target{Name: "source"})
	if err != nil {
		t.Fatalf("ParseTrivy: %v", err)
	}
	if len(got) != 1 || got[0].ID != "AVD-DS-0002" {
		t.Errorf("got %+v, want one finding with ID AVD-DS-0002", got)
	}
}
