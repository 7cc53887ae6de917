package dockerfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// minimumDuration is the shortest non-zero HEALTHCHECK duration that
// Docker and BuildKit accept (container.MinimumDuration in Docker's API).
const minimumDuration = time.Millisecond

// Healthcheck is the health check of an image config. Its JSON form is the
// "Healthcheck" object that Docker writes inside the image config's
// "config" object (HealthConfig in Docker's API): durations are integer
// nanoseconds, and zero values are left out, which means "inherit".
type Healthcheck struct {
	// Test is ["NONE"] for HEALTHCHECK NONE, ["CMD", arg...] for the exec
	// form and ["CMD-SHELL", command] for the shell form.
	Test []string `json:",omitempty"`
	// Interval is the time between two checks.
	Interval time.Duration `json:",omitempty"`
	// Timeout is the time after which a running check counts as failed.
	Timeout time.Duration `json:",omitempty"`
	// StartPeriod is the time after the container starts during which
	// failed checks do not count towards Retries.
	StartPeriod time.Duration `json:",omitempty"`
	// StartInterval is the time between two checks during StartPeriod.
	// Docker 25 and later read it, and older versions ignore it.
	StartInterval time.Duration `json:",omitempty"`
	// Retries is the number of consecutive failed checks after which the
	// container is unhealthy.
	Retries int `json:",omitempty"`
}

func (hc *Healthcheck) clone() *Healthcheck {
	if hc == nil {
		return nil
	}
	c := *hc
	c.Test = append([]string(nil), hc.Test...)
	return &c
}

// parseHealthcheckArgs returns the health check of the arguments of a
// HEALTHCHECK instruction: "NONE" or "[--flag=value...] CMD command".
//
// As in BuildKit, flags before NONE are ignored, and a zero duration or an
// empty flag value leaves the setting unset. Unlike BuildKit, which runs an
// argument list that is not valid JSON as a shell command, an argument list
// that starts with "[" must be a JSON array of strings.
func parseHealthcheckArgs(args string) (*Healthcheck, error) {
	flags, rest := splitFlags(args)
	if rest == "" {
		return nil, errors.New("HEALTHCHECK needs NONE or CMD and a command")
	}

	kind, command := rest, ""
	if i := strings.IndexFunc(rest, unicode.IsSpace); i >= 0 {
		kind, command = rest[:i], strings.TrimLeftFunc(rest[i:], unicode.IsSpace)
	}

	if strings.EqualFold(kind, "NONE") {
		if command != "" {
			return nil, fmt.Errorf("HEALTHCHECK NONE takes no arguments, but has %q", command)
		}
		return &Healthcheck{Test: []string{"NONE"}}, nil
	}

	// BuildKit checks the flags before the type.
	hc := &Healthcheck{}
	if err := hc.setFlags(flags); err != nil {
		return nil, err
	}
	if !strings.EqualFold(kind, "CMD") {
		return nil, fmt.Errorf("unknown HEALTHCHECK type %q: use CMD or NONE", kind)
	}
	test, err := parseTest(command)
	if err != nil {
		return nil, err
	}
	hc.Test = test
	return hc, nil
}

// parseTest returns the Test of the command after HEALTHCHECK CMD:
// ["CMD", arg...] for a JSON array and ["CMD-SHELL", command] otherwise.
func parseTest(command string) ([]string, error) {
	if command == "" {
		return nil, errors.New("HEALTHCHECK CMD has no command")
	}
	if !strings.HasPrefix(command, "[") {
		return []string{"CMD-SHELL", command}, nil
	}

	var args []string
	if err := json.Unmarshal([]byte(command), &args); err != nil {
		return nil, fmt.Errorf("invalid exec form: a command that starts with [ must be a JSON array of strings: %w", err)
	}
	if len(args) == 0 {
		return nil, errors.New("HEALTHCHECK CMD has an empty command list []")
	}
	return append([]string{"CMD"}, args...), nil
}

// setFlags sets the durations and retries of hc from the flags of a
// HEALTHCHECK CMD instruction.
func (hc *Healthcheck) setFlags(flags []flag) error {
	durations := map[string]*time.Duration{
		"interval":       &hc.Interval,
		"timeout":        &hc.Timeout,
		"start-period":   &hc.StartPeriod,
		"start-interval": &hc.StartInterval,
	}
	seen := map[string]bool{}
	for _, f := range flags {
		target, isDuration := durations[f.name]
		if !isDuration && f.name != "retries" {
			return fmt.Errorf("unknown flag --%s: HEALTHCHECK takes --interval, --timeout, --start-period, --start-interval and --retries", f.name)
		}
		if seen[f.name] {
			return fmt.Errorf("flag --%s is given twice", f.name)
		}
		seen[f.name] = true
		if !f.hasValue {
			return fmt.Errorf("flag --%s has no value: write --%s=VALUE", f.name, f.name)
		}

		if isDuration {
			d, err := parseDuration(f)
			if err != nil {
				return err
			}
			*target = d
			continue
		}
		if f.value == "" {
			continue
		}
		retries, err := strconv.ParseInt(f.value, 10, 32)
		if err != nil {
			return fmt.Errorf("invalid --retries value %q: %w", f.value, err)
		}
		if retries < 0 {
			return fmt.Errorf("invalid --retries value %q: it must not be negative", f.value)
		}
		hc.Retries = int(retries)
	}
	return nil
}

// parseDuration returns the duration of a HEALTHCHECK flag. An empty value
// is zero. A non-zero value must be at least minimumDuration.
func parseDuration(f flag) (time.Duration, error) {
	if f.value == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(f.value)
	if err != nil {
		return 0, fmt.Errorf("invalid --%s value %q: %w", f.name, f.value, err)
	}
	if d != 0 && d < minimumDuration {
		return 0, fmt.Errorf("invalid --%s value %q: it must be 0 or at least %s", f.name, f.value, minimumDuration)
	}
	return d, nil
}

// flag is an instruction flag such as --interval=30s.
type flag struct {
	// name is the flag without the leading "--".
	name  string
	value string
	// hasValue is false for a flag written without "=".
	hasValue bool
}

// splitFlags returns the flags at the start of the arguments of an
// instruction and the text after them. Flags are the words that start with
// "--". Quotes in a flag word group characters and are removed, and a
// backslash escapes the next character. A lone "--" ends the flags.
func splitFlags(args string) ([]flag, string) {
	var flags []flag
	rest := strings.TrimLeftFunc(args, unicode.IsSpace)
	for strings.HasPrefix(rest, "--") {
		word, after := cutFlagWord(rest)
		rest = strings.TrimLeftFunc(after, unicode.IsSpace)
		if word == "--" {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(word, "--"), "=")
		flags = append(flags, flag{name: name, value: value, hasValue: hasValue})
	}
	return flags, strings.TrimSpace(rest)
}

// cutFlagWord returns the first word of s, with its quotes and escapes
// removed, and the text after it.
func cutFlagWord(s string) (word, rest string) {
	var b strings.Builder
	var quote rune
	escaped := false
	for i, c := range s {
		switch {
		case escaped:
			escaped = false
		case c == '\\':
			escaped = true
			continue
		case quote != 0:
			if c == quote {
				quote = 0
				continue
			}
		case c == '\'' || c == '"':
			quote = c
			continue
		case unicode.IsSpace(c):
			return b.String(), s[i:]
		}
		b.WriteRune(c)
	}
	return b.String(), ""
}
