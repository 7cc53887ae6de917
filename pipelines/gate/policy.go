// Package gate decides whether a release may go on, from the findings of its
// scans, a Policy and the suppressions in force.
//
// The policy comes from infra/trivy-config.yaml, whose top-level keys other
// than gate are Trivy v0.74 configuration-file keys, so Trivy can read the
// same file with --config:
//
//	severity: [HIGH, CRITICAL]           # severities Trivy reports
//	scan:
//	  scanners: [vuln, secret]           # scanners of the image scans
//	  skip-dirs: [/var/lib/apt/lists]    # directories Trivy skips
//	timeout: 10m                         # time limit of one Trivy run
//	gate:
//	  block-on: [CRITICAL]               # severities that block a release
//	  suppressions: infra/trivy-suppressions.yaml
//
// Each list takes a YAML list or one comma-separated string, as Trivy does.
// A key that is left out takes the value of DefaultPolicy, and an unknown key
// is an error.
package gate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/atlasia-ai/supplychain/pipelines/findings"
)

// ErrInvalidPolicy is wrapped by every error of LoadPolicy, ParsePolicy and
// the With methods about a policy value.
var ErrInvalidPolicy = errors.New("invalid gate policy")

// Scanners lists the Trivy v0.74 scanner names a policy may use.
var Scanners = []string{"vuln", "misconfig", "secret", "license"}

// Policy is the configuration of the scans and of the gate.
type Policy struct {
	// Report are the severities Trivy reports. Findings of other
	// severities are neither reported nor able to block.
	Report []findings.Severity `json:"report"`
	// Scanners are the Trivy scanners of the image scans.
	Scanners []string `json:"scanners"`
	// SkipDirs are the directories Trivy skips.
	SkipDirs []string `json:"skip_dirs"`
	// Timeout is the time limit of one Trivy run.
	Timeout time.Duration `json:"timeout"`
	// BlockOn are the severities at which a finding without an active
	// suppression blocks the release. Each is also in Report.
	BlockOn []findings.Severity `json:"block_on"`
	// SuppressionsFile is the suppressions file, relative to the
	// repository root.
	SuppressionsFile string `json:"suppressions_file"`
	// Source is the file the policy was loaded from, empty for
	// DefaultPolicy.
	Source string `json:"source,omitempty"`
}

// DefaultPolicy returns the policy that infra/trivy-config.yaml sets and
// that ParsePolicy falls back on for keys left out: report HIGH and
// CRITICAL, block on CRITICAL, scan for vulnerabilities and secrets, skip
// /var/lib/apt/lists, and stop Trivy after 10 minutes.
func DefaultPolicy() Policy {
	return Policy{
		Report:           []findings.Severity{findings.High, findings.Critical},
		Scanners:         []string{"vuln", "secret"},
		SkipDirs:         []string{"/var/lib/apt/lists"},
		Timeout:          10 * time.Minute,
		BlockOn:          []findings.Severity{findings.Critical},
		SuppressionsFile: "infra/trivy-suppressions.yaml",
	}
}

// LoadPolicy reads and validates the policy file at path, as ParsePolicy does.
func LoadPolicy(path string) (Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Policy{}, fmt.Errorf("reading gate policy: %w", err)
	}
	return ParsePolicy(data, path)
}

