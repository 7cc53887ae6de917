package compose

import (
	"path"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/atlasia-ai/supplychain/pipelines/findings"
)

// docURL is the address of the README that documents the rules. Each rule's
// URL adds the rule's anchor.
const docURL = "https://github.com/atlasia-ai/supplychain/blob/main/pipelines/compose/README.md"

// Rule is one hardening check of a compose service.
type Rule struct {
	// ID is this project's ID, ATL-CMP-001 to ATL-CMP-012.
	ID       string
	Title    string
	Severity findings.Severity
	// CIS lists the sections of the CIS Docker Benchmark v1.2.0 that the
	// rule checks, empty when the benchmark has none. Later versions
	// renumbered section 5: v1.6.0 has privileged containers at 5.5.
	CIS []string
	// URL is the rule's section of the README.
	URL string

	check func(c *checker, r *Rule, s service)
}

// rules are in the order of their IDs.
var rules = []*Rule{
	newRule("ATL-CMP-001", "Do not run privileged containers", findings.Critical, []string{"5.4"}, checkPrivileged),
	newRule("ATL-CMP-002", "Do not share the host's namespaces", findings.High, []string{"5.9", "5.15", "5.16", "5.20", "5.30"}, checkHostNamespaces),
	newRule("ATL-CMP-003", "Do not mount the Docker socket", findings.Critical, []string{"5.31"}, checkDockerSocket),
	newRule("ATL-CMP-004", "Drop all capabilities", findings.Medium, []string{"5.3"}, checkCapDrop),
	newRule("ATL-CMP-005", "Add back only allowed capabilities", findings.High, []string{"5.3"}, checkCapAdd),
	newRule("ATL-CMP-006", "Set no-new-privileges", findings.Medium, []string{"5.25"}, checkNoNewPrivileges),
	newRule("ATL-CMP-007", "Mount the root filesystem read-only", findings.Medium, []string{"5.12"}, checkReadOnly),
	newRule("ATL-CMP-008", "Limit memory", findings.Medium, []string{"5.10"}, checkMemoryLimit),
	newRule("ATL-CMP-009", "Limit CPU", findings.Low, []string{"5.11"}, checkCPULimit),
	newRule("ATL-CMP-010", "Limit the number of processes", findings.Medium, []string{"5.28"}, checkPidsLimit),
	newRule("ATL-CMP-011", "Bind published ports to one host address", findings.Medium, []string{"5.13"}, checkPorts),
	newRule("ATL-CMP-012", "Pin image versions", findings.Medium, nil, checkImageTag),
}

func newRule(id, title string, severity findings.Severity, cis []string, check func(*checker, *Rule, service)) *Rule {
	return &Rule{ID: id, Title: title, Severity: severity, CIS: cis, URL: docURL + "#" + strings.ToLower(id), check: check}
}

// Rules returns every rule in the order of their IDs.
func Rules() []Rule {
	out := make([]Rule, 0, len(rules))
	for _, r := range rules {
		copied := *r
		copied.CIS = slices.Clone(r.CIS)
		copied.check = nil
		out = append(out, copied)
	}
	return out
}

// lineOf returns the line of key, or of the service when key is nil.
func lineOf(key *yaml.Node, s service) int {
	if key == nil {
		return s.line
	}
	return key.Line
}

// items returns the entries of a sequence, or the node itself for a scalar,
// which some keys accept in place of a one-entry list.
func items(n *yaml.Node) []*yaml.Node {
	switch {
	case n == nil || isNull(n):
		return nil
	case n.Kind == yaml.SequenceNode:
		return n.Content
	}
	return []*yaml.Node{n}
}

func checkPrivileged(c *checker, r *Rule, s service) {
	key, value := field(s.node, "privileged")
	if isTrue(value) {
		c.report(r, s, key.Line, "runs privileged (privileged: true), which gives it every capability and every host device. Remove privileged and add back only the capabilities it needs with cap_add.")
	}
}

// hostNamespaceKeys are the service keys that share a host namespace when
// set to "host", with the consequence and the fix for the message.
var hostNamespaceKeys = []struct{ key, consequence, fix string }{
	{"network_mode", "shares the host's network namespace, so it can listen on every host interface and reach services bound to the host's loopback address", "Remove network_mode and attach the service to a bridge network with networks."},
	{"pid", "shares the host's process namespace, so it can see and signal every process on the host", "Remove pid."},
	{"ipc", "shares the host's IPC namespace, so it can read and change the host's shared memory", "Remove ipc, or set it to private or shareable."},
	{"uts", "shares the host's UTS namespace, so it can change the host's hostname", "Remove uts."},
	{"userns_mode", "opts out of the daemon's user namespace remapping, so its root user is root on the host", "Remove userns_mode."},
}

