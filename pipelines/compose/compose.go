// Package compose checks a docker compose file for container hardening:
// no privileged containers, no host namespaces or Docker socket, dropped
// capabilities, no-new-privileges, a read-only root filesystem, CPU, memory
// and process limits, ports bound to one host address and pinned images.
// Trivy has no such checks, so Check returns its results as findings that go
// into the same reports as Trivy's.
//
// Check reads the file as docker compose v2 does with no variables set. It
// resolves YAML anchors, aliases and merge keys, merges several YAML
// documents of one file in order, and lets a service inherit the keys of the
// service of the same file that it extends. Every finding carries the line
// of the offending key, or of the service when the key is missing. The
// README next to this file documents the rules.
package compose

import (
	"fmt"
	"slices"
	"sort"

	"github.com/atlasia-ai/supplychain/pipelines/findings"
)

// DefaultTarget is the Target of the findings when WithTarget is not given.
const DefaultTarget = "compose"

// defaultAllowedCapabilities are the capabilities that the Atlasia services
// add back after cap_drop ALL, by compose service name. Any other service
// may add none.
var defaultAllowedCapabilities = map[string][]string{
	"ai-orchestrator": {"NET_BIND_SERVICE"},
	"ai-db":           {"CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"},
	"vault":           {"IPC_LOCK", "NET_BIND_SERVICE"},
}

// neverAllowed are the capabilities that no allow-list can permit: ALL
// grants every capability, and SYS_ADMIN alone allows mounts, namespace
// changes and most other administration of the host kernel.
var neverAllowed = []string{"ALL", "SYS_ADMIN"}

// DefaultAllowedCapabilities returns the capability allow-lists that Check
// uses when no WithAllowedCapabilities option replaces them, keyed by
// service name. A service that is not listed may add no capability.
func DefaultAllowedCapabilities() map[string][]string {
	out := make(map[string][]string, len(defaultAllowedCapabilities))
	for name, capabilities := range defaultAllowedCapabilities {
		out[name] = slices.Clone(capabilities)
	}
	return out
}

// Option configures Check.
type Option func(*options)

type options struct {
	target              string
	allowedCapabilities map[string][]string
	writableRootFS      map[string]bool
}

// WithTarget sets the Target of the findings, for example
// "compose/infra/docker-compose.ai.yml". The default is DefaultTarget.
func WithTarget(name string) Option {
	return func(o *options) { o.target = name }
}

// WithAllowedCapabilities replaces the allow-list of the named compose
// service: it may add these capabilities with cap_add, and no others.
// Capability names are compared without case and without the CAP_ prefix.
// With no capabilities, the service may add none. Check fails when the list
// contains ALL or SYS_ADMIN, which are never allowed.
func WithAllowedCapabilities(service string, capabilities ...string) Option {
	return func(o *options) { o.allowedCapabilities[service] = slices.Clone(capabilities) }
}

// WithWritableRootFilesystem exempts the named compose services from the
// read-only root filesystem rule (ATL-CMP-007). Use it for a service whose
// image writes outside the paths that a volume or tmpfs can cover.
func WithWritableRootFilesystem(services ...string) Option {
	return func(o *options) {
		for _, name := range services {
			o.writableRootFS[name] = true
		}
	}
}

// Check runs every rule on the compose file data and returns the findings,
// sorted by line, then rule ID. path is the file's path for the findings and
// for error messages. Each finding has the Class Misconfiguration, the rule's
// ID, severity and title, a message that names the service and the fix, and
// the Line of the offending key, or of the service when the key is missing.
//
// Check fails when data is not valid YAML or is empty. It also fails on a
// structure that docker compose rejects and the rules cannot read: a
// top-level value or a service that is not a mapping, an extends cycle, or
// an extends of an undefined service. The error names path and the line.
func Check(data []byte, path string, opts ...Option) ([]findings.Finding, error) {
	o := options{
		target:              DefaultTarget,
		allowedCapabilities: DefaultAllowedCapabilities(),
		writableRootFS:      map[string]bool{},
	}
	for _, opt := range opts {
		opt(&o)
	}
	allowed, err := normalizeAllowLists(o.allowedCapabilities)
	if err != nil {
		return nil, err
	}

	p, err := loadProject(data)
	if err != nil {
		return nil, fmt.Errorf("invalid compose file %s: %w", path, err)
	}

	c := &checker{project: p, allowed: allowed, writableRootFS: o.writableRootFS, issueIndex: map[issueKey]int{}}
	for _, s := range p.services {
		for _, r := range rules {
			r.check(c, r, s)
		}
	}

	out := make([]findings.Finding, 0, len(c.issues))
	for _, i := range c.issues {
		out = append(out, findings.Finding{
			Target:   o.target,
			Class:    findings.Misconfiguration,
			ID:       i.rule.ID,
			Severity: i.rule.Severity,
			Title:    i.rule.Title,
			Path:     path,
			Line:     i.line,
			Message:  i.message,
			URL:      i.rule.URL,
		})
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Line != out[b].Line {
			return out[a].Line < out[b].Line
		}
		return out[a].ID < out[b].ID
	})
	return out, nil
}

// normalizeAllowLists returns the allow-lists as sets of normalized
// capability names, and an error when one contains ALL or SYS_ADMIN.
func normalizeAllowLists(lists map[string][]string) (map[string]map[string]bool, error) {
	out := make(map[string]map[string]bool, len(lists))
	for name, capabilities := range lists {
		set := map[string]bool{}
		for _, capability := range capabilities {
			normalized := normalizeCapability(capability)
			if slices.Contains(neverAllowed, normalized) {
				return nil, fmt.Errorf("invalid capability allow-list for service %q: %s can never be allowed, remove it from the list", name, capability)
			}
			set[normalized] = true
		}
		out[name] = set
	}
	return out, nil
}

// checker is the state of one Check call.
type checker struct {
	project        *project
	allowed        map[string]map[string]bool
	writableRootFS map[string]bool
	issues         []issue
	// issueIndex maps a rule and a line to the index of its issue.
	issueIndex map[issueKey]int
}

type issueKey struct {
	rule *Rule
	line int
}

// issue is a finding before it gets its target and path.
type issue struct {
	rule    *Rule
	line    int
	message string
}

// report adds a finding of rule r on line, with a message that starts with
// the service's name. Findings.Key does not include the message, so two
// findings of one rule on one line (two ports in one flow sequence, or two
// services written on one line) become one finding with both messages.
func (c *checker) report(r *Rule, s service, line int, format string, args ...any) {
	message := fmt.Sprintf("service %q ", s.name) + fmt.Sprintf(format, args...)
	key := issueKey{r, line}
	if i, ok := c.issueIndex[key]; ok {
		c.issues[i].message += " " + message
		return
	}
	c.issueIndex[key] = len(c.issues)
	c.issues = append(c.issues, issue{rule: r, line: line, message: message})
}
