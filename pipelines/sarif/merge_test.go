package sarif

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	gosarif "github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/atlasia-ai/supplychain/pipelines/findings"
)

// The captures in testdata are Trivy v0.74.0 output; testdata/README.md
// gives the commands.
func readCapture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// composeFindings are findings as the compose checks report them on
// infra/docker-compose.ai.yml.
var composeFindings = []findings.Finding{
	{
		Target: "compose", Class: findings.Misconfiguration, ID: "ATL-CMP-003", Severity: findings.High,
		Title: "Service has a writable root file system", Path: "infra/docker-compose.ai.yml", Line: 118,
		Message: "Service vault does not set read_only: true.",
	},
	{
		Target: "compose", Class: findings.Misconfiguration, ID: "ATL-CMP-001", Severity: findings.Medium,
		Title: "Published port listens on every interface", Path: "infra/docker-compose.ai.yml", Line: 84,
		Message: "Service frontend publishes 8081 on 0.0.0.0.",
	},
	{
		Target: "compose", Class: findings.Misconfiguration, ID: "ATL-CMP-003", Severity: findings.High,
		Title: "Service has a writable root file system", Path: "infra/docker-compose.ai.yml", Line: 96,
		Message: "Service ai-db does not set read_only: true.",
	},
}

var composeTool = Tool{Name: "atlasia-compose-checks", Version: "0.1.0", InformationURI: "https://github.com/atlasia-ai/supplychain"}

// captureLogs returns the logs of a scan of four targets: the debian image,
// the platform's source tree (three Trivy scans), the unhardened test
// Dockerfile (trivy fs and trivy config, which find the same three checks)
// and the compose file.
func captureLogs(t *testing.T) []TargetLog {
	t.Helper()
	composeRun, err := FromFindings("compose", composeTool, composeFindings)
	if err != nil {
		t.Fatal(err)
	}
	return []TargetLog{
		{Category: "image/debian", Log: readCapture(t, "trivy-image-debian.sarif")},
		{Category: "source", Log: readCapture(t, "trivy-fs-images.sarif")},
		{Category: "source/", Log: readCapture(t, "trivy-config-images.sarif")},
		{Category: "source", Log: readCapture(t, "trivy-fs-vuln-images.sarif")},
		{Category: "dockerfile/unhardened", Log: readCapture(t, "trivy-fs-unhardened.sarif")},
		{Category: "dockerfile/unhardened", Log: readCapture(t, "trivy-config-unhardened.sarif")},
		{Category: "compose/", Runs: []*gosarif.Run{composeRun}},
	}
}

// githubCategory returns the category that GitHub code scanning reads from
// an automationDetails.id: everything before the last slash, or nothing when
// the ID has no slash.
func githubCategory(id string) string {
	i := strings.LastIndex(id, "/")
	if i < 0 {
		return ""
	}
	return id[:i]
}

func ruleIDs(run *gosarif.Run) []string {
	var ids []string
	for _, rule := range run.Tool.Driver.Rules {
		ids = append(ids, rule.ID)
	}
	return ids
}

