package sarif

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/atlasia-ai/supplychain/pipelines/findings"
)

func TestFromFindingsLevels(t *testing.T) {
	tests := []struct {
		severity         findings.Severity
		level            string
		securitySeverity string
	}{
		{findings.Critical, "error", "9.5"},
		{findings.High, "error", "8.0"},
		{findings.Medium, "warning", "5.5"},
		{findings.Low, "note", "2.0"},
		{findings.Unknown, "note", "0.0"},
	}
	for _, tt := range tests {
		t.Run(string(tt.severity), func(t *testing.T) {
			f := composeFindings[0]
			f.Severity = tt.severity
			run, err := FromFindings("compose", composeTool, []findings.Finding{f})
			if err != nil {
				t.Fatal(err)
			}
			if got := deref(run.Results[0].Level); got != tt.level {
				t.Errorf("result level = %q, want %q", got, tt.level)
			}
			rule := run.Tool.Driver.Rules[0]
			if got := rule.DefaultConfiguration.Level; got != tt.level {
				t.Errorf("rule defaultConfiguration.level = %q, want %q", got, tt.level)
			}
			if got := rule.Properties["security-severity"]; got != tt.securitySeverity {
				t.Errorf("rule security-severity = %v, want %q", got, tt.securitySeverity)
			}
		})
	}
}

func TestFromFindingsRun(t *testing.T) {
	run, err := FromFindings("compose", composeTool, composeFindings)
	if err != nil {
		t.Fatal(err)
	}

	if got := deref(run.AutomationDetails.ID); got != "compose/" {
		t.Errorf("automationDetails.id = %q, want %q", got, "compose/")
	}
	driver := run.Tool.Driver
	if driver.Name != composeTool.Name || deref(driver.Version) != composeTool.Version || deref(driver.InformationURI) != composeTool.InformationURI {
		t.Errorf("driver = %s %s %s, want %+v", driver.Name, deref(driver.Version), deref(driver.InformationURI), composeTool)
	}
	if got, want := ruleIDs(run), []string{"ATL-CMP-001", "ATL-CMP-003"}; !slices.Equal(got, want) {
		t.Errorf("rules = %v, want %v", got, want)
	}
	if got := deref(driver.Rules[1].ShortDescription.Text); got != "Service has a writable root file system" {
		t.Errorf("rule ATL-CMP-003 shortDescription = %q", got)
	}

	// One result per finding, in rule, then line order.
	var got []string
	for _, result := range run.Results {
		uri, line := firstLocation(result)
		got = append(got, fmt.Sprintf("%s %s:%d %s", deref(result.RuleID), uri, line, deref(result.Message.Text)))
	}
	want := []string{
		"ATL-CMP-001 infra/docker-compose.ai.yml:84 Service frontend publishes 8081 on 0.0.0.0.",
		"ATL-CMP-003 infra/docker-compose.ai.yml:96 Service ai-db does not set read_only: true.",
		"ATL-CMP-003 infra/docker-compose.ai.yml:118 Service vault does not set read_only: true.",
	}
	if !slices.Equal(got, want) {
		t.Errorf("results:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i, result := range run.Results {
		if rule := driver.Rules[*result.RuleIndex]; rule.ID != *result.RuleID {
			t.Errorf("result %d: ruleIndex points at %s, ruleId is %s", i+1, rule.ID, *result.RuleID)
		}
	}
}

func TestFromFindingsMessageAndLocation(t *testing.T) {
	f := findings.Finding{
		Target: "compose", Class: findings.Vulnerability, ID: "ATLASIA-FIXTURE-0005", Severity: findings.High,
		Title:   "Fixture: high advisory in github.com/jackc/pgx/v5 (not a real vulnerability)",
		Package: "github.com/jackc/pgx/v5", InstalledVersion: "v5.9.2", FixedVersion: "5.999.0",
		Path: "images/ai-orchestrator/go mod/go.mod",
	}
	run, err := FromFindings("source", composeTool, []findings.Finding{f})
	if err != nil {
		t.Fatal(err)
	}
	result := run.Results[0]

	wantText := "Fixture: high advisory in github.com/jackc/pgx/v5 (not a real vulnerability)\n" +
		"Package: github.com/jackc/pgx/v5\nInstalled Version: v5.9.2\nFixed Version: 5.999.0"
	if got := deref(result.Message.Text); got != wantText {
		t.Errorf("message.text = %q, want %q", got, wantText)
	}
	uri, line := firstLocation(result)
	if uri != "images/ai-orchestrator/go%20mod/go.mod" {
		t.Errorf("location URI = %q, want the path with the space percent-encoded", uri)
	}
	if line != 1 {
		t.Errorf("start line = %d, want 1 for a finding with no line", line)
	}
}

func TestFromFindingsEmpty(t *testing.T) {
	run, err := FromFindings("compose", composeTool, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(run)
	if err != nil {
		t.Fatal(err)
	}
	// GitHub closes the alerts of a category that its latest run no longer
	// reports, so an empty run must still be valid: empty arrays, not nulls.
	for _, want := range []string{`"rules":[]`, `"results":[]`, `"automationDetails":{"id":"compose/"}`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("empty run %s lacks %s", data, want)
		}
	}
}

func TestFromFindingsErrors(t *testing.T) {
	noPath := composeFindings[0]
	noPath.Path = ""
	badSeverity := composeFindings[0]
	badSeverity.Severity = "SEVERE"

	tests := []struct {
		name     string
		category string
		tool     Tool
		findings []findings.Finding
		wantErr  string
	}{
		{"no path", "compose", composeTool, []findings.Finding{noPath}, `finding ATL-CMP-003 in target "compose" has no path`},
		{"invalid severity", "compose", composeTool, []findings.Finding{badSeverity}, `invalid severity "SEVERE"`},
		{"no tool name", "compose", Tool{}, composeFindings, "the tool has no name"},
		{"empty category", "", composeTool, composeFindings, `invalid category ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromFindings(tt.category, tt.tool, tt.findings)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
