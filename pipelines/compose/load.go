package compose

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxExpandedNodes bounds the number of nodes that expanding aliases and
// merge keys may produce, so a small file that nests aliases cannot grow
// into an unbounded tree.
const maxExpandedNodes = 1 << 20

// Tags that docker compose gives a meaning when it merges YAML trees.
const (
	// resetTag removes the key from the merged result.
	resetTag = "!reset"
	// overrideTag replaces the merged value instead of merging into it.
	overrideTag = "!override"
)

// project is a compose file after its documents were merged, with aliases,
// merge keys and same-file extends resolved.
type project struct {
	// root is the top-level mapping.
	root *yaml.Node
	// services are in the order of the file.
	services []service
}

// service is one entry of the top-level services mapping.
type service struct {
	name string
	// line is the line of the service's key.
	line int
	// node is the service's mapping, empty when the file sets the service
	// to null.
	node *yaml.Node
}

// loadProject parses data the way docker compose reads one file: every YAML
// document is a layer merged over the ones before it. It returns an error
// that carries the YAML line for invalid YAML and for values that compose
// rejects before the rules could read them.
func loadProject(data []byte) (*project, error) {
	decoder := yaml.NewDecoder(bytes.NewReader(data))
	var root *yaml.Node
	for {
		var document yaml.Node
		err := decoder.Decode(&document)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, withAliasLine(err, data)
		}
		if len(document.Content) == 0 || isNull(document.Content[0]) {
			continue
		}
		if err := validateAliases(document.Content[0], map[*yaml.Node]bool{}); err != nil {
			return nil, err
		}

		// Decoding into Go values applies yaml.v3's checks: unique keys,
		// valid merge keys, and no excessive aliasing.
		var values any
		if err := document.Decode(&values); err != nil {
			return nil, err
		}

		body := document.Content[0]
		if body.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("line %d: the top-level value is a %s, expected a mapping", body.Line, kindName(body))
		}
		expander := &expander{}
		expanded, err := expander.expand(body, 0)
		if err != nil {
			return nil, err
		}
		root = mergeNodes(root, expanded, nil)
	}
	if root == nil {
		return nil, errors.New("empty compose file")
	}

	p := &project{root: root}
	if err := p.readServices(); err != nil {
		return nil, err
	}
	return p, nil
}

// unknownAnchor matches the error of yaml.v3's parser for an alias to an
// anchor that is not defined, which carries no line.
var unknownAnchor = regexp.MustCompile(`unknown anchor '([^']*)' referenced`)

// withAliasLine adds the line of the first use of an undefined anchor to
// err, when err is yaml.v3's error for it.
func withAliasLine(err error, data []byte) error {
	match := unknownAnchor.FindStringSubmatch(err.Error())
	if match == nil {
		return err
	}
	use := regexp.MustCompile(`\*` + regexp.QuoteMeta(match[1]) + `(?:[\s,\]}]|$)`)
	for i, line := range strings.Split(string(data), "\n") {
		if use.MatchString(line) {
			return fmt.Errorf("line %d: %w", i+1, err)
		}
	}
	return err
}

// validateAliases rejects, with their line, an alias used inside its own
// anchor and a merge key (<<) whose value is not a mapping or a list of
// mappings. yaml.v3 rejects both too, but without a line. open holds the
// anchored nodes that enclose n.
func validateAliases(n *yaml.Node, open map[*yaml.Node]bool) error {
	switch n.Kind {
	case yaml.AliasNode:
		if open[n.Alias] {
			return fmt.Errorf("line %d: alias *%s is used inside its own anchor", n.Line, n.Value)
		}
		return nil
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if isMergeKey(n.Content[i]) && !isMergeValue(n.Content[i+1]) {
				return fmt.Errorf("line %d: a merge key (<<) needs a mapping or a list of mappings", n.Content[i].Line)
			}
		}
	}

	if n.Anchor != "" {
		open[n] = true
		defer delete(open, n)
	}
	for _, child := range n.Content {
		if err := validateAliases(child, open); err != nil {
			return err
		}
	}
	return nil
}

// isMergeValue reports whether n is a mapping, an alias of one, or a list
// of them.
func isMergeValue(n *yaml.Node) bool {
	isMapping := func(n *yaml.Node) bool {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		return n.Kind == yaml.MappingNode
	}
	if n.Kind != yaml.SequenceNode {
		return isMapping(n)
	}
	for _, item := range n.Content {
		if !isMapping(item) {
			return false
		}
	}
	return true
}

