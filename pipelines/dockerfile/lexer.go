package dockerfile

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// instruction is one logical line of a Dockerfile.
type instruction struct {
	// line is the 1-based number of the line where the instruction starts.
	line int
	// keyword is the instruction in upper case, such as "FROM".
	keyword string
	// args is the text after the keyword, without the surrounding spaces.
	args string
	// text is the whole instruction with continuation lines joined.
	text string
}

func (i instruction) error(err error) error {
	return &SyntaxError{Line: i.line, Text: i.text, Err: err}
}

func (i instruction) errorf(format string, a ...any) error {
	return i.error(fmt.Errorf(format, a...))
}

var (
	// directivePattern matches a parser directive such as "# escape=`".
	directivePattern = regexp.MustCompile(`^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`)
	// heredocPattern matches a heredoc word such as "<<EOF", "<<-EOF" or
	// "3<<'EOF'": a file descriptor, "-" to strip leading tabs, and the name.
	heredocPattern = regexp.MustCompile(`^(\d*)<<(-?)([^<]*)$`)
	// keywordSeparator is the space between an instruction and its arguments.
	keywordSeparator = regexp.MustCompile(`[\t\v\f\r ]+`)
)

// knownDirectives are the parser directives of BuildKit's Dockerfile
// frontend. A comment of the directive form with another name ends the
// directives, as any other comment does.
var knownDirectives = map[string]bool{"syntax": true, "escape": true, "check": true}

// heredocInstructions are the instructions whose shell form may take
// heredocs, in BuildKit's Dockerfile frontend.
var heredocInstructions = map[string]bool{"RUN": true, "COPY": true, "ADD": true}

// lexer splits a Dockerfile into instructions.
type lexer struct {
	lines []string
	// next is the index in lines of the next line to read.
	next int
	// escape is the escape character: '\\', or '`' after "# escape=`".
	escape byte
}

// splitInstructions returns the instructions of a Dockerfile in order.
// It reads parser directives, drops comments and blank lines, joins lines
// that end in the escape character, and skips heredoc bodies.
func splitInstructions(dockerfile []byte) ([]instruction, error) {
	text := strings.TrimPrefix(string(dockerfile), "\uFEFF")
	lx := &lexer{lines: strings.Split(text, "\n"), escape: '\\'}

	if err := lx.readDirectives(); err != nil {
		return nil, err
	}

	var instructions []instruction
	for lx.next < len(lx.lines) {
		start := lx.next + 1
		first := strings.TrimLeftFunc(lx.readLine(), unicode.IsSpace)
		if first == "" || strings.HasPrefix(first, "#") {
			continue
		}

		line, continued := lx.trimContinuation(first)
		for continued && lx.next < len(lx.lines) {
			next := lx.readLine()
			// BuildKit drops comment lines and blank lines inside a
			// continued instruction, so a blank line does not end it.
			trimmed := strings.TrimLeftFunc(next, unicode.IsSpace)
			if trimmed == "" || strings.HasPrefix(trimmed, "#") {
				continue
			}
			var part string
			part, continued = lx.trimContinuation(next)
			line += part
		}

		inst := newInstruction(start, line)
		if err := lx.skipHeredocs(inst); err != nil {
			return nil, err
		}
		instructions = append(instructions, inst)
	}
	return instructions, nil
}

// readLine returns the next line without its line ending.
func (lx *lexer) readLine() string {
	line := strings.TrimRight(lx.lines[lx.next], "\r\n")
	lx.next++
	return line
}

