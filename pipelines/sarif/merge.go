package sarif

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	gosarif "github.com/owenrumney/go-sarif/v2/sarif"
)

// TargetLog is the SARIF output of the scans of one target.
type TargetLog struct {
	// Category is the target's category, e.g. "image/ai-orchestrator/",
	// "source/" or "compose/". Merge appends a trailing slash when it is
	// missing (see Category).
	Category string
	// Log is a SARIF 2.1.0 log as a scanner wrote it, e.g. the output of
	// trivy image -f sarif. Every run in it belongs to the target. It may be
	// empty when Runs holds the target's results.
	Log []byte
	// Runs are runs built in this process, e.g. by FromFindings. Merge copies
	// them and does not change them.
	Runs []*Run
}

// Merge combines the logs into one SARIF 2.1.0 log with one run per
// category, so that GitHub code scanning keeps the alerts of each target
// apart. Logs with the same category, such as the output of trivy fs and
// trivy config for the source tree, become one run.
//
// Within a run, Merge keeps the tool driver of the inputs, lists each rule
// once (the first descriptor of an ID wins) in ID order, keeps every result
// and points its ruleIndex at the merged rule. It sets automationDetails.id to
// the category, replacing any ID the scanner wrote. Runs come in category
// order and results in the order of rule ID, file, line and message. So the
// order of the inputs does not change the output, unless two inputs describe
// one rule differently or two results differ only in other fields. Merge
// drops no result, not even a duplicate: trivy fs and trivy config of one
// directory report each failed check twice.
//
// Runs of one category must come from the same tool: besides rules and
// results, they may differ only in originalUriBaseIds and properties, whose
// entries Merge unites, and only where they do not give one key two values.
// Merge returns an error when a log is not valid JSON or not SARIF 2.1.0, when
// a category has no run, or when the merged log fails Validate.
func Merge(logs ...TargetLog) (*Report, error) {
	if len(logs) == 0 {
		return nil, errors.New("no SARIF logs to merge: pass at least one TargetLog")
	}

	byCategory := make(map[string][]*gosarif.Run)
	for i, l := range logs {
		category, err := checkCategory(l.Category)
		if err != nil {
			return nil, fmt.Errorf("log %d: %w", i+1, err)
		}
		runs, err := l.runs()
		if err != nil {
			return nil, fmt.Errorf("log %d (category %q): %w", i+1, category, err)
		}
		if len(runs) == 0 {
			return nil, fmt.Errorf("log %d (category %q) has no run: pass Trivy's SARIF output in Log or a run in Runs", i+1, category)
		}
		byCategory[category] = append(byCategory[category], runs...)
	}

	report, err := gosarif.New(gosarif.Version210)
	if err != nil {
		return nil, fmt.Errorf("creating SARIF log: %w", err)
	}
	for _, category := range slices.Sorted(maps.Keys(byCategory)) {
		run, err := mergeRuns(category, byCategory[category])
		if err != nil {
			return nil, fmt.Errorf("category %q: %w", category, err)
		}
		report.AddRun(run)
	}

	if err := Validate(report); err != nil {
		return nil, fmt.Errorf("merged SARIF log is invalid: %w", err)
	}
	return report, nil
}

// checkCategory returns the category with its trailing slash, or an error for
// a category that names no target.
func checkCategory(category string) (string, error) {
	if strings.Trim(category, "/ ") == "" {
		return "", fmt.Errorf("invalid category %q: use the target's name, e.g. %q", category, "image/ai-orchestrator/")
	}
	return Category(category), nil
}

// runs returns copies of the runs of l.Log and l.Runs, so that merging them
// changes no caller's data.
func (l TargetLog) runs() ([]*gosarif.Run, error) {
	var runs []*gosarif.Run
	if len(l.Log) > 0 {
		parsed, err := gosarif.FromBytes(l.Log)
		if err != nil {
			return nil, fmt.Errorf("invalid SARIF log: %w", err)
		}
		if parsed.Version != string(gosarif.Version210) {
			return nil, fmt.Errorf("unsupported SARIF version %q: GitHub code scanning reads only %s", parsed.Version, gosarif.Version210)
		}
		runs = append(runs, parsed.Runs...)
	}
	for i, run := range l.Runs {
		if run == nil {
			return nil, fmt.Errorf("run %d of Runs is nil", i+1)
		}
		copied, err := copyRun(run)
		if err != nil {
			return nil, fmt.Errorf("run %d: %w", i+1, err)
		}
		runs = append(runs, copied)
	}
	for i, run := range runs {
		if run == nil || run.Tool.Driver == nil {
			return nil, fmt.Errorf("run %d has no tool.driver", i+1)
		}
	}
	return runs, nil
}