// readServices fills p.services and applies extends between them.
func (p *project) readServices() error {
	_, services := field(p.root, "services")
	if services == nil || isNull(services) {
		return nil
	}
	if services.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: services is a %s, expected a mapping", services.Line, kindName(services))
	}

	byName := map[string]*service{}
	for i := 0; i+1 < len(services.Content); i += 2 {
		key, value := services.Content[i], services.Content[i+1]
		if isReset(value) {
			continue
		}
		node := value
		if isNull(value) {
			node = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: value.Line}
		}
		if node.Kind != yaml.MappingNode {
			return fmt.Errorf("line %d: service %q is a %s, expected a mapping", value.Line, key.Value, kindName(value))
		}
		p.services = append(p.services, service{name: key.Value, line: key.Line, node: node})
	}
	for i := range p.services {
		byName[p.services[i].name] = &p.services[i]
	}

	resolved := map[string]bool{}
	for i := range p.services {
		if err := resolveExtends(&p.services[i], byName, resolved, nil); err != nil {
			return err
		}
	}
	return nil
}

// resolveExtends merges the service that s extends, from the same file, into
// s. The inherited values get the line of the extends key, so a finding on
// them points into s. chain holds the services being resolved, to reject a
// cycle as docker compose does.
//
// NOTE: extends with a file key names another compose file, which Check does
// not read: such a service is checked on its own keys only.
func resolveExtends(s *service, byName map[string]*service, resolved map[string]bool, chain []string) error {
	if resolved[s.name] {
		return nil
	}
	for _, name := range chain {
		if name == s.name {
			return fmt.Errorf("services extend each other in a cycle: %s -> %s", strings.Join(chain, " -> "), s.name)
		}
	}

	key, value := field(s.node, "extends")
	if value == nil || isNull(value) {
		resolved[s.name] = true
		return nil
	}
	var baseName string
	switch value.Kind {
	case yaml.ScalarNode:
		baseName = interpolate(value.Value, "")
	case yaml.MappingNode:
		if _, file := field(value, "file"); file != nil && !isNull(file) {
			resolved[s.name] = true
			return nil
		}
		_, name := field(value, "service")
		if name == nil || name.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: extends of service %q has no service key", key.Line, s.name)
		}
		baseName = interpolate(name.Value, "")
	default:
		return fmt.Errorf("line %d: extends of service %q is a %s, expected a service name or a mapping", key.Line, s.name, kindName(value))
	}

	base, ok := byName[baseName]
	if !ok {
		return fmt.Errorf("line %d: service %q extends service %q, which is not defined", key.Line, s.name, baseName)
	}
	if err := resolveExtends(base, byName, resolved, append(chain, s.name)); err != nil {
		return err
	}
	s.node = mergeNodes(reline(base.node, key.Line), s.node, []string{"services", s.name})
	resolved[s.name] = true
	return nil
}

// expander copies a YAML tree with its aliases and merge keys resolved.
type expander struct {
	nodes int
}

// expand returns a copy of n with no alias nodes and no merge keys. When
// line is not 0, every node of the copy gets that line: expand passes the
// line where an alias or a merge key is used, so that a finding on a value
// inherited from an anchor points at the place that inherits it.
//
// A mapping's own keys win over merged ones, and among merged mappings the
// first one listed wins, as the YAML merge key type defines.
func (e *expander) expand(n *yaml.Node, line int) (*yaml.Node, error) {
	e.nodes++
	if e.nodes > maxExpandedNodes {
		return nil, fmt.Errorf("line %d: the file has more than %d nodes after expanding aliases", n.Line, maxExpandedNodes)
	}

	switch n.Kind {
	case yaml.AliasNode:
		if line == 0 {
			line = n.Line
		}
		if n.Alias == nil {
			return nil, fmt.Errorf("line %d: unknown anchor %q", n.Line, n.Value)
		}
		return e.expand(n.Alias, line)
	case yaml.MappingNode:
		return e.expandMapping(n, line)
	}

	out := copyNode(n, line)
	for _, child := range n.Content {
		expanded, err := e.expand(child, line)
		if err != nil {
			return nil, err
		}
		out.Content = append(out.Content, expanded)
	}
	return out, nil
}

func (e *expander) expandMapping(n *yaml.Node, line int) (*yaml.Node, error) {
	out := copyNode(n, line)
	present := map[string]bool{}

	type mergeSource struct {
		node *yaml.Node
		line int
	}
	var merges []mergeSource
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		if isMergeKey(key) {
			mergeLine := line
			if mergeLine == 0 {
				mergeLine = key.Line
			}
			merges = append(merges, mergeSource{value, mergeLine})
			continue
		}
		expandedKey, err := e.expand(key, line)
		if err != nil {
			return nil, err
		}
		expandedValue, err := e.expand(value, line)
		if err != nil {
			return nil, err
		}
		out.Content = append(out.Content, expandedKey, expandedValue)
		present[expandedKey.Value] = true
	}

	for _, merge := range merges {
		sources := []*yaml.Node{merge.node}
		if merge.node.Kind == yaml.SequenceNode {
			sources = merge.node.Content
		}
		for _, source := range sources {
			expanded, err := e.expand(source, merge.line)
			if err != nil {
				return nil, err
			}
			if expanded.Kind != yaml.MappingNode {
				return nil, fmt.Errorf("line %d: a merge key (<<) needs a mapping or a list of mappings", merge.line)
			}
			for i := 0; i+1 < len(expanded.Content); i += 2 {
				key := expanded.Content[i].Value
				if present[key] {
					continue
				}
				present[key] = true
				out.Content = append(out.Content, expanded.Content[i], expanded.Content[i+1])
			}
		}
	}
	return out, nil
}

