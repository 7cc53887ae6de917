package sarif

import (
	"errors"
	"fmt"
	"strings"

	gosarif "github.com/owenrumney/go-sarif/v2/sarif"
)

// Limits of GitHub code scanning, above which it rejects a SARIF upload
// ("SARIF support for code scanning", file compatibility).
const (
	MaxRuns               = 20
	MaxResultsPerRun      = 25000
	MaxRulesPerRun        = 25000
	MaxLocationsPerResult = 1000
)

// Validate checks the fields that GitHub code scanning requires of an upload
// and that this package promises, and returns every problem it finds joined
// into one error, or nil:
//   - version is 2.1.0 and $schema is set; there are 1 to MaxRuns runs;
//   - every run has tool.driver.name and an automationDetails.id that ends
//     with a slash, and no two runs share an ID;
//   - rule IDs are set and unique within a run;
//   - every result has a ruleId that names a rule of the driver and a
//     ruleIndex that points at that rule, a message.text, and at least one
//     location whose physicalLocation has an artifactLocation.uri;
//   - no run, result or location count is above the limits above.
//
// It does not check the whole SARIF 2.1.0 schema.
func Validate(report *Report) error {
	if report == nil {
		return errors.New("no SARIF log")
	}
	var problems []error
	if report.Version != string(gosarif.Version210) {
		problems = append(problems, fmt.Errorf("version is %q, want %q", report.Version, gosarif.Version210))
	}
	if report.Schema == "" {
		problems = append(problems, errors.New("$schema is missing"))
	}
	switch {
	case len(report.Runs) == 0:
		problems = append(problems, errors.New("the log has no run"))
	case len(report.Runs) > MaxRuns:
		problems = append(problems, fmt.Errorf("the log has %d runs, more than the %d that GitHub accepts in one upload", len(report.Runs), MaxRuns))
	}

	ids := make(map[string]int)
	for i, run := range report.Runs {
		name := fmt.Sprintf("run %d", i+1)
		if run == nil {
			problems = append(problems, fmt.Errorf("%s is null", name))
			continue
		}
		if run.AutomationDetails != nil && run.AutomationDetails.ID != nil {
			id := *run.AutomationDetails.ID
			name = fmt.Sprintf("run %d (%s)", i+1, id)
			if first, ok := ids[id]; ok {
				problems = append(problems, fmt.Errorf("%s has the automationDetails.id of run %d: GitHub would not keep their alerts apart", name, first))
			} else {
				ids[id] = i + 1
			}
			if !strings.HasSuffix(id, "/") || strings.Trim(id, "/") == "" {
				problems = append(problems, fmt.Errorf("%s: automationDetails.id %q is not a category: it must name a target and end with a slash", name, id))
			}
		} else {
			problems = append(problems, fmt.Errorf("%s has no automationDetails.id", name))
		}
		for _, err := range validateRun(run) {
			problems = append(problems, fmt.Errorf("%s: %w", name, err))
		}
	}
	return errors.Join(problems...)
}

func validateRun(run *gosarif.Run) []error {
	var problems []error
	driver := run.Tool.Driver
	if driver == nil || driver.Name == "" {
		return append(problems, errors.New("tool.driver.name is missing"))
	}
	if len(driver.Rules) > MaxRulesPerRun {
		problems = append(problems, fmt.Errorf("%d rules, more than the %d that GitHub accepts in a run", len(driver.Rules), MaxRulesPerRun))
	}
	if len(run.Results) > MaxResultsPerRun {
		problems = append(problems, fmt.Errorf("%d results, more than the %d that GitHub accepts in a run", len(run.Results), MaxResultsPerRun))
	}

	rules := make(map[string]bool, len(driver.Rules))
	for i, rule := range driver.Rules {
		switch {
		case rule == nil || rule.ID == "":
			problems = append(problems, fmt.Errorf("rule %d has no id", i))
		case rules[rule.ID]:
			problems = append(problems, fmt.Errorf("rule %q is listed twice", rule.ID))
		default:
			rules[rule.ID] = true
		}
	}

	for i, result := range run.Results {
		if result == nil {
			problems = append(problems, fmt.Errorf("result %d is null", i+1))
			continue
		}
		for _, err := range validateResult(driver, result) {
			problems = append(problems, fmt.Errorf("result %d (%s): %w", i+1, deref(result.RuleID), err))
		}
	}
	return problems
}

func validateResult(driver *gosarif.ToolComponent, result *gosarif.Result) []error {
	var problems []error
	switch {
	case deref(result.RuleID) == "":
		problems = append(problems, errors.New("ruleId is missing"))
	case result.RuleIndex == nil:
		problems = append(problems, errors.New("ruleIndex is missing: the driver has no rule with this ID"))
	case *result.RuleIndex >= uint(len(driver.Rules)):
		problems = append(problems, fmt.Errorf("ruleIndex %d is past the %d rules", *result.RuleIndex, len(driver.Rules)))
	case driver.Rules[*result.RuleIndex] == nil || driver.Rules[*result.RuleIndex].ID != *result.RuleID:
		problems = append(problems, fmt.Errorf("ruleIndex %d points at another rule", *result.RuleIndex))
	}
	if deref(result.Message.Text) == "" {
		problems = append(problems, errors.New("message.text is missing"))
	}
	switch {
	case len(result.Locations) == 0:
		problems = append(problems, errors.New("no location: GitHub shows a result only at a location"))
	case len(result.Locations) > MaxLocationsPerResult:
		problems = append(problems, fmt.Errorf("%d locations, more than the %d that GitHub accepts", len(result.Locations), MaxLocationsPerResult))
	}
	for i, location := range result.Locations {
		if location == nil || location.PhysicalLocation == nil || location.PhysicalLocation.ArtifactLocation == nil ||
			deref(location.PhysicalLocation.ArtifactLocation.URI) == "" {
			problems = append(problems, fmt.Errorf("location %d has no physicalLocation.artifactLocation.uri", i+1))
		}
	}
	return problems
}
