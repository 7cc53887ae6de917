package gate

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/atlasia-ai/supplychain/pipelines/findings"
)

func TestLoadPolicyProjectFile(t *testing.T) {
	path := filepath.Join("..", "..", "infra", "trivy-config.yaml")
	got, err := LoadPolicy(path)
	if err != nil {
		t.Fatalf("LoadPolicy: %v", err)
	}
	want := DefaultPolicy()
	want.Source = path
	if !reflect.DeepEqual(got, want) {
		t.Errorf("infra/trivy-config.yaml:\n got %+v\nwant the defaults %+v", got, want)
	}
}

func TestLoadPolicyMissingFile(t *testing.T) {
	_, err := LoadPolicy(filepath.Join(t.TempDir(), "absent.yaml"))
	if err == nil || !strings.Contains(err.Error(), "absent.yaml") {
		t.Errorf("LoadPolicy error = %v, want one naming absent.yaml", err)
	}
}

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		name string
		data string
		// change turns DefaultPolicy into the expected policy.
		change func(*Policy)
	}{
		{
			name:   "only block-on",
			data:   "gate:\n  block-on: [HIGH]\n",
			change: func(p *Policy) { p.BlockOn = []findings.Severity{findings.High} },
		},
		{
			name: "comma-separated strings in any case",
			data: "severity: critical, high,medium\ngate:\n  block-on: HIGH,critical\n",
			change: func(p *Policy) {
				p.Report = []findings.Severity{findings.Medium, findings.High, findings.Critical}
				p.BlockOn = []findings.Severity{findings.High, findings.Critical}
			},
		},
		{
			name: "every key",
			data: `severity: [LOW, MEDIUM, HIGH, CRITICAL, HIGH]
scan:
  scanners: [vuln, misconfig, secret, license]
  skip-dirs: [/var/lib/apt/lists, /usr/share/doc]
timeout: 1h30m
gate:
  block-on: [MEDIUM]
  suppressions: ci/suppressions.yaml
`,
			change: func(p *Policy) {
				p.Report = []findings.Severity{findings.Low, findings.Medium, findings.High, findings.Critical}
				p.Scanners = []string{"vuln", "misconfig", "secret", "license"}
				p.SkipDirs = []string{"/var/lib/apt/lists", "/usr/share/doc"}
				p.Timeout = 90 * time.Minute
				p.BlockOn = []findings.Severity{findings.Medium}
				p.SuppressionsFile = "ci/suppressions.yaml"
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePolicy([]byte(tt.data), "p.yaml")
			if err != nil {
				t.Fatalf("ParsePolicy: %v", err)
			}
			want := DefaultPolicy()
			want.Source = "p.yaml"
			tt.change(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ParsePolicy:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestParsePolicyErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		// want are substrings of the error message.
		want []string
	}{
		{name: "empty file", data: "", want: []string{"p.yaml", "the file is empty"}},
		{name: "second document", data: "timeout: 5m\n---\ntimeout: 6m\n", want: []string{"p.yaml:2", "a second YAML document starts here"}},
		{name: "list at top level", data: "- HIGH\n", want: []string{"p.yaml:1", "top level: must be a mapping"}},
		{name: "unknown top-level key", data: "severity: [HIGH, CRITICAL]\nexit-code: 1\n", want: []string{"p.yaml:2", "exit-code: unknown key", "gate, scan, severity, timeout"}},
		{name: "unknown gate key", data: "gate:\n  block_on: [CRITICAL]\n", want: []string{"p.yaml:2", "gate.block_on: unknown key", "block-on, suppressions"}},
		{name: "unknown scan key", data: "scan:\n  skip-files: [a]\n", want: []string{"p.yaml:2", "scan.skip-files: unknown key"}},
		{name: "repeated key", data: "timeout: 5m\ntimeout: 6m\n", want: []string{"p.yaml:2", "timeout: the key appears twice"}},
		{name: "gate not a mapping", data: "gate: CRITICAL\n", want: []string{"p.yaml:1", "gate: must be a mapping"}},
		{name: "invalid severity", data: "severity: [HIGH, CRTICAL]\n", want: []string{"p.yaml:1", "severity", `invalid severity "CRTICAL"`}},
		{name: "invalid block-on", data: "gate:\n  block-on: SEVERE\n", want: []string{"p.yaml:2", "gate.block-on", `invalid severity "SEVERE"`}},
		{name: "empty severity list", data: "severity: []\n", want: []string{"p.yaml:1", "severity: the list is empty"}},
		{name: "empty item", data: "severity: HIGH,,CRITICAL\n", want: []string{"severity: the list has an empty item"}},
		{name: "null severity", data: "severity:\n", want: []string{"p.yaml:1", "severity: must be a list"}},
		{name: "mapping item", data: "scan:\n  skip-dirs:\n    - {a: b}\n", want: []string{"p.yaml:3", "scan.skip-dirs: each item must be a string"}},
		{name: "unknown scanner", data: "scan:\n  scanners: [vuln, sbom]\n", want: []string{"p.yaml:2", "scan.scanners", `unknown scanner "sbom"`, "vuln, misconfig, secret, license"}},
		{name: "timeout without unit", data: "timeout: 600\n", want: []string{"p.yaml:1", `timeout: "600" is not a positive duration`, "10m"}},
		{name: "negative timeout", data: "timeout: -5m\n", want: []string{`timeout: "-5m" is not a positive duration`}},
		{name: "empty suppressions path", data: "gate:\n  suppressions: \"\"\n", want: []string{"p.yaml:2", "gate.suppressions: must be a non-empty string"}},
		{
			name: "block-on not reported",
			data: "severity: [CRITICAL]\ngate:\n  block-on: [HIGH, CRITICAL]\n",
			want: []string{"p.yaml:3", "block-on severity HIGH is not among the reported severities CRITICAL", "add it to severity"},
		},
		{
			name: "default block-on not reported",
			data: "severity: HIGH\n",
			want: []string{"p.yaml:1", "block-on severity CRITICAL is not among the reported severities HIGH"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePolicy([]byte(tt.data), "p.yaml")
			if err == nil {
				t.Fatalf("ParsePolicy returned no error and %+v", got)
			}
			if !errors.Is(err, ErrInvalidPolicy) {
				t.Errorf("error %q does not wrap ErrInvalidPolicy", err)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestParsePolicyYAMLSyntaxError(t *testing.T) {
	_, err := ParsePolicy([]byte("gate:\n  block-on: [HIGH\n"), "p.yaml")
	if err == nil || !strings.Contains(err.Error(), "p.yaml") {
		t.Errorf("ParsePolicy error = %v, want one naming p.yaml", err)
	}
}

func TestPolicyWithBlockOn(t *testing.T) {
	tests := []struct {
		name    string
		policy  Policy
		list    string
		want    []findings.Severity
		wantErr []string
	}{
		{name: "high and critical", policy: DefaultPolicy(), list: "HIGH,CRITICAL", want: []findings.Severity{findings.High, findings.Critical}},
		{name: "lower case with spaces", policy: DefaultPolicy(), list: " high ", want: []findings.Severity{findings.High}},
		{name: "misspelled severity", policy: DefaultPolicy(), list: "HIGH,CRTICAL", wantErr: []string{`block-on "HIGH,CRTICAL"`, `invalid severity "CRTICAL"`}},
		{name: "empty list", policy: DefaultPolicy(), list: " , ", wantErr: []string{`block-on " , "`, "no severity given"}},
		{name: "severity not reported", policy: DefaultPolicy(), list: "MEDIUM", wantErr: []string{`block-on "MEDIUM"`, "MEDIUM is not among the reported severities HIGH,CRITICAL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.policy.WithBlockOn(tt.list)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("WithBlockOn(%q) returned no error", tt.list)
				}
				if !errors.Is(err, ErrInvalidPolicy) {
					t.Errorf("error %q does not wrap ErrInvalidPolicy", err)
				}
				for _, want := range tt.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not contain %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("WithBlockOn(%q): %v", tt.list, err)
			}
			if !reflect.DeepEqual(got.BlockOn, tt.want) {
				t.Errorf("BlockOn = %v, want %v", got.BlockOn, tt.want)
			}
			if !reflect.DeepEqual(tt.policy.BlockOn, DefaultPolicy().BlockOn) {
				t.Errorf("WithBlockOn changed the receiver's BlockOn to %v", tt.policy.BlockOn)
			}
		})
	}
}

func TestPolicyWithReport(t *testing.T) {
	wider, err := DefaultPolicy().WithReport("MEDIUM,HIGH,CRITICAL")
	if err != nil {
		t.Fatalf("WithReport: %v", err)
	}
	if want := []findings.Severity{findings.Medium, findings.High, findings.Critical}; !reflect.DeepEqual(wider.Report, want) {
		t.Errorf("Report = %v, want %v", wider.Report, want)
	}

	// A wider report lets the gate block on MEDIUM.
	blockMedium, err := wider.WithBlockOn("MEDIUM")
	if err != nil {
		t.Fatalf("WithBlockOn(MEDIUM) after WithReport: %v", err)
	}
	if want := []findings.Severity{findings.Medium}; !reflect.DeepEqual(blockMedium.BlockOn, want) {
		t.Errorf("BlockOn = %v, want %v", blockMedium.BlockOn, want)
	}

	_, err = DefaultPolicy().WithReport("HIGH")
	if err == nil || !strings.Contains(err.Error(), `severity "HIGH"`) || !strings.Contains(err.Error(), "CRITICAL is not among the reported severities HIGH") {
		t.Errorf("WithReport(HIGH) error = %v, want one about block-on CRITICAL", err)
	}
	_, err = DefaultPolicy().WithReport("HIGH,URGENT")
	if err == nil || !strings.Contains(err.Error(), `invalid severity "URGENT"`) {
		t.Errorf("WithReport(HIGH,URGENT) error = %v, want one naming URGENT", err)
	}
}

func TestPolicyTrivyArgs(t *testing.T) {
	policy := DefaultPolicy()
	policy.SkipDirs = append(policy.SkipDirs, "/usr/share/doc")
	want := []string{
		"--severity", "HIGH,CRITICAL",
		"--scanners", "vuln,secret",
		"--skip-dirs", "/var/lib/apt/lists",
		"--skip-dirs", "/usr/share/doc",
		"--timeout", "10m0s",
	}
	if got := policy.TrivyArgs(); !reflect.DeepEqual(got, want) {
		t.Errorf("TrivyArgs() = %q, want %q", got, want)
	}
}

func TestPolicyTrivyArgsWithScanners(t *testing.T) {
	want := []string{
		"--severity", "HIGH,CRITICAL",
		"--scanners", "misconfig,secret",
		"--skip-dirs", "/var/lib/apt/lists",
		"--timeout", "10m0s",
	}
	if got := DefaultPolicy().TrivyArgsWithScanners([]string{"misconfig", "secret"}); !reflect.DeepEqual(got, want) {
		t.Errorf("TrivyArgsWithScanners() = %q, want %q", got, want)
	}
}