func checkHostNamespaces(c *checker, r *Rule, s service) {
	for _, namespace := range hostNamespaceKeys {
		key, value := field(s.node, namespace.key)
		if v, ok := text(value); ok && v == "host" {
			c.report(r, s, key.Line, "%s (%s: host). %s", namespace.consequence, namespace.key, namespace.fix)
		}
	}

	// A service can also join the host network by name, through a
	// top-level network that is Docker's predefined "host" network.
	_, networks := field(s.node, "networks")
	var entries []*yaml.Node
	switch {
	case networks == nil:
	case networks.Kind == yaml.MappingNode:
		for i := 0; i < len(networks.Content); i += 2 {
			entries = append(entries, networks.Content[i])
		}
	default:
		entries = items(networks)
	}
	for _, entry := range entries {
		name, ok := text(entry)
		if ok && c.project.isHostNetwork(name) {
			c.report(r, s, entry.Line, "joins the host network through network %q, so it shares the host's network namespace. Attach the service to a bridge network instead.", name)
		}
	}
}

// isHostNetwork reports whether the top-level network name is Docker's
// "host" network: an external network named host, or one with the host
// driver.
func (p *project) isHostNetwork(name string) bool {
	_, network := fieldPath(p.root, "networks", name)
	if network == nil || network.Kind != yaml.MappingNode {
		return false
	}
	_, driver := field(network, "driver")
	if d, ok := text(driver); ok && d == "host" {
		return true
	}

	_, external := field(network, "external")
	if external == nil {
		return false
	}
	effectiveName := name
	if _, n := field(network, "name"); n != nil {
		effectiveName, _ = text(n)
	}
	if external.Kind == yaml.MappingNode {
		// The legacy syntax external: {name: ...} names the network.
		if _, n := field(external, "name"); n != nil {
			effectiveName, _ = text(n)
		}
		return effectiveName == "host"
	}
	return isTrue(external) && effectiveName == "host"
}

func checkDockerSocket(c *checker, r *Rule, s service) {
	_, volumes := field(s.node, "volumes")
	for _, item := range items(volumes) {
		m, ok := parseMount(item)
		if !ok {
			continue
		}
		source := m.source
		via := ""
		if m.kind == "volume" && source != "" {
			device, ok := c.project.boundDevice(source)
			if !ok {
				continue
			}
			source = device
			via = " through volume " + strconv.Quote(m.source)
		}
		if what, ok := socketExposure(source); ok {
			c.report(r, s, m.line, "mounts %s from the host%s, and the Docker API gives whoever reaches it root on the host. Remove the mount. A service that must call Docker should go through a proxy that allows only the calls it needs.", what, via)
		}
	}
}

// boundDevice returns the host path that the top-level volume name binds
// with the local driver's options (o: bind, device: PATH).
func (p *project) boundDevice(name string) (string, bool) {
	_, options := fieldPath(p.root, "volumes", name, "driver_opts")
	if options == nil {
		return "", false
	}
	_, o := field(options, "o")
	_, device := field(options, "device")
	mountOptions, _ := text(o)
	devicePath, ok := text(device)
	isBind := slices.ContainsFunc(strings.Split(mountOptions, ","), func(option string) bool {
		return option == "bind" || option == "rbind"
	})
	if !ok || !isBind {
		return "", false
	}
	return devicePath, true
}

// socketExposure describes what a host path gives access to when it is the
// Docker socket, a directory that contains it at its default place
// (/var/run/docker.sock, or /run/docker.sock where /var/run links to /run),
// the host's root, or the Windows engine's named pipe.
func socketExposure(source string) (string, bool) {
	if strings.HasPrefix(source, `\\`) {
		if strings.Contains(strings.ToLower(source), "docker_engine") {
			return "the Docker engine's named pipe " + strconv.Quote(source), true
		}
		return "", false
	}
	if source == "" {
		return "", false
	}
	clean := path.Clean(source)
	switch {
	case path.Base(clean) == "docker.sock":
		return "the Docker socket " + strconv.Quote(source), true
	case clean == "/", clean == "/run", clean == "/var/run":
		return strconv.Quote(source) + ", which contains the Docker socket", true
	}
	return "", false
}

func checkCapDrop(c *checker, r *Rule, s service) {
	key, value := field(s.node, "cap_drop")
	var dropped []string
	for _, item := range items(value) {
		if name, ok := text(item); ok {
			dropped = append(dropped, name)
			if normalizeCapability(name) == "ALL" {
				return
			}
		}
	}
	if len(dropped) == 0 {
		c.report(r, s, lineOf(key, s), "keeps Docker's default capabilities because cap_drop does not drop ALL. Set cap_drop: [ALL] and add back only what the service needs with cap_add.")
		return
	}
	c.report(r, s, key.Line, "drops only some capabilities (cap_drop: %s) and keeps the rest of Docker's defaults. Set cap_drop: [ALL] and add back only what the service needs with cap_add.", strings.Join(dropped, ", "))
}

