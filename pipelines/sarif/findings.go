package sarif

import (
	"cmp"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	gosarif "github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/atlasia-ai/supplychain/pipelines/findings"
)

// Tool describes the program whose findings FromFindings turns into a run.
type Tool struct {
	// Name is the tool's name, which GitHub shows and filters alerts by.
	Name string
	// Version is the tool's version, e.g. the module's release.
	Version string
	// InformationURI points at the tool's documentation.
	InformationURI string
}

// FromFindings builds a SARIF run from findings, for the checks of this
// project that do not write SARIF themselves (the compose checks). The run has
// automationDetails.id set to the category (see Category), one rule per
// finding ID in ID order, and one result per finding in the order of rule ID,
// path, line and message.
//
// A result's level comes from the severity as in Trivy's SARIF output:
// CRITICAL and HIGH are "error", MEDIUM is "warning", LOW and UNKNOWN are
// "note". Its location is Finding.Path, relative to the repository root,
// with Finding.Line as the start line, or line 1 when the line is unknown.
//
// FromFindings returns an error for a finding with no path, since GitHub
// shows a result only at a file, or with an invalid severity.
func FromFindings(category string, tool Tool, fs []findings.Finding) (*Run, error) {
	category, err := checkCategory(category)
	if err != nil {
		return nil, err
	}
	if tool.Name == "" {
		return nil, fmt.Errorf("category %q: the tool has no name: GitHub requires tool.driver.name", category)
	}
	sorted := slices.Clone(fs)
	slices.SortStableFunc(sorted, compareFindings)
	for _, f := range sorted {
		if f.Path == "" {
			return nil, fmt.Errorf("finding %s in target %q has no path: code scanning shows a result only at a file", f.ID, f.Target)
		}
		if f.Severity.Rank() < 0 {
			return nil, fmt.Errorf("finding %s at %s: invalid severity %q: use one of %v", f.ID, f.Path, f.Severity, findings.Severities)
		}
	}

	driver := gosarif.NewDriver(tool.Name)
	if tool.Version != "" {
		driver.WithVersion(tool.Version)
	}
	if tool.InformationURI != "" {
		driver.WithInformationURI(tool.InformationURI)
	}
	run := gosarif.NewRun(gosarif.Tool{Driver: driver})

	// One rule per ID, described by the ID's first finding in the sorted
	// order. Sorting the findings by ID first lists the rules in ID order.
	index := make(map[string]uint)
	for _, f := range sorted {
		if _, seen := index[f.ID]; seen {
			continue
		}
		index[f.ID] = uint(len(driver.Rules))
		driver.Rules = append(driver.Rules, ruleOf(f))
	}
	for _, f := range sorted {
		result := resultOf(f)
		i := index[f.ID]
		result.RuleIndex = &i
		run.Results = append(run.Results, result)
	}

	run.AutomationDetails = &gosarif.RunAutomationDetails{ID: &category}
	return run, nil
}

// compareFindings orders findings as compareResults orders their results.
func compareFindings(a, b findings.Finding) int {
	return cmp.Or(
		strings.Compare(a.ID, b.ID),
		strings.Compare(artifactURI(a.Path), artifactURI(b.Path)),
		cmp.Compare(startLine(a.Line), startLine(b.Line)),
		strings.Compare(messageText(a), messageText(b)),
	)
}

func ruleOf(f findings.Finding) *gosarif.ReportingDescriptor {
	title := cmp.Or(f.Title, f.ID)
	level := levelOf(f.Severity)
	help := fmt.Sprintf("%s: %s\nSeverity: %s", f.ID, title, f.Severity)
	if f.URL != "" {
		help += "\nLink: " + f.URL
	}

	rule := gosarif.NewRule(f.ID).
		WithShortDescription(gosarif.NewMultiformatMessageString(title)).
		WithFullDescription(gosarif.NewMultiformatMessageString(title)).
		WithHelp(gosarif.NewMultiformatMessageString(help)).
		WithDefaultConfiguration(gosarif.NewReportingConfiguration().WithLevel(level))
	if f.URL != "" {
		rule.WithHelpURI(f.URL)
	}
	// The tags and the security-severity score are those Trivy v0.74.0 writes
	// (pkg/report/sarif.go). GitHub treats a rule with a security-severity as
	// a security rule and ranks its alerts by the score.
	rule.Properties = gosarif.Properties{
		"tags":              []string{string(f.Class), "security", string(f.Severity)},
		"security-severity": securitySeverity(f.Severity),
	}
	return rule
}

func resultOf(f findings.Finding) *gosarif.Result {
	line := startLine(f.Line)
	// Trivy v0.74.0 writes column 1 to 1 as well: GitHub requires the
	// columns, and findings.Finding has none.
	region := gosarif.NewRegion().WithStartLine(line).WithEndLine(line).WithStartColumn(1).WithEndColumn(1)
	location := gosarif.NewLocationWithPhysicalLocation(
		gosarif.NewPhysicalLocation().
			WithArtifactLocation(gosarif.NewSimpleArtifactLocation(artifactURI(f.Path))).
			WithRegion(region),
	)
	return gosarif.NewRuleResult(f.ID).
		WithLevel(levelOf(f.Severity)).
		WithMessage(gosarif.NewTextMessage(messageText(f))).
		WithLocations([]*gosarif.Location{location})
}

// messageText returns the text GitHub shows as the alert's title (its first
// sentence) and body: the finding's message, or its title, then its package.
func messageText(f findings.Finding) string {
	lines := []string{cmp.Or(f.Message, f.Title, f.ID)}
	if f.Package != "" {
		lines = append(lines, "Package: "+f.Package)
	}
	if f.InstalledVersion != "" {
		lines = append(lines, "Installed Version: "+f.InstalledVersion)
	}
	if f.FixedVersion != "" {
		lines = append(lines, "Fixed Version: "+f.FixedVersion)
	}
	return strings.Join(lines, "\n")
}

// artifactURI returns the path as a relative URI reference: forward slashes,
// with characters such as spaces percent-encoded.
func artifactURI(path string) string {
	u := url.URL{Path: filepath.ToSlash(path)}
	return u.String()
}

// startLine returns the line GitHub annotates. GitHub requires
// region.startLine, so an unknown line (0) is reported as line 1, as Trivy
// v0.74.0 does.
func startLine(line int) int {
	return max(line, 1)
}

// levelOf returns the SARIF level of a severity, as Trivy v0.74.0 maps it.
func levelOf(s findings.Severity) string {
	switch s {
	case findings.Critical, findings.High:
		return "error"
	case findings.Medium:
		return "warning"
	default:
		return "note"
	}
}

// securitySeverity returns the score Trivy v0.74.0 writes for a severity when
// no CVSS score is known. GitHub reads above 9.0 as critical, 7.0 to 8.9 as
// high, 4.0 to 6.9 as medium, 0.1 to 3.9 as low, and 0.0 as none.
func securitySeverity(s findings.Severity) string {
	switch s {
	case findings.Critical:
		return "9.5"
	case findings.High:
		return "8.0"
	case findings.Medium:
		return "5.5"
	case findings.Low:
		return "2.0"
	default:
		return "0.0"
	}
}
