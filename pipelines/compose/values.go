package compose

import (
	"net"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// interpolate returns s as docker compose interpolates it when no variable
// is set: "$$" becomes "$", ${VAR:-default} and ${VAR-default} become their
// interpolated default, and $VAR, ${VAR}, ${VAR:+value} and ${VAR+value}
// become empty. A required variable, ${VAR:?message} or ${VAR?message},
// becomes the text of required, so a caller can tell it apart.
//
// NOTE: docker compose rejects a file with an invalid template such as "$1"
// or an unclosed "${". interpolate keeps such text as it is, and so it keeps
// defaults nested deeper than maxInterpolationDepth.
func interpolate(s, required string) string {
	return interpolateNested(s, required, 0)
}

// maxInterpolationDepth bounds the nesting of defaults such as
// ${A:-${B:-x}}, because each level scans the rest of the value again.
const maxInterpolationDepth = 32

func interpolateNested(s, required string, depth int) string {
	if !strings.Contains(s, "$") || depth > maxInterpolationDepth {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			i++
			continue
		}
		next := s[i+1]
		switch {
		case next == '$':
			b.WriteByte('$')
			i += 2
		case next == '{':
			end := closingBrace(s, i)
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			b.WriteString(interpolateBraced(s[i+2:end], required, depth))
			i = end + 1
		case isNameStart(next):
			// An unset variable expands to nothing.
			i += 2
			for i < len(s) && isNameChar(s[i]) {
				i++
			}
		default:
			b.WriteByte('$')
			i++
		}
	}
	return b.String()
}

// interpolateBraced returns the value of the text between "${" and "}".
func interpolateBraced(body, required string, depth int) string {
	name := 0
	for name < len(body) && (name == 0 && isNameStart(body[name]) || name > 0 && isNameChar(body[name])) {
		name++
	}
	if name == 0 {
		return "${" + body + "}"
	}

	operator := strings.TrimPrefix(body[name:], ":")
	switch {
	case body[name:] == "":
		return ""
	case strings.HasPrefix(operator, "-"):
		return interpolateNested(operator[1:], required, depth+1)
	case strings.HasPrefix(operator, "?"):
		return required
	case strings.HasPrefix(operator, "+"):
		return ""
	}
	return "${" + body + "}"
}

// closingBrace returns the index of the "}" that closes the "${" at start,
// counting nested "${", or -1.
func closingBrace(s string, start int) int {
	open := 0
	for i := start; i < len(s); i++ {
		if strings.HasPrefix(s[i:], "${") {
			open++
			i++
			continue
		}
		if s[i] == '}' {
			open--
			if open == 0 {
				return i
			}
		}
	}
	return -1
}

func isNameStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isNameChar(c byte) bool {
	return isNameStart(c) || '0' <= c && c <= '9'
}

// text returns the interpolated value of a scalar node, and false for a
// missing node, a null or a collection.
func text(n *yaml.Node) (string, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || isNull(n) {
		return "", false
	}
	return interpolate(n.Value, ""), true
}

// parseBool reads a boolean as docker compose casts an interpolated value:
// y, yes, true, on and n, no, false, off, in any case.
func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "y", "yes", "true", "on":
		return true, true
	case "n", "no", "false", "off":
		return false, true
	}
	return false, false
}

// isTrue reports whether n contains a true boolean.
func isTrue(n *yaml.Node) bool {
	s, ok := text(n)
	if !ok {
		return false
	}
	value, ok := parseBool(s)
	return ok && value
}

// byteSizePattern is the size syntax of Docker's go-units RAMInBytes, which
// docker compose uses for memory values: a number, an optional space, an
// optional unit letter, then optional "i" and "b". Units are powers of 1024.
var byteSizePattern = regexp.MustCompile(`^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$`)

// parseBytes returns the size in bytes of a memory value such as "256M",
// "1g", "512MiB" or "1048576".
func parseBytes(s string) (float64, bool) {
	match := byteSizePattern.FindStringSubmatch(strings.TrimSpace(s))
	if match == nil {
		return 0, false
	}
	size, err := strconv.ParseFloat(match[1], 64)
	if err != nil {
		return 0, false
	}
	multiplier := 1.0
	if match[2] != "" {
		exponent := strings.Index("kmgtp", strings.ToLower(match[2])) + 1
		for range exponent {
			multiplier *= 1024
		}
	}
	return size * multiplier, true
}

// normalizeCapability returns a capability name as Docker compares it: upper
// case, without the CAP_ prefix.
func normalizeCapability(name string) string {
	return strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(name)), "CAP_")
}

// mount is one entry of a service's volumes or tmpfs.
type mount struct {
	// kind is "bind", "volume", "tmpfs", "npipe", "cluster" or "image".
	kind   string
	source string
	target string
	// readOnly is true for the ro mode of the short syntax and read_only
	// of the long syntax.
	readOnly bool
	line     int
}