// readDirectives reads the parser directives at the top of the file. The
// first line that is not a known directive ends them, and that line is left
// for splitInstructions.
func (lx *lexer) readDirectives() error {
	seen := map[string]bool{}
	for lx.next < len(lx.lines) {
		raw := strings.TrimRight(lx.lines[lx.next], "\r\n")
		line := strings.TrimLeftFunc(raw, unicode.IsSpace)
		match := directivePattern.FindStringSubmatch(line)
		if match == nil {
			return nil
		}
		name, value := strings.ToLower(match[1]), match[2]
		if !knownDirectives[name] {
			return nil
		}

		directive := &SyntaxError{Line: lx.next + 1, Text: line}
		if seen[name] {
			directive.Err = fmt.Errorf("the %s parser directive is repeated, but it may appear only once", name)
			return directive
		}
		seen[name] = true
		if name == "escape" {
			if value != `\` && value != "`" {
				directive.Err = fmt.Errorf("invalid escape character %q: use \\ or `", value)
				return directive
			}
			lx.escape = value[0]
		}
		lx.next++
	}
	return nil
}

// trimContinuation removes a trailing escape character, and the spaces and
// tabs after it, from line. It reports whether there was one, which means
// that the instruction goes on in the next line. An escape character that
// another one escapes ends no line, except when it is alone on the line.
func (lx *lexer) trimContinuation(line string) (string, bool) {
	trimmed := strings.TrimRight(line, " \t")
	if trimmed == "" || trimmed[len(trimmed)-1] != lx.escape {
		return line, false
	}
	before := trimmed[:len(trimmed)-1]
	if before != "" && before[len(before)-1] == lx.escape {
		return line, false
	}
	return before, true
}

// newInstruction splits a logical line into its keyword and arguments.
func newInstruction(start int, line string) instruction {
	text := strings.TrimSpace(line)
	parts := keywordSeparator.Split(text, 2)
	inst := instruction{line: start, keyword: strings.ToUpper(parts[0]), text: text}
	if len(parts) == 2 {
		inst.args = strings.TrimSpace(parts[1])
	}
	return inst
}

// skipHeredocs reads past the bodies of the heredocs that inst opens, such
// as "RUN <<EOF", so that lines inside them are not read as instructions.
// ONBUILD RUN, COPY and ADD take heredocs too. The exec (JSON) form takes
// none.
func (lx *lexer) skipHeredocs(inst instruction) error {
	keyword, args := inst.keyword, inst.args
	if keyword == "ONBUILD" {
		sub := newInstruction(inst.line, args)
		keyword, args = sub.keyword, sub.args
	}
	if !heredocInstructions[keyword] {
		return nil
	}
	_, rest := splitFlags(args)
	if isJSONStringArray(rest) {
		return nil
	}

	for _, word := range shellWords(args) {
		match := heredocPattern.FindStringSubmatch(word)
		if match == nil {
			continue
		}
		chomp := match[2] == "-"
		name := strings.NewReplacer(`"`, "", `'`, "").Replace(match[3])
		if name == "" {
			continue
		}
		if !lx.skipHeredocBody(name, chomp) {
			return inst.errorf("heredoc %q has no terminator line", name)
		}
	}
	return nil
}

// skipHeredocBody reads lines up to and including the terminator line name.
// With chomp ("<<-"), the terminator may be indented with tabs. It reports
// whether it found the terminator before the end of the file.
func (lx *lexer) skipHeredocBody(name string, chomp bool) bool {
	for lx.next < len(lx.lines) {
		line := lx.readLine()
		if chomp {
			line = strings.TrimLeft(line, "\t")
		}
		if line == name {
			return true
		}
	}
	return false
}

// shellWords splits s into words at unquoted spaces. Quotes and escape
// characters stay in the words, as in BuildKit's heredoc detection, which
// checks each word against heredocPattern.
func shellWords(s string) []string {
	var (
		words []string
		word  strings.Builder
		quote rune
		inWord,
		escaped bool
	)
	for _, c := range s {
		switch {
		case escaped:
			escaped = false
		case c == '\\' && quote != '\'':
			escaped = true
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case unicode.IsSpace(c):
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
			continue
		}
		word.WriteRune(c)
		inWord = true
	}
	if inWord {
		words = append(words, word.String())
	}
	return words
}

// isJSONStringArray reports whether s is an exec-form argument list, a JSON
// array of strings.
func isJSONStringArray(s string) bool {
	if !strings.HasPrefix(s, "[") {
		return false
	}
	var list []string
	return json.Unmarshal([]byte(s), &list) == nil
}