// mergeNodes returns over merged into base, as docker compose merges two
// layers: mappings merge key by key, sequences are appended (a service's
// volumes are merged by their target, the later one wins), and any other
// value is replaced. A value tagged !reset removes the key and one tagged
// !override replaces the value. path holds the mapping keys from the root.
// Neither input is modified.
//
// NOTE: docker compose also removes duplicates from merged sequences, such
// as the same port published twice. The copies here stay, which can only
// repeat a finding.
func mergeNodes(base, over *yaml.Node, path []string) *yaml.Node {
	if base == nil || isReset(over) || over.Tag == overrideTag {
		return over
	}
	switch {
	case base.Kind == yaml.MappingNode && over.Kind == yaml.MappingNode:
		out := copyNode(base, 0)
		out.Content = append(out.Content, base.Content...)
		for i := 0; i+1 < len(over.Content); i += 2 {
			key, value := over.Content[i], over.Content[i+1]
			index := keyIndex(out, key.Value)
			if index < 0 {
				out.Content = append(out.Content, key, value)
				continue
			}
			out.Content[index+1] = mergeNodes(out.Content[index+1], value, append(path[:len(path):len(path)], key.Value))
		}
		return out
	case base.Kind == yaml.SequenceNode && over.Kind == yaml.SequenceNode:
		out := copyNode(over, 0)
		if isServiceVolumes(path) {
			out.Content = mergeVolumes(base.Content, over.Content)
		} else {
			out.Content = append(append(out.Content, base.Content...), over.Content...)
		}
		return out
	}
	return over
}

func isServiceVolumes(path []string) bool {
	return len(path) == 3 && path[0] == "services" && path[2] == "volumes"
}

// mergeVolumes keeps the base volumes whose target no volume of over mounts,
// then appends over.
func mergeVolumes(base, over []*yaml.Node) []*yaml.Node {
	targets := map[string]bool{}
	for _, item := range over {
		if m, ok := parseMount(item); ok {
			targets[m.target] = true
		}
	}
	var out []*yaml.Node
	for _, item := range base {
		if m, ok := parseMount(item); ok && targets[m.target] {
			continue
		}
		out = append(out, item)
	}
	return append(out, over...)
}

// reline returns a deep copy of n with every node on line.
func reline(n *yaml.Node, line int) *yaml.Node {
	out := copyNode(n, line)
	for _, child := range n.Content {
		out.Content = append(out.Content, reline(child, line))
	}
	return out
}

// copyNode returns a copy of n without its children, anchor and alias, on
// line when line is not 0.
func copyNode(n *yaml.Node, line int) *yaml.Node {
	out := *n
	out.Content = nil
	out.Alias = nil
	out.Anchor = ""
	if line != 0 {
		out.Line, out.Column = line, 0
	}
	return &out
}

func isMergeKey(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Value == "<<" && n.ShortTag() == "!!merge"
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func isReset(n *yaml.Node) bool {
	return n != nil && n.Tag == resetTag
}

// keyIndex returns the index of key in the mapping's Content, or -1.
func keyIndex(mapping *yaml.Node, key string) int {
	for i := 0; i+1 < len(mapping.Content); i += 2 {
		if mapping.Content[i].Value == key {
			return i
		}
	}
	return -1
}

// field returns the key and value nodes of key in mapping, or two nils when
// mapping is not a mapping, lacks the key or resets it with !reset.
func field(mapping *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	if mapping == nil || mapping.Kind != yaml.MappingNode {
		return nil, nil
	}
	index := keyIndex(mapping, key)
	if index < 0 || isReset(mapping.Content[index+1]) {
		return nil, nil
	}
	return mapping.Content[index], mapping.Content[index+1]
}

// fieldPath follows keys through nested mappings, as field does for one.
func fieldPath(mapping *yaml.Node, keys ...string) (*yaml.Node, *yaml.Node) {
	var key, value *yaml.Node
	value = mapping
	for _, k := range keys {
		key, value = field(value, k)
		if value == nil {
			return nil, nil
		}
	}
	return key, value
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "sequence"
	case yaml.AliasNode:
		return "alias"
	}
	return "scalar"
}