func TestMergeCaptures(t *testing.T) {
	report, err := Merge(captureLogs(t)...)
	if err != nil {
		t.Fatal(err)
	}

	want := []struct {
		category   string
		tool       string
		version    string
		rules      []string
		numResults int
	}{
		{"compose/", "atlasia-compose-checks", "0.1.0", []string{"ATL-CMP-001", "ATL-CMP-003"}, 3},
		{"dockerfile/unhardened/", "Trivy", "0.74.0", []string{"DS-0002", "DS-0026", "DS-0031"}, 3 + 3},
		{"image/debian/", "Trivy", "0.74.0", []string{"ATLASIA-FIXTURE-0001", "ATLASIA-FIXTURE-0002", "ATLASIA-FIXTURE-0003", "ATLASIA-FIXTURE-0004"}, 8},
		{"source/", "Trivy", "0.74.0", []string{"ATLASIA-FIXTURE-0005"}, 0 + 0 + 1},
	}
	if len(report.Runs) != len(want) {
		t.Fatalf("merged log has %d runs, want %d", len(report.Runs), len(want))
	}
	githubCategories := make(map[string]bool)
	for i, w := range want {
		run := report.Runs[i]
		id := deref(run.AutomationDetails.ID)
		if id != w.category {
			t.Errorf("run %d: automationDetails.id = %q, want %q", i+1, id, w.category)
		}
		category := githubCategory(id)
		if category == "" || githubCategories[category] {
			t.Errorf("run %d: GitHub reads category %q from %q, which is empty or taken", i+1, category, id)
		}
		githubCategories[category] = true

		if run.Tool.Driver.Name != w.tool || deref(run.Tool.Driver.Version) != w.version {
			t.Errorf("run %s: tool = %s %s, want %s %s", id, run.Tool.Driver.Name, deref(run.Tool.Driver.Version), w.tool, w.version)
		}
		if got := ruleIDs(run); !slices.Equal(got, w.rules) {
			t.Errorf("run %s: rules = %v, want %v", id, got, w.rules)
		}
		if len(run.Results) != w.numResults {
			t.Errorf("run %s: %d results, want %d", id, len(run.Results), w.numResults)
		}
		// Rules are in ID order and results in rule ID order, so the rule
		// indexes of the results never go down.
		previous := uint(0)
		for j, result := range run.Results {
			if result.RuleIndex != nil && *result.RuleIndex < previous {
				t.Errorf("run %s, result %d: ruleIndex %d comes after %d: results are not in rule order", id, j+1, *result.RuleIndex, previous)
			}
			if result.RuleIndex != nil {
				previous = *result.RuleIndex
			}
			if result.RuleIndex == nil || *result.RuleIndex >= uint(len(run.Tool.Driver.Rules)) {
				t.Errorf("run %s, result %d: ruleIndex %v is out of range", id, j+1, result.RuleIndex)
				continue
			}
			if rule := run.Tool.Driver.Rules[*result.RuleIndex]; rule.ID != deref(result.RuleID) {
				t.Errorf("run %s, result %d: ruleIndex points at %s, ruleId is %s", id, j+1, rule.ID, deref(result.RuleID))
			}
		}
	}

	// The image's run keeps the properties Trivy writes about the image.
	if got := report.Runs[2].Properties["imageID"]; got != "sha256:b1a566e3d6f88588143c88a7098bc9de62e21898fa1bee1494fca5f05a2bcf33" {
		t.Errorf("image run: properties.imageID = %v", got)
	}
	if report.Version != "2.1.0" || report.Schema == "" {
		t.Errorf("log version = %q, $schema = %q", report.Version, report.Schema)
	}
}

func TestMergeRoundTrip(t *testing.T) {
	report, err := Merge(captureLogs(t)...)
	if err != nil {
		t.Fatal(err)
	}
	data, err := Encode(report)
	if err != nil {
		t.Fatal(err)
	}

	parsed, err := gosarif.FromBytes(data)
	if err != nil {
		t.Fatalf("go-sarif cannot parse the merged log: %v", err)
	}
	if err := Validate(parsed); err != nil {
		t.Errorf("parsed merged log is invalid: %v", err)
	}
	again, err := Encode(parsed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Error("encoding the parsed log gives other bytes than the merged log")
	}

	// Check the fields GitHub requires in the raw JSON too, not through
	// go-sarif's types.
	var raw struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name string `json:"name"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID  string `json:"ruleId"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if raw.Schema == "" || raw.Version != "2.1.0" {
		t.Errorf("$schema = %q, version = %q", raw.Schema, raw.Version)
	}
	for i, run := range raw.Runs {
		if run.Tool.Driver.Name == "" {
			t.Errorf("run %d has no tool.driver.name", i+1)
		}
		for j, result := range run.Results {
			if result.RuleID == "" || result.Message.Text == "" || len(result.Locations) == 0 || result.Locations[0].PhysicalLocation.ArtifactLocation.URI == "" {
				t.Errorf("run %d, result %d lacks ruleId, message.text or a location URI: %+v", i+1, j+1, result)
			}
		}
	}
}

func TestMergeInputOrder(t *testing.T) {
	logs := captureLogs(t)
	forward, err := Merge(logs...)
	if err != nil {
		t.Fatal(err)
	}
	reversed := slices.Clone(logs)
	slices.Reverse(reversed)
	backward, err := Merge(reversed...)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := Encode(forward)
	b, _ := Encode(backward)
	if !bytes.Equal(a, b) {
		t.Error("merging the logs in reverse order gives another log")
	}
}

// normalizedRun returns a run's JSON fields with the rules keyed by ID and the
// results without ruleIndex, sorted, so that two runs compare equal when they
// hold the same data in another order.
func normalizedRun(t *testing.T, run any) map[string]any {
	t.Helper()
	data, err := json.Marshal(run)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(data, &fields); err != nil {
		t.Fatal(err)
	}
	driver := fields["tool"].(map[string]any)["driver"].(map[string]any)
	rules := make(map[string]any)
	for _, rule := range driver["rules"].([]any) {
		rules[rule.(map[string]any)["id"].(string)] = rule
	}
	driver["rules"] = rules
	var results []string
	for _, result := range fields["results"].([]any) {
		delete(result.(map[string]any), "ruleIndex")
		text, _ := json.Marshal(result)
		results = append(results, string(text))
	}
	slices.Sort(results)
	fields["results"] = results
	delete(fields, "automationDetails")
	return fields
}

