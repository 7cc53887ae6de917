package sarif

import (
	"strings"
	"testing"

	gosarif "github.com/owenrumney/go-sarif/v2/sarif"
)

func TestValidateMergedCaptures(t *testing.T) {
	report, err := Merge(captureLogs(t)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(report); err != nil {
		t.Errorf("Validate(merged captures) = %v", err)
	}
}

func TestValidateProblems(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*gosarif.Report)
		wantErr string
	}{
		{
			name:    "wrong version",
			change:  func(r *gosarif.Report) { r.Version = "2.1.0-rtm.5" },
			wantErr: `version is "2.1.0-rtm.5", want "2.1.0"`,
		},
		{
			name:    "no schema",
			change:  func(r *gosarif.Report) { r.Schema = "" },
			wantErr: "$schema is missing",
		},
		{
			name:    "no run",
			change:  func(r *gosarif.Report) { r.Runs = nil },
			wantErr: "the log has no run",
		},
		{
			name: "too many runs",
			change: func(r *gosarif.Report) {
				for len(r.Runs) <= MaxRuns {
					r.Runs = append(r.Runs, r.Runs[0])
				}
			},
			wantErr: "the log has 21 runs, more than the 20",
		},
		{
			name: "shared category",
			change: func(r *gosarif.Report) {
				r.Runs[1].AutomationDetails.ID = r.Runs[0].AutomationDetails.ID
			},
			wantErr: "run 2 (compose/) has the automationDetails.id of run 1",
		},
		{
			name: "category without slash",
			change: func(r *gosarif.Report) {
				id := "image/debian"
				r.Runs[2].AutomationDetails.ID = &id
			},
			wantErr: `automationDetails.id "image/debian" is not a category`,
		},
		{
			name:    "no automation details",
			change:  func(r *gosarif.Report) { r.Runs[0].AutomationDetails = nil },
			wantErr: "run 1 has no automationDetails.id",
		},
		{
			name:    "no driver name",
			change:  func(r *gosarif.Report) { r.Runs[1].Tool.Driver.Name = "" },
			wantErr: "run 2 (dockerfile/unhardened/): tool.driver.name is missing",
		},
		{
			name: "rule listed twice",
			change: func(r *gosarif.Report) {
				r.Runs[1].Tool.Driver.Rules = append(r.Runs[1].Tool.Driver.Rules, r.Runs[1].Tool.Driver.Rules[0])
			},
			wantErr: `rule "DS-0002" is listed twice`,
		},
		{
			name: "ruleIndex at another rule",
			change: func(r *gosarif.Report) {
				wrong := uint(2)
				r.Runs[1].Results[0].RuleIndex = &wrong
			},
			wantErr: "result 1 (DS-0002): ruleIndex 2 points at another rule",
		},
		{
			name: "ruleIndex past the rules",
			change: func(r *gosarif.Report) {
				wrong := uint(3)
				r.Runs[1].Results[0].RuleIndex = &wrong
			},
			wantErr: "result 1 (DS-0002): ruleIndex 3 is past the 3 rules",
		},
		{
			name:    "no message text",
			change:  func(r *gosarif.Report) { r.Runs[2].Results[0].Message.Text = nil },
			wantErr: "result 1 (ATLASIA-FIXTURE-0001): message.text is missing",
		},
		{
			name:    "no location",
			change:  func(r *gosarif.Report) { r.Runs[3].Results[0].Locations = nil },
			wantErr: "result 1 (ATLASIA-FIXTURE-0005): no location",
		},
		{
			name: "location without URI",
			change: func(r *gosarif.Report) {
				r.Runs[3].Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI = nil
			},
			wantErr: "location 1 has no physicalLocation.artifactLocation.uri",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report, err := Merge(captureLogs(t)...)
			if err != nil {
				t.Fatal(err)
			}
			tt.change(report)
			err = Validate(report)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Validate = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