func copyRun(run *gosarif.Run) (*gosarif.Run, error) {
	data, err := json.Marshal(run)
	if err != nil {
		return nil, fmt.Errorf("encoding run: %w", err)
	}
	var copied gosarif.Run
	if err := json.Unmarshal(data, &copied); err != nil {
		return nil, fmt.Errorf("decoding run: %w", err)
	}
	return &copied, nil
}

// mergeRuns returns one run with the rules and results of all runs of a
// category. Every other field comes from the first run.
func mergeRuns(category string, runs []*gosarif.Run) (*gosarif.Run, error) {
	merged := runs[0]
	for i, run := range runs[1:] {
		if err := checkMergeable(merged, run); err != nil {
			return nil, fmt.Errorf("cannot merge run %d into run 1: %w", i+2, err)
		}
		uris, err := unite(merged.OriginalUriBaseIDs, run.OriginalUriBaseIDs)
		if err != nil {
			return nil, fmt.Errorf("cannot merge the originalUriBaseIds of run %d into run 1: %w: scan every input of a category from the same directory", i+2, err)
		}
		merged.OriginalUriBaseIDs = uris
		properties, err := unite(merged.Properties, run.Properties)
		if err != nil {
			return nil, fmt.Errorf("cannot merge the properties of run %d into run 1: %w: the runs of a category must describe the same target", i+2, err)
		}
		merged.Properties = properties
	}

	// Collect the rules, first descriptor of an ID first, and every result
	// with its rule ID resolved against the rules of its own run.
	rules := make(map[string]*gosarif.ReportingDescriptor)
	results := []*gosarif.Result{}
	for i, run := range runs {
		for _, rule := range run.Tool.Driver.Rules {
			if _, seen := rules[rule.ID]; !seen {
				rules[rule.ID] = rule
			}
		}
		for j, result := range run.Results {
			id, err := resultRuleID(run, result)
			if err != nil {
				return nil, fmt.Errorf("run %d, result %d: %w", i+1, j+1, err)
			}
			result.RuleID = &id
			results = append(results, result)
		}
	}

	// List the rules in ID order and point every result at its rule.
	merged.Tool.Driver.Rules = make([]*gosarif.ReportingDescriptor, 0, len(rules))
	index := make(map[string]uint, len(rules))
	for _, id := range slices.Sorted(maps.Keys(rules)) {
		index[id] = uint(len(merged.Tool.Driver.Rules))
		merged.Tool.Driver.Rules = append(merged.Tool.Driver.Rules, rules[id])
	}
	for _, result := range results {
		i, ok := index[*result.RuleID]
		if !ok {
			// Validate reports the missing rule.
			result.RuleIndex = nil
			continue
		}
		result.RuleIndex = &i
		if result.Rule != nil && result.Rule.ToolComponent == nil {
			result.Rule.Index = &i
			result.Rule.Id = result.RuleID
		}
	}
	slices.SortStableFunc(results, compareResults)
	merged.Results = results

	merged.AutomationDetails = &gosarif.RunAutomationDetails{ID: &category}
	return merged, nil
}

// resultRuleID returns the rule ID of a result: its ruleId, else the ID in its
// rule reference, else the ID of the rule its ruleIndex points at in run.
func resultRuleID(run *gosarif.Run, result *gosarif.Result) (string, error) {
	if result.RuleID != nil && *result.RuleID != "" {
		return *result.RuleID, nil
	}
	if result.Rule != nil && result.Rule.Id != nil && *result.Rule.Id != "" {
		return *result.Rule.Id, nil
	}
	if result.RuleIndex != nil && *result.RuleIndex < uint(len(run.Tool.Driver.Rules)) {
		return run.Tool.Driver.Rules[*result.RuleIndex].ID, nil
	}
	return "", errors.New("result has no ruleId, and no rule reference or ruleIndex that names a rule")
}