func TestMergeKeepsTrivyFields(t *testing.T) {
	for _, name := range []string{"trivy-image-debian.sarif", "trivy-fs-unhardened.sarif", "trivy-fs-vuln-images.sarif"} {
		t.Run(name, func(t *testing.T) {
			data := readCapture(t, name)
			report, err := Merge(TargetLog{Category: "target", Log: data})
			if err != nil {
				t.Fatal(err)
			}
			var input struct {
				Runs []any `json:"runs"`
			}
			if err := json.Unmarshal(data, &input); err != nil {
				t.Fatal(err)
			}

			got := normalizedRun(t, report.Runs[0])
			want := normalizedRun(t, input.Runs[0])
			if !reflect.DeepEqual(got, want) {
				gotJSON, _ := json.MarshalIndent(got, "", "  ")
				wantJSON, _ := json.MarshalIndent(want, "", "  ")
				t.Errorf("merged run differs from Trivy's beyond ruleIndex and order:\n got: %s\nwant: %s", gotJSON, wantJSON)
			}
		})
	}
}

func TestMergeDoesNotChangeRuns(t *testing.T) {
	run, err := FromFindings("compose", composeTool, composeFindings)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := json.Marshal(run)
	if _, err := Merge(TargetLog{Category: "image/debian", Log: readCapture(t, "trivy-image-debian.sarif"), Runs: nil},
		TargetLog{Category: "compose", Runs: []*gosarif.Run{run}}); err != nil {
		t.Fatal(err)
	}
	after, _ := json.Marshal(run)
	if !bytes.Equal(before, after) {
		t.Error("Merge changed a run passed in TargetLog.Runs")
	}
}

func TestMergeErrors(t *testing.T) {
	unhardened := readCapture(t, "trivy-fs-unhardened.sarif")
	composeRun, err := FromFindings("compose", composeTool, composeFindings)
	if err != nil {
		t.Fatal(err)
	}
	noRuleID := strings.Replace(string(unhardened), `"ruleId": "DS-0002",`, ``, 1)
	noRuleID = strings.Replace(noRuleID, `"ruleIndex": 0,`, ``, 1)

	tests := []struct {
		name    string
		logs    []TargetLog
		wantErr string
	}{
		{name: "no logs", logs: nil, wantErr: "no SARIF logs to merge"},
		{name: "empty category", logs: []TargetLog{{Category: "/", Log: unhardened}}, wantErr: `invalid category "/"`},
		{name: "invalid JSON", logs: []TargetLog{{Category: "source", Log: []byte("{")}}, wantErr: "invalid SARIF log"},
		{name: "SARIF 2.0.0", logs: []TargetLog{{Category: "source", Log: []byte(`{"version":"2.0.0","runs":[]}`)}}, wantErr: `unsupported SARIF version "2.0.0"`},
		{name: "no run", logs: []TargetLog{{Category: "source", Log: []byte(`{"version":"2.1.0","runs":[]}`)}}, wantErr: `log 1 (category "source/") has no run`},
		{name: "no driver", logs: []TargetLog{{Category: "source", Log: []byte(`{"version":"2.1.0","runs":[{"tool":{},"results":[]}]}`)}}, wantErr: "run 1 has no tool.driver"},
		{
			name: "two roots in one category",
			logs: []TargetLog{
				{Category: "source", Log: unhardened},
				{Category: "source", Log: readCapture(t, "trivy-fs-vuln-images.sarif")},
			},
			wantErr: `key "ROOTPATH" is {"uri":"file:///work/main/e2e/testdata/unhardened/"} in one run and {"uri":"file:///work/main/images/"} in the other`,
		},
		{
			name: "two tools in one category",
			logs: []TargetLog{
				{Category: "compose", Log: unhardened},
				{Category: "compose", Runs: []*gosarif.Run{composeRun}},
			},
			wantErr: `the runs come from different tools ("Trivy" version 0.74.0 and "atlasia-compose-checks" version 0.1.0)`,
		},
		{
			name:    "result without rule",
			logs:    []TargetLog{{Category: "source", Log: []byte(noRuleID)}},
			wantErr: "run 1, result 1: result has no ruleId",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report, err := Merge(tt.logs...)
			if err == nil {
				t.Fatalf("Merge returned %d runs and no error, want an error containing %q", len(report.Runs), tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestCategory(t *testing.T) {
	tests := map[string]string{
		"image/ai-orchestrator":  "image/ai-orchestrator/",
		"image/ai-orchestrator/": "image/ai-orchestrator/",
		"source":                 "source/",
		"compose":                "compose/",
	}
	for name, want := range tests {
		if got := Category(name); got != want {
			t.Errorf("Category(%q) = %q, want %q", name, got, want)
		}
		if githubCategory(Category(name)) != strings.TrimSuffix(want, "/") {
			t.Errorf("GitHub reads category %q from %q, want %q", githubCategory(Category(name)), Category(name), strings.TrimSuffix(want, "/"))
		}
	}
}
