// Package dockerfile parses a Dockerfile for the image settings that Dagger
// drops. Dagger v0.19.7 keeps a container's image config as an OCI
// ImageConfig, which has no Healthcheck field, so an image built with
// Directory.DockerBuild loses its HEALTHCHECK.
//
// The parser follows the rules of BuildKit's Dockerfile frontend for parser
// directives, comments, line continuations, heredocs and build stages. It
// does not expand variables, and it ignores the instructions that do not
// decide the final stage's HEALTHCHECK.
package dockerfile

import (
	"errors"
	"fmt"
	"strings"
)

// maxErrorText is the length, in bytes, of the longest instruction text that
// a SyntaxError quotes. Longer texts are cut and end in "...".
const maxErrorText = 160

// SyntaxError is an invalid instruction or parser directive.
type SyntaxError struct {
	// Line is the 1-based number of the line where the instruction starts.
	Line int
	// Text is the instruction with its continuation lines joined, as
	// BuildKit joins them.
	Text string
	Err  error
}

func (e *SyntaxError) Error() string {
	text := e.Text
	if len(text) > maxErrorText {
		text = text[:maxErrorText] + "..."
	}
	return fmt.Sprintf("line %d: %q: %v", e.Line, text, e.Err)
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// stage is a build stage: a FROM instruction and the instructions after it.
type stage struct {
	healthcheck *Healthcheck
}

// ParseHealthcheck returns the HEALTHCHECK that the image of the
// Dockerfile's final stage gets: the last HEALTHCHECK instruction of that
// stage, or the one it inherits from an earlier stage that its FROM names.
// HEALTHCHECK NONE returns a Healthcheck whose Test is ["NONE"]. When the
// final stage sets none, ParseHealthcheck returns nil and no error.
//
// NOTE: a HEALTHCHECK that the final stage inherits from an external base
// image is not in the Dockerfile, so ParseHealthcheck returns nil for it.
// FROM is compared with stage names as written, without expanding ARG
// variables, so "FROM ${BASE}" never refers to an earlier stage here.
//
// ParseHealthcheck fails with a *SyntaxError when a parser directive, a
// FROM or a HEALTHCHECK instruction is invalid, when an instruction other
// than ARG comes before the first FROM, or when a heredoc has no
// terminator. It also fails when the Dockerfile has no FROM instruction.
func ParseHealthcheck(dockerfile []byte) (*Healthcheck, error) {
	instructions, err := splitInstructions(dockerfile)
	if err != nil {
		return nil, err
	}

	var current *stage
	// stagesByName maps the lower-case names from "FROM image AS name".
	stagesByName := map[string]*stage{}
	for _, inst := range instructions {
		if current == nil && inst.keyword != "FROM" && inst.keyword != "ARG" {
			return nil, inst.errorf("%s comes before the first FROM instruction, where only ARG is allowed", inst.keyword)
		}

		switch inst.keyword {
		case "FROM":
			base, name, err := parseFrom(inst.args)
			if err != nil {
				return nil, inst.error(err)
			}
			current = &stage{}
			// A stage built on an earlier stage starts from that stage's image
			// config, HEALTHCHECK included.
			if parent, ok := stagesByName[strings.ToLower(base)]; ok {
				current.healthcheck = parent.healthcheck.clone()
			}
			if name != "" {
				stagesByName[name] = current
			}
		case "HEALTHCHECK":
			hc, err := parseHealthcheckArgs(inst.args)
			if err != nil {
				return nil, inst.error(err)
			}
			current.healthcheck = hc
		}
	}

	if current == nil {
		return nil, errors.New("no FROM instruction: a Dockerfile needs at least one build stage")
	}
	return current.healthcheck, nil
}

// parseFrom returns the base image or stage and the lower-case stage name of
// the arguments of a FROM instruction: "[--platform=...] base [AS name]".
func parseFrom(args string) (base, name string, err error) {
	_, rest := splitFlags(args)
	words := strings.Fields(rest)

	switch {
	case len(words) == 1:
		return words[0], "", nil
	case len(words) == 3 && strings.EqualFold(words[1], "AS"):
		name = strings.ToLower(words[2])
		if !isStageName(name) {
			return "", "", fmt.Errorf("invalid build stage name %q: it must start with a letter and contain only letters, digits, '-', '_' and '.'", words[2])
		}
		return words[0], name, nil
	default:
		return "", "", fmt.Errorf("FROM takes an image and an optional \"AS name\", but has %d arguments", len(words))
	}
}

// isStageName reports whether name, in lower case, is a valid stage name
// for BuildKit: a letter, then letters, digits, '-', '_' or '.'.
func isStageName(name string) bool {
	for i, c := range name {
		switch {
		case c >= 'a' && c <= 'z':
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'):
		default:
			return false
		}
	}
	return name != ""
}
