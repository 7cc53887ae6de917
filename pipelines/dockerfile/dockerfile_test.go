package dockerfile

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseHealthcheck(t *testing.T) {
	tests := []struct {
		name       string
		dockerfile string
		want       *Healthcheck
	}{
		{
			name: "exec form with all flags",
			dockerfile: `FROM debian:bookworm
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --start-interval=2s --retries=3 CMD ["/bin/check", "--fast"]
`,
			want: &Healthcheck{
				Test:          []string{"CMD", "/bin/check", "--fast"},
				Interval:      30 * time.Second,
				Timeout:       5 * time.Second,
				StartPeriod:   10 * time.Second,
				StartInterval: 2 * time.Second,
				Retries:       3,
			},
		},
		{
			name:       "shell form",
			dockerfile: "FROM alpine\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\n",
			want:       &Healthcheck{Test: []string{"CMD-SHELL", "curl -f http://localhost/ || exit 1"}},
		},
		{
			// BuildKit removes the backslash and the line break only, so the
			// spaces around them stay in the command.
			name: "shell form over continuation lines",
			dockerfile: "FROM alpine\n" +
				"HEALTHCHECK --interval=1m \\\n" +
				"  CMD curl -f http://localhost/ \\\n" +
				"    || exit 1\n",
			want: &Healthcheck{
				Test:     []string{"CMD-SHELL", "curl -f http://localhost/     || exit 1"},
				Interval: time.Minute,
			},
		},
		{
			name:       "lower-case instruction and type",
			dockerfile: "from alpine\nhealthcheck --retries=2 cmd [\"true\"]\n",
			want:       &Healthcheck{Test: []string{"CMD", "true"}, Retries: 2},
		},
		{
			name:       "none",
			dockerfile: "FROM alpine\nHEALTHCHECK NONE\n",
			want:       &Healthcheck{Test: []string{"NONE"}},
		},
		{
			name:       "none ignores flags as BuildKit does",
			dockerfile: "FROM alpine\nHEALTHCHECK --interval=bogus none\n",
			want:       &Healthcheck{Test: []string{"NONE"}},
		},
		{
			name:       "no healthcheck",
			dockerfile: "FROM alpine\nCMD [\"sh\"]\n",
			want:       nil,
		},
		{
			name:       "last healthcheck of the stage wins",
			dockerfile: "FROM alpine\nHEALTHCHECK CMD first\nHEALTHCHECK CMD [\"second\"]\n",
			want:       &Healthcheck{Test: []string{"CMD", "second"}},
		},
		{
			name:       "none after a healthcheck",
			dockerfile: "FROM alpine\nHEALTHCHECK CMD first\nHEALTHCHECK NONE\n",
			want:       &Healthcheck{Test: []string{"NONE"}},
		},
		{
			name: "earlier stage does not carry over",
			dockerfile: `FROM golang:1.26 AS build
HEALTHCHECK CMD ["build-check"]
RUN go build ./...
FROM debian:bookworm
COPY --from=build /out /out
`,
			want: nil,
		},
		{
			name: "final stage built on an earlier stage inherits",
			dockerfile: `FROM debian:bookworm AS Base
HEALTHCHECK --timeout=3s CMD ["base-check"]
FROM golang:1.26 AS build
HEALTHCHECK CMD ["build-check"]
FROM base
RUN true
`,
			want: &Healthcheck{Test: []string{"CMD", "base-check"}, Timeout: 3 * time.Second},
		},
		{
			name: "final stage overrides the inherited healthcheck",
			dockerfile: `FROM debian:bookworm AS base
HEALTHCHECK CMD ["base-check"]
FROM base
HEALTHCHECK NONE
`,
			want: &Healthcheck{Test: []string{"NONE"}},
		},
		{
			name: "stage name equal to an image is compared after FROM flags",
			dockerfile: `FROM --platform=linux/amd64 debian:bookworm AS runtime
HEALTHCHECK CMD ["runtime-check"]
FROM --platform=linux/amd64 runtime
`,
			want: &Healthcheck{Test: []string{"CMD", "runtime-check"}},
		},
		{
			name: "comments and blank lines inside a continuation",
			dockerfile: "FROM alpine\n" +
				"HEALTHCHECK --interval=10s \\\n" +
				"# a comment inside the instruction\n" +
				"\n" +
				"  CMD [\"check\"]\n",
			want: &Healthcheck{Test: []string{"CMD", "check"}, Interval: 10 * time.Second},
		},
		{
			name:       "comment lines and indented comments",
			dockerfile: "# HEALTHCHECK CMD commented\nFROM alpine\n    # HEALTHCHECK CMD indented comment\n",
			want:       nil,
		},
		{
			name: "escape directive with backtick",
			dockerfile: "# escape=`\n" +
				"FROM mcr.microsoft.com/windows/servercore\n" +
				"HEALTHCHECK --retries=5 `\n" +
				"  CMD powershell -command C:\\check.ps1\n",
			want: &Healthcheck{Test: []string{"CMD-SHELL", `powershell -command C:\check.ps1`}, Retries: 5},
		},
		{
			// A directive after a comment is a comment, so the backtick
			// does not continue the line and "b" is an unknown instruction.
			name:       "escape directive after a comment is a comment",
			dockerfile: "# hello\n# escape=`\nFROM alpine\nHEALTHCHECK CMD a `\nb\n",
			want:       &Healthcheck{Test: []string{"CMD-SHELL", "a `"}},
		},
		{
			name:       "escaped backslash does not continue the line",
			dockerfile: "FROM alpine\nHEALTHCHECK CMD echo \\\\\nHEALTHCHECK CMD second\n",
			want:       &Healthcheck{Test: []string{"CMD-SHELL", "second"}},
		},
		{
			name: "heredoc body is not read as instructions",
			dockerfile: `FROM alpine
RUN <<EOF
HEALTHCHECK CMD inside-heredoc
FROM scratch
EOF
HEALTHCHECK CMD ["after-heredoc"]
`,
			want: &Healthcheck{Test: []string{"CMD", "after-heredoc"}},
		},
		{
			name: "heredoc with tab-indented terminator and two heredocs",
			dockerfile: "FROM alpine\n" +
				"COPY <<-'ONE' /one <<TWO /two\n" +
				"\tHEALTHCHECK CMD inside-one\n" +
				"\tONE\n" +
				"FROM scratch\n" +
				"TWO\n" +
				"HEALTHCHECK CMD [\"after\"]\n",
			want: &Healthcheck{Test: []string{"CMD", "after"}},
		},
		{
			name:       "quoted heredoc marker is no heredoc",
			dockerfile: "FROM alpine\nRUN echo \"<<EOF\"\nHEALTHCHECK CMD [\"check\"]\n",
			want:       &Healthcheck{Test: []string{"CMD", "check"}},
		},
		{
			name:       "exec form RUN takes no heredoc",
			dockerfile: "FROM alpine\nRUN [\"cat\", \"<<EOF\"]\nHEALTHCHECK CMD [\"check\"]\n",
			want:       &Healthcheck{Test: []string{"CMD", "check"}},
		},
		{
			name:       "onbuild healthcheck is a trigger for later builds",
			dockerfile: "FROM alpine\nONBUILD HEALTHCHECK CMD [\"trigger\"]\n",
			want:       nil,
		},
		{
			name:       "quoted flag value",
			dockerfile: "FROM alpine\nHEALTHCHECK --interval=\"45s\" --timeout='2s' CMD [\"check\"]\n",
			want:       &Healthcheck{Test: []string{"CMD", "check"}, Interval: 45 * time.Second, Timeout: 2 * time.Second},
		},
		{
			name:       "zero and empty values are unset",
			dockerfile: "FROM alpine\nHEALTHCHECK --interval=0s --timeout= --retries= CMD [\"check\"]\n",
			want:       &Healthcheck{Test: []string{"CMD", "check"}},
		},
		{
			name:       "CRLF line endings and byte order mark",
			dockerfile: "\uFEFFFROM alpine\r\nHEALTHCHECK --interval=5s \\\r\n  CMD [\"check\"]\r\n",
			want:       &Healthcheck{Test: []string{"CMD", "check"}, Interval: 5 * time.Second},
		},
		{
			name:       "meta ARG before FROM",
			dockerfile: "ARG BASE=alpine\nFROM ${BASE}\nHEALTHCHECK CMD [\"check\"]\n",
			want:       &Healthcheck{Test: []string{"CMD", "check"}},
		},
		{
			name:       "no newline at the end",
			dockerfile: "FROM alpine\nHEALTHCHECK CMD [\"check\"]",
			want:       &Healthcheck{Test: []string{"CMD", "check"}},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHealthcheck([]byte(tt.dockerfile))
			if err != nil {
				t.Fatalf("ParseHealthcheck: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseHealthcheck = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseHealthcheckErrors(t *testing.T) {
	tests := []struct {
		name       string
		dockerfile string
		// line is the line that the *SyntaxError names, or 0 when the error
		// is no *SyntaxError.
		line int
		// contains are substrings of the error message.
		contains []string
	}{
		{
			name:       "invalid duration",
			dockerfile: "FROM alpine\n\nHEALTHCHECK --interval=30 CMD [\"check\"]\n",
			line:       3,
			contains:   []string{`invalid --interval value "30"`, `HEALTHCHECK --interval=30 CMD [\"check\"]`},
		},
		{
			name:       "duration below one millisecond",
			dockerfile: "FROM alpine\nHEALTHCHECK --timeout=10us CMD [\"check\"]\n",
			line:       2,
			contains:   []string{`invalid --timeout value "10us"`, "at least 1ms"},
		},
		{
			name:       "negative duration",
			dockerfile: "FROM alpine\nHEALTHCHECK --start-period=-5s CMD [\"check\"]\n",
			line:       2,
			contains:   []string{`invalid --start-period value "-5s"`},
		},
		{
			name:       "negative retries",
			dockerfile: "FROM alpine\nHEALTHCHECK --retries=-1 CMD [\"check\"]\n",
			line:       2,
			contains:   []string{`invalid --retries value "-1"`, "negative"},
		},
		{
			name:       "retries not a number",
			dockerfile: "FROM alpine\nHEALTHCHECK --retries=three CMD [\"check\"]\n",
			line:       2,
			contains:   []string{`invalid --retries value "three"`},
		},
		{
			name:       "unknown flag",
			dockerfile: "FROM alpine\nHEALTHCHECK --every=5s CMD [\"check\"]\n",
			line:       2,
			contains:   []string{"unknown flag --every"},
		},
		{
			name:       "flag given twice",
			dockerfile: "FROM alpine\nHEALTHCHECK --retries=1 --retries=2 CMD [\"check\"]\n",
			line:       2,
			contains:   []string{"flag --retries is given twice"},
		},
		{
			name:       "flag without value",
			dockerfile: "FROM alpine\nHEALTHCHECK --interval 5s CMD [\"check\"]\n",
			line:       2,
			contains:   []string{"flag --interval has no value"},
		},
		{
			name:       "invalid JSON",
			dockerfile: "FROM alpine\nHEALTHCHECK \\\n  CMD [\"check\",\n",
			line:       2,
			contains:   []string{"invalid exec form", `CMD [\"check\",`},
		},
		{
			name:       "JSON array with a number",
			dockerfile: "FROM alpine\nHEALTHCHECK CMD [\"check\", 1]\n",
			line:       2,
			contains:   []string{"invalid exec form"},
		},
		{
			name:       "empty JSON array",
			dockerfile: "FROM alpine\nHEALTHCHECK CMD []\n",
			line:       2,
			contains:   []string{"empty command list"},
		},
		{
			name:       "CMD without command",
			dockerfile: "FROM alpine\nHEALTHCHECK --interval=5s CMD\n",
			line:       2,
			contains:   []string{"HEALTHCHECK CMD has no command"},
		},
		{
			name:       "unknown type",
			dockerfile: "FROM alpine\nHEALTHCHECK RUN check\n",
			line:       2,
			contains:   []string{`unknown HEALTHCHECK type "RUN"`},
		},
		{
			name:       "none with arguments",
			dockerfile: "FROM alpine\nHEALTHCHECK NONE CMD check\n",
			line:       2,
			contains:   []string{"HEALTHCHECK NONE takes no arguments"},
		},
		{
			name:       "healthcheck without arguments",
			dockerfile: "FROM alpine\nHEALTHCHECK\n",
			line:       2,
			contains:   []string{"HEALTHCHECK needs NONE or CMD"},
		},
		{
			name:       "healthcheck before FROM",
			dockerfile: "# comment\nHEALTHCHECK CMD [\"check\"]\nFROM alpine\n",
			line:       2,
			contains:   []string{"HEALTHCHECK comes before the first FROM"},
		},
		{
			name:       "no FROM",
			dockerfile: "ARG VERSION=1\n# only a comment\n",
			contains:   []string{"no FROM instruction"},
		},
		{
			name:       "empty file",
			dockerfile: "",
			contains:   []string{"no FROM instruction"},
		},
		{
			name:       "FROM with two arguments",
			dockerfile: "FROM alpine\nFROM alpine build\n",
			line:       2,
			contains:   []string{"FROM takes an image", "has 2 arguments"},
		},
		{
			name:       "invalid stage name",
			dockerfile: "FROM alpine AS 1st\n",
			line:       1,
			contains:   []string{`invalid build stage name "1st"`},
		},
		{
			name:       "invalid escape directive",
			dockerfile: "# syntax=docker/dockerfile:1\n# escape=x\nFROM alpine\n",
			line:       2,
			contains:   []string{`invalid escape character "x"`},
		},
		{
			name:       "repeated escape directive",
			dockerfile: "# escape=`\n# ESCAPE=\\\nFROM alpine\n",
			line:       2,
			contains:   []string{"escape parser directive is repeated"},
		},
		{
			name:       "unterminated heredoc",
			dockerfile: "FROM alpine\nRUN <<EOF\necho hi\n",
			line:       2,
			contains:   []string{`heredoc "EOF" has no terminator line`},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHealthcheck([]byte(tt.dockerfile))
			if err == nil {
				t.Fatalf("ParseHealthcheck = %+v, want an error", got)
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}

			var syntaxErr *SyntaxError
			isSyntaxErr := errors.As(err, &syntaxErr)
			if tt.line == 0 {
				if isSyntaxErr {
					t.Errorf("error %q is a *SyntaxError, want another error", err)
				}
				return
			}
			if !isSyntaxErr {
				t.Fatalf("error %q is no *SyntaxError", err)
			}
			if syntaxErr.Line != tt.line {
				t.Errorf("SyntaxError.Line = %d, want %d", syntaxErr.Line, tt.line)
			}
		})
	}
}

func TestSyntaxErrorLongText(t *testing.T) {
	err := &SyntaxError{Line: 7, Text: strings.Repeat("x", 500), Err: errors.New("invalid")}
	msg := err.Error()
	if len(msg) > maxErrorText+40 {
		t.Errorf("message is %d bytes long, want the text cut to %d bytes: %q", len(msg), maxErrorText, msg)
	}
	if !strings.HasPrefix(msg, "line 7: ") {
		t.Errorf("message %q does not start with the line number", msg)
	}
}

// TestParseHealthcheckImages reads the project's Dockerfiles, so it fails
// when their HEALTHCHECK changes: update want with them.
func TestParseHealthcheckImages(t *testing.T) {
	tests := []struct {
		name       string
		dockerfile string
		want       *Healthcheck
	}{
		{
			name:       "ai-orchestrator",
			dockerfile: "images/ai-orchestrator/Dockerfile",
			want: &Healthcheck{
				Test:        []string{"CMD", "/usr/local/bin/ai-orchestrator", "healthcheck"},
				Interval:    30 * time.Second,
				Timeout:     5 * time.Second,
				StartPeriod: 10 * time.Second,
				Retries:     3,
			},
		},
		{
			name:       "frontend",
			dockerfile: "images/frontend/Dockerfile",
			want: &Healthcheck{
				Test:        []string{"CMD", "/usr/local/bin/frontend-healthcheck"},
				Interval:    30 * time.Second,
				Timeout:     5 * time.Second,
				StartPeriod: 5 * time.Second,
				Retries:     3,
			},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "..", tt.dockerfile))
			if err != nil {
				t.Fatalf("reading the Dockerfile: %v", err)
			}
			got, err := ParseHealthcheck(data)
			if err != nil {
				t.Fatalf("ParseHealthcheck(%s): %v", tt.dockerfile, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseHealthcheck(%s) = %+v, want %+v", tt.dockerfile, got, tt.want)
			}
		})
	}
}