// parseMount reads a volumes entry in the short syntax ("src:dst:mode",
// "dst") or the long syntax (a mapping with type, source and target).
func parseMount(item *yaml.Node) (mount, bool) {
	switch item.Kind {
	case yaml.ScalarNode:
		spec, ok := text(item)
		if !ok || spec == "" {
			return mount{}, false
		}
		m := parseShortVolume(spec)
		m.line = item.Line
		return m, true
	case yaml.MappingNode:
		_, kindNode := field(item, "type")
		_, sourceNode := field(item, "source")
		_, targetNode := field(item, "target")
		_, readOnlyNode := field(item, "read_only")
		kind, _ := text(kindNode)
		source, _ := text(sourceNode)
		target, _ := text(targetNode)
		return mount{kind: kind, source: source, target: target, readOnly: isTrue(readOnlyNode), line: item.Line}, true
	}
	return mount{}, false
}

// parseShortVolume splits a short volume syntax as docker compose does: a
// colon separates source, target and mode, except the colon of a Windows
// drive letter ("C:\data:/data"). A lone path is the target of an anonymous
// volume. A source that starts with ".", "/", "~" or "\\" or is a Windows
// path is a bind mount, any other source names a volume.
func parseShortVolume(spec string) mount {
	var fields []string
	var current []rune
	for _, c := range spec {
		windowsDrive := c == ':' && len(current) == 1 && unicode.IsLetter(current[0])
		if c == ':' && !windowsDrive {
			fields = append(fields, string(current))
			current = nil
			continue
		}
		current = append(current, c)
	}
	fields = append(fields, string(current))

	var m mount
	switch len(fields) {
	case 1:
		m.target = fields[0]
	default:
		m.source, m.target = fields[0], fields[1]
		if len(fields) > 2 {
			for _, option := range strings.Split(fields[2], ",") {
				if option == "ro" {
					m.readOnly = true
				}
			}
		}
	}

	m.kind = "volume"
	if isHostPath(m.source) {
		m.kind = "bind"
	}
	return m
}

func isHostPath(source string) bool {
	if source == "" {
		return false
	}
	switch source[0] {
	case '.', '/', '~':
		return true
	}
	if strings.HasPrefix(source, `\\`) {
		return true
	}
	return len(source) > 2 && unicode.IsLetter(rune(source[0])) && source[1] == ':' && (source[2] == '\\' || source[2] == '/')
}

// tmpfsTargets returns the paths of a tmpfs key, given as one string or a
// list, each with optional mount options after a colon ("/tmp:size=16m").
func tmpfsTargets(n *yaml.Node) []mount {
	if n == nil {
		return nil
	}
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	var mounts []mount
	for _, item := range items {
		spec, ok := text(item)
		if !ok || spec == "" {
			continue
		}
		target, _, _ := strings.Cut(spec, ":")
		mounts = append(mounts, mount{kind: "tmpfs", target: target, line: item.Line})
	}
	return mounts
}

// port is one published port.
type port struct {
	// spec is the entry as written, or a short-syntax rendering of a long
	// one, for messages.
	spec      string
	hostIP    string
	published string
	target    string
	line      int
}

// parsePort reads a ports entry in the short syntax
// ("[host_ip:][published:]target[/protocol]", where an IPv6 host_ip may be
// in brackets) or the long syntax (a mapping with host_ip, published and
// target). The split follows Docker's go-connections, which docker compose
// uses: the last two colon-separated fields are the ports and everything
// before them is the host IP.
func parsePort(item *yaml.Node) (port, bool) {
	switch item.Kind {
	case yaml.ScalarNode:
		spec, ok := text(item)
		if !ok || spec == "" {
			return port{}, false
		}
		p := port{spec: spec, line: item.Line}
		ports, _, _ := strings.Cut(spec, "/")
		parts := strings.Split(ports, ":")
		n := len(parts)
		p.target = parts[n-1]
		switch n {
		case 1:
		case 2:
			p.published = parts[0]
		default:
			p.hostIP = strings.Join(parts[:n-2], ":")
			p.published = parts[n-2]
		}
		p.hostIP = strings.TrimSuffix(strings.TrimPrefix(p.hostIP, "["), "]")
		return p, true
	case yaml.MappingNode:
		hostIPKey, hostIPNode := field(item, "host_ip")
		_, publishedNode := field(item, "published")
		_, targetNode := field(item, "target")
		p := port{line: item.Line}
		p.hostIP, _ = text(hostIPNode)
		p.published, _ = text(publishedNode)
		p.target, _ = text(targetNode)
		if hostIPKey != nil {
			p.line = hostIPKey.Line
		}
		p.spec = p.target
		if p.published != "" {
			p.spec = p.published + ":" + p.target
		}
		if p.hostIP != "" {
			p.spec = p.hostIP + ":" + p.spec
		}
		return p, true
	}
	return port{}, false
}

// onAllInterfaces reports whether Docker binds the port on every host
// interface: no host IP, or the unspecified address 0.0.0.0 or ::.
func (p port) onAllInterfaces() bool {
	if p.hostIP == "" {
		return true
	}
	ip := net.ParseIP(p.hostIP)
	return ip != nil && ip.IsUnspecified()
}