// checkMergeable returns an error when run differs from first in anything but
// its rules, results, automationDetails, originalUriBaseIds and properties.
// Equal fields may be kept once: run-level arrays that results point into by
// index (artifacts, invocations, logicalLocations, ...) stay valid only when
// they are equal.
func checkMergeable(first, run *gosarif.Run) error {
	a, err := comparableFields(first)
	if err != nil {
		return err
	}
	b, err := comparableFields(run)
	if err != nil {
		return err
	}
	var differ []string
	for _, key := range slices.Sorted(maps.Keys(union(a, b))) {
		if !reflect.DeepEqual(a[key], b[key]) {
			differ = append(differ, key)
		}
	}
	if len(differ) == 0 {
		return nil
	}
	if slices.Contains(differ, "tool") {
		return fmt.Errorf("the runs come from different tools (%s and %s): give each tool its own category", describeTool(first), describeTool(run))
	}
	return fmt.Errorf("the runs differ in %s", strings.Join(differ, ", "))
}

// comparableFields returns the run's JSON fields without those that Merge
// combines.
func comparableFields(run *gosarif.Run) (map[string]any, error) {
	shallow := *run
	driver := *run.Tool.Driver
	driver.Rules = nil
	shallow.Tool.Driver = &driver
	shallow.Results = nil
	shallow.AutomationDetails = nil
	shallow.OriginalUriBaseIDs = nil
	shallow.Properties = nil

	data, err := json.Marshal(shallow)
	if err != nil {
		return nil, fmt.Errorf("encoding run: %w", err)
	}
	var fields map[string]any
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, fmt.Errorf("decoding run: %w", err)
	}
	return fields, nil
}

func describeTool(run *gosarif.Run) string {
	driver := run.Tool.Driver
	if driver.Version != nil {
		return fmt.Sprintf("%q version %s", driver.Name, *driver.Version)
	}
	return fmt.Sprintf("%q", driver.Name)
}

func union(a, b map[string]any) map[string]any {
	all := maps.Clone(a)
	maps.Copy(all, b)
	return all
}

// unite returns the entries of a and b, or an error naming a key that the two
// maps give different values.
func unite[V any](a, b map[string]V) (map[string]V, error) {
	if len(b) == 0 {
		return a, nil
	}
	if a == nil {
		a = make(map[string]V, len(b))
	}
	for _, key := range slices.Sorted(maps.Keys(b)) {
		existing, ok := a[key]
		if !ok {
			a[key] = b[key]
			continue
		}
		if !jsonEqual(existing, b[key]) {
			return nil, fmt.Errorf("key %q is %s in one run and %s in the other", key, jsonText(existing), jsonText(b[key]))
		}
	}
	return a, nil
}

// jsonEqual compares two values by their JSON encoding, so that a []string
// set in this process equals the []any that decoding the same log gives.
func jsonEqual(a, b any) bool {
	return jsonText(a) == jsonText(b)
}

func jsonText(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(data)
}

// compareResults orders results by rule ID, then by the URI and start line of
// their first location, then by message text.
func compareResults(a, b *gosarif.Result) int {
	uriA, lineA := firstLocation(a)
	uriB, lineB := firstLocation(b)
	return cmp.Or(
		strings.Compare(deref(a.RuleID), deref(b.RuleID)),
		strings.Compare(uriA, uriB),
		cmp.Compare(lineA, lineB),
		strings.Compare(deref(a.Message.Text), deref(b.Message.Text)),
	)
}

func firstLocation(result *gosarif.Result) (uri string, line int) {
	if len(result.Locations) == 0 || result.Locations[0] == nil {
		return "", 0
	}
	physical := result.Locations[0].PhysicalLocation
	if physical == nil {
		return "", 0
	}
	if physical.ArtifactLocation != nil {
		uri = deref(physical.ArtifactLocation.URI)
	}
	if physical.Region != nil && physical.Region.StartLine != nil {
		line = *physical.Region.StartLine
	}
	return uri, line
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