// ParsePolicy decodes and validates a policy file. Source names the file in
// errors and in the policy's Source.
//
// It fails on YAML syntax errors, unknown or repeated keys, values of the
// wrong shape, unknown severities or scanners, a timeout that is not a
// positive Go duration, and a block-on severity that is not reported. Each
// error gives the file, line and key, and wraps ErrInvalidPolicy unless it
// is a YAML syntax error.
func ParsePolicy(data []byte, source string) (Policy, error) {
	decoder := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := decoder.Decode(&doc)
	if err != nil && !errors.Is(err, io.EOF) {
		return Policy{}, fmt.Errorf("parsing gate policy %s: %w", source, err)
	}
	if err != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return Policy{}, fmt.Errorf("%w %s: the file is empty: set at least gate.block-on", ErrInvalidPolicy, source)
	}
	var extra yaml.Node
	if err := decoder.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return Policy{}, fmt.Errorf("parsing gate policy %s: %w", source, err)
		}
		return Policy{}, fmt.Errorf("%w %s:%d: a second YAML document starts here: keep the policy in one document", ErrInvalidPolicy, source, extra.Line)
	}

	policy := DefaultPolicy()
	policy.Source = source

	p := policyParser{source: source}
	top := p.mapping(doc.Content[0], "", map[string]func(*yaml.Node){
		"severity": func(n *yaml.Node) { policy.Report = p.severities(n, "severity") },
		"scan": func(n *yaml.Node) {
			p.mapping(n, "scan", map[string]func(*yaml.Node){
				"scanners":  func(n *yaml.Node) { policy.Scanners = p.scanners(n, "scan.scanners") },
				"skip-dirs": func(n *yaml.Node) { policy.SkipDirs = p.list(n, "scan.skip-dirs") },
			})
		},
		"timeout": func(n *yaml.Node) { policy.Timeout = p.duration(n, "timeout") },
		"gate": func(n *yaml.Node) {
			p.mapping(n, "gate", map[string]func(*yaml.Node){
				"block-on":     func(n *yaml.Node) { policy.BlockOn = p.severities(n, "gate.block-on") },
				"suppressions": func(n *yaml.Node) { policy.SuppressionsFile = p.scalar(n, "gate.suppressions") },
			})
		},
	})
	if p.err != nil {
		return Policy{}, p.err
	}

	if err := checkBlockOnReported(policy.BlockOn, policy.Report); err != nil {
		line := doc.Content[0].Line
		if n := top["gate"]; n != nil {
			line = n.Line
		}
		return Policy{}, fmt.Errorf("%w %s:%d: %w", ErrInvalidPolicy, source, line, err)
	}
	return policy, nil
}

// WithBlockOn returns a copy of the policy that blocks on the severities in
// list, a comma-separated list such as "HIGH,CRITICAL", in any case. It
// fails when a name is not a severity or is not reported: widen the reported
// severities with WithReport first.
func (p Policy) WithBlockOn(list string) (Policy, error) {
	severities, err := ParseSeverities(list)
	if err != nil {
		return Policy{}, fmt.Errorf("%w: block-on %q: %w", ErrInvalidPolicy, list, err)
	}
	if err := checkBlockOnReported(severities, p.Report); err != nil {
		return Policy{}, fmt.Errorf("%w: block-on %q: %w", ErrInvalidPolicy, list, err)
	}
	p.BlockOn = severities
	return p, nil
}

// WithReport returns a copy of the policy that reports the severities in
// list, a comma-separated list such as "MEDIUM,HIGH,CRITICAL", in any case.
// It fails when a name is not a severity or when the list leaves out a
// block-on severity, which the gate could then never see.
func (p Policy) WithReport(list string) (Policy, error) {
	severities, err := ParseSeverities(list)
	if err != nil {
		return Policy{}, fmt.Errorf("%w: severity %q: %w", ErrInvalidPolicy, list, err)
	}
	if err := checkBlockOnReported(p.BlockOn, severities); err != nil {
		return Policy{}, fmt.Errorf("%w: severity %q: %w", ErrInvalidPolicy, list, err)
	}
	p.Report = severities
	return p, nil
}

// TrivyArgs returns the Trivy v0.74 flags that apply the policy's scan
// settings: --severity, --scanners, --skip-dirs and --timeout. Flags take
// precedence over a file passed with --config.
func (p Policy) TrivyArgs() []string {
	return p.TrivyArgsWithScanners(p.Scanners)
}

// TrivyArgsWithScanners returns the flags of TrivyArgs with the given
// scanners in place of the policy's, for targets that need other scanners,
// such as misconfigurations in a source tree.
func (p Policy) TrivyArgsWithScanners(scanners []string) []string {
	args := []string{
		"--severity", joinSeverities(p.Report),
		"--scanners", strings.Join(scanners, ","),
	}
	for _, dir := range p.SkipDirs {
		args = append(args, "--skip-dirs", dir)
	}
	return append(args, "--timeout", p.Timeout.String())
}

// ParseSeverities parses a comma-separated list of severity names in any
// case, such as "high, CRITICAL". It returns them from the lowest to the
// highest without repeats, and fails on an empty list or an unknown name.
func ParseSeverities(list string) ([]findings.Severity, error) {
	var names []string
	for name := range strings.SplitSeq(list, ",") {
		if name = strings.TrimSpace(name); name != "" {
			names = append(names, name)
		}
	}
	return severitiesOf(names)
}

func severitiesOf(names []string) ([]findings.Severity, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("no severity given: use one or more of %s", joinSeverities(findings.Severities))
	}
	var severities []findings.Severity
	for _, name := range names {
		s, err := findings.ParseSeverity(name)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(severities, s) {
			severities = append(severities, s)
		}
	}
	slices.SortFunc(severities, func(a, b findings.Severity) int { return a.Rank() - b.Rank() })
	return severities, nil
}