func checkCapAdd(c *checker, r *Rule, s service) {
	_, value := field(s.node, "cap_add")
	allowed := c.allowed[s.name]
	var rejected []string
	line := 0
	for _, item := range items(value) {
		name, ok := text(item)
		if !ok {
			continue
		}
		normalized := normalizeCapability(name)
		if allowed[normalized] && !slices.Contains(neverAllowed, normalized) {
			continue
		}
		if slices.Contains(rejected, normalized) {
			continue
		}
		rejected = append(rejected, normalized)
		if line == 0 {
			line = item.Line
		}
	}
	if len(rejected) == 0 {
		return
	}

	permitted := make([]string, 0, len(allowed))
	for name := range allowed {
		permitted = append(permitted, name)
	}
	slices.Sort(permitted)
	allowedText := "none"
	if len(permitted) > 0 {
		allowedText = strings.Join(permitted, ", ")
	}
	c.report(r, s, line, "adds capabilities that its allow-list does not permit: %s (allowed: %s). Remove them from cap_add, or extend the service's allow-list if it needs them. ALL and SYS_ADMIN are never allowed.", strings.Join(rejected, ", "), allowedText)
}

func checkNoNewPrivileges(c *checker, r *Rule, s service) {
	key, value := field(s.node, "security_opt")

	// Docker applies the options in order, so the last setting wins.
	var setting *yaml.Node
	enabled := false
	for _, item := range items(value) {
		option, ok := text(item)
		if !ok {
			continue
		}
		if on, isSetting := parseNoNewPrivileges(option); isSetting {
			setting, enabled = item, on
		}
	}

	const consequence = "so its processes can gain privileges through setuid and setgid files"
	switch {
	case enabled:
	case setting != nil:
		c.report(r, s, setting.Line, "sets %s in security_opt, which does not enable no-new-privileges, %s. Set security_opt: [\"no-new-privileges:true\"].", strconv.Quote(setting.Value), consequence)
	default:
		c.report(r, s, lineOf(key, s), "does not set no-new-privileges, %s. Add \"no-new-privileges:true\" to security_opt.", consequence)
	}
}

// parseNoNewPrivileges reads a security_opt entry as the Docker daemon does:
// "no-new-privileges" alone enables it, and "no-new-privileges=VALUE" or
// "no-new-privileges:VALUE" sets it to VALUE, a Go boolean. An invalid VALUE,
// which the daemon rejects, counts as not enabled.
func parseNoNewPrivileges(option string) (enabled, isSetting bool) {
	if option == "no-new-privileges" {
		return true, true
	}
	key, value, found := strings.Cut(option, "=")
	if !found {
		key, value, found = strings.Cut(option, ":")
	}
	if !found || key != "no-new-privileges" {
		return false, false
	}
	on, err := strconv.ParseBool(value)
	return err == nil && on, true
}

func checkReadOnly(c *checker, r *Rule, s service) {
	if c.writableRootFS[s.name] {
		return
	}
	key, value := field(s.node, "read_only")
	if isTrue(value) {
		return
	}

	// Volumes and tmpfs mounts stay writable under read_only, so a service
	// with a data directory, like a database, can still use it.
	var writable []string
	_, volumes := field(s.node, "volumes")
	for _, item := range items(volumes) {
		if m, ok := parseMount(item); ok && !m.readOnly && m.target != "" {
			writable = append(writable, m.target)
		}
	}
	_, tmpfs := field(s.node, "tmpfs")
	for _, m := range tmpfsTargets(tmpfs) {
		writable = append(writable, m.target)
	}
	fix := "Set read_only: true and mount a tmpfs or a volume on each path it writes, for example tmpfs: [/tmp]."
	if len(writable) > 0 {
		fix = "Set read_only: true and mount a tmpfs or a volume on each other path it writes. Its volumes and tmpfs mounts (" + strings.Join(writable, ", ") + ") stay writable."
	}

	if key == nil || isNull(value) {
		c.report(r, s, lineOf(key, s), "has a writable root filesystem because read_only is not set. %s", fix)
		return
	}
	c.report(r, s, key.Line, "has a writable root filesystem because read_only is not true. %s", fix)
}

// limitSetting is a key that sets a resource limit, and how to tell that
// its value limits anything.
type limitSetting struct {
	path     []string
	positive func(string) bool
}

var (
	memoryLimitSettings = []limitSetting{
		{[]string{"deploy", "resources", "limits", "memory"}, isPositiveBytes},
		{[]string{"mem_limit"}, isPositiveBytes},
	}
	cpuLimitSettings = []limitSetting{
		{[]string{"deploy", "resources", "limits", "cpus"}, isPositiveFloat},
		{[]string{"cpus"}, isPositiveFloat},
		// cpu_quota limits CPU time per cpu_period (100ms by default).
		{[]string{"cpu_quota"}, isPositiveInt},
	}
	// Docker reads a pids limit of 0 or -1 as no limit.
	pidsLimitSettings = []limitSetting{
		{[]string{"deploy", "resources", "limits", "pids"}, isPositiveInt},
		{[]string{"pids_limit"}, isPositiveInt},
	}
)

func checkMemoryLimit(c *checker, r *Rule, s service) {
	checkLimit(c, r, s, memoryLimitSettings, "memory", "256M")
}

func checkCPULimit(c *checker, r *Rule, s service) {
	checkLimit(c, r, s, cpuLimitSettings, "CPU", "\"0.5\"")
}

func checkPidsLimit(c *checker, r *Rule, s service) {
	checkLimit(c, r, s, pidsLimitSettings, "process", "128")
}

// checkLimit reports a service where none of settings sets a positive
// limit: at the first key with a value that is no limit, or at the service
// when no key is set.
func checkLimit(c *checker, r *Rule, s service, settings []limitSetting, resource, example string) {
	var unlimited *yaml.Node
	var unlimitedPath []string
	for _, setting := range settings {
		key, value := fieldPath(s.node, setting.path...)
		if key == nil || isNull(value) {
			continue
		}
		if v, ok := text(value); ok && setting.positive(v) {
			return
		}
		if unlimited == nil {
			unlimited, unlimitedPath = key, setting.path
		}
	}

	preferred := strings.Join(settings[0].path, ".")
	alternative := strings.Join(settings[1].path, ".")
	if unlimited == nil {
		c.report(r, s, s.line, "has no %s limit. Set %s (or %s), for example %s.", resource, preferred, alternative, example)
		return
	}
	_, value := fieldPath(s.node, unlimitedPath...)
	c.report(r, s, unlimited.Line, "sets %s to %s, which is no %s limit. Set a positive value, for example %s.", strings.Join(unlimitedPath, "."), strconv.Quote(value.Value), resource, example)
}

func isPositiveBytes(s string) bool {
	size, ok := parseBytes(s)
	return ok && size > 0
}

func isPositiveFloat(s string) bool {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return err == nil && f > 0
}

func isPositiveInt(s string) bool {
	i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return err == nil && i > 0
}

func checkPorts(c *checker, r *Rule, s service) {
	_, ports := field(s.node, "ports")
	for _, item := range items(ports) {
		p, ok := parsePort(item)
		if !ok || !p.onAllInterfaces() {
			continue
		}
		published := p.published
		if published == "" {
			published = p.target
		}
		c.report(r, s, p.line, "publishes port %s on all host interfaces. Bind it to one host address, for example \"127.0.0.1:%s:%s\", or host_ip: 127.0.0.1 in the long syntax.", strconv.Quote(p.spec), published, p.target)
	}
}

// requiredMarker stands for a required variable (${VAR:?message}) when an
// image reference is interpolated. It cannot occur in a reference.
const requiredMarker = "\x00"

func checkImageTag(c *checker, r *Rule, s service) {
	key, value := field(s.node, "image")
	if value == nil || value.Kind != yaml.ScalarNode || isNull(value) {
		// A service with only build: gets its image from the build.
		return
	}
	reference := interpolate(value.Value, requiredMarker)
	if strings.Contains(reference, "@") {
		return
	}
	// The tag is after the last colon of the last path component, so that a
	// registry port (localhost:5000/app) is not read as a tag.
	last := reference[strings.LastIndex(reference, "/")+1:]
	if strings.Contains(last, requiredMarker) {
		// The deployer must set the variable, and chooses the tag with it.
		return
	}

	const fix = "Pin a version tag, or better a digest (name:tag@sha256:...), which always names the same image."
	_, tag, hasTag := strings.Cut(last, ":")
	switch {
	case !hasTag:
		c.report(r, s, key.Line, "uses image %s, which has no tag, so Docker pulls latest. %s", strconv.Quote(value.Value), fix)
	case tag == "":
		c.report(r, s, key.Line, "uses image %s, whose tag is empty when its variables are not set. Give the variable a default tag. %s", strconv.Quote(value.Value), fix)
	case tag == "latest":
		c.report(r, s, key.Line, "uses image %s, whose tag latest moves to every new release. %s", strconv.Quote(value.Value), fix)
	}
}