// checkBlockOnReported fails when a block-on severity is not reported,
// because Trivy leaves findings of that severity out of its report, so the
// gate would not see them.
func checkBlockOnReported(blockOn, report []findings.Severity) error {
	for _, s := range blockOn {
		if !slices.Contains(report, s) {
			return fmt.Errorf("block-on severity %s is not among the reported severities %s: add it to severity, or block on reported severities only", s, joinSeverities(report))
		}
	}
	return nil
}

func joinSeverities(severities []findings.Severity) string {
	names := make([]string, len(severities))
	for i, s := range severities {
		names[i] = string(s)
	}
	return strings.Join(names, ",")
}

// policyParser walks the YAML nodes of a policy file and keeps the first
// error, so that the walk reads as a schema.
type policyParser struct {
	source string
	err    error
}

func (p *policyParser) fail(n *yaml.Node, key, format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("%w %s:%d: %s: %s", ErrInvalidPolicy, p.source, n.Line, key, fmt.Sprintf(format, args...))
	}
}

// mapping calls the handler of each key of the mapping n, whose own key is
// parent, and returns the value nodes by key.
func (p *policyParser) mapping(n *yaml.Node, parent string, handlers map[string]func(*yaml.Node)) map[string]*yaml.Node {
	name := parent
	if name == "" {
		name = "top level"
	}
	if n.Kind != yaml.MappingNode {
		p.fail(n, name, "must be a mapping with the keys %s", strings.Join(sortedKeys(handlers), ", "))
		return nil
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		path := key.Value
		if parent != "" {
			path = parent + "." + key.Value
		}
		handle, known := handlers[key.Value]
		switch {
		case !known:
			p.fail(key, path, "unknown key: use one of %s", strings.Join(sortedKeys(handlers), ", "))
		case seen[key.Value] != nil:
			p.fail(key, path, "the key appears twice: keep one")
		default:
			seen[key.Value] = value
			handle(value)
		}
	}
	return seen
}

func (p *policyParser) scalar(n *yaml.Node, key string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" || strings.TrimSpace(n.Value) == "" {
		p.fail(n, key, "must be a non-empty string")
		return ""
	}
	return strings.TrimSpace(n.Value)
}

// list returns a list given as a YAML list of strings or as one
// comma-separated string.
func (p *policyParser) list(n *yaml.Node, key string) []string {
	var values []string
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag != "!!null":
		for value := range strings.SplitSeq(n.Value, ",") {
			values = append(values, strings.TrimSpace(value))
		}
	case n.Kind == yaml.SequenceNode:
		for _, item := range n.Content {
			if item.Kind != yaml.ScalarNode || item.Tag == "!!null" {
				p.fail(item, key, "each item must be a string")
				return nil
			}
			values = append(values, strings.TrimSpace(item.Value))
		}
	default:
		p.fail(n, key, "must be a list of strings or one comma-separated string")
		return nil
	}
	if len(values) == 0 {
		p.fail(n, key, "the list is empty: give at least one value, or remove the key for the default")
		return nil
	}
	for _, value := range values {
		if value == "" {
			p.fail(n, key, "the list has an empty item: remove it")
			return nil
		}
	}
	return values
}

func (p *policyParser) severities(n *yaml.Node, key string) []findings.Severity {
	names := p.list(n, key)
	if names == nil {
		return nil
	}
	severities, err := severitiesOf(names)
	if err != nil {
		p.fail(n, key, "%v", err)
	}
	return severities
}

func (p *policyParser) scanners(n *yaml.Node, key string) []string {
	names := p.list(n, key)
	var scanners []string
	for _, name := range names {
		name = strings.ToLower(name)
		if !slices.Contains(Scanners, name) {
			p.fail(n, key, "unknown scanner %q: use one or more of %s", name, strings.Join(Scanners, ", "))
			return nil
		}
		if !slices.Contains(scanners, name) {
			scanners = append(scanners, name)
		}
	}
	return scanners
}

func (p *policyParser) duration(n *yaml.Node, key string) time.Duration {
	raw := p.scalar(n, key)
	if raw == "" {
		return 0
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d <= 0 {
		p.fail(n, key, "%q is not a positive duration: write it as a Go duration such as 10m or 1h30m", raw)
		return 0
	}
	return d
}

func sortedKeys(handlers map[string]func(*yaml.Node)) []string {
	keys := make([]string, 0, len(handlers))
	for key := range handlers {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	return keys
}
