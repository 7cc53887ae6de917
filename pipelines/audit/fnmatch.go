package audit

// fnmatch reports whether name matches the shell glob pattern as fnmatch(3)
// does with no flags, which is how dpkg matches path-exclude and path-include
// patterns: "*" and "?" match "/" too, "[...]" is a bracket expression
// ("[!...]" or "[^...]" negates it), and a backslash quotes the next
// character. A malformed bracket expression matches a literal "[".
func fnmatch(pattern, name string) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			// Collapse runs of stars, then try every split of name.
			for len(pattern) > 0 && pattern[0] == '*' {
				pattern = pattern[1:]
			}
			if pattern == "" {
				return true
			}
			for i := 0; i <= len(name); i++ {
				if fnmatch(pattern, name[i:]) {
					return true
				}
			}
			return false
		case '?':
			if name == "" {
				return false
			}
			pattern, name = pattern[1:], name[1:]
		case '[':
			if name == "" {
				return false
			}
			matched, rest, ok := matchBracket(pattern, name[0])
			if !ok {
				// Not a bracket expression: "[" is literal.
				if name[0] != '[' {
					return false
				}
				pattern, name = pattern[1:], name[1:]
				continue
			}
			if !matched {
				return false
			}
			pattern, name = rest, name[1:]
		case '\\':
			if len(pattern) > 1 {
				pattern = pattern[1:]
			}
			fallthrough
		default:
			if name == "" || name[0] != pattern[0] {
				return false
			}
			pattern, name = pattern[1:], name[1:]
		}
	}
	return name == ""
}

// matchBracket matches c against the bracket expression at the start of
// pattern. It returns whether c matched, the pattern after the closing "]",
// and false in ok when pattern has no closing "]".
func matchBracket(pattern string, c byte) (matched bool, rest string, ok bool) {
	i := 1
	negate := false
	if i < len(pattern) && (pattern[i] == '!' || pattern[i] == '^') {
		negate = true
		i++
	}
	first := true
	for i < len(pattern) {
		if pattern[i] == ']' && !first {
			return matched != negate, pattern[i+1:], true
		}
		first = false

		lo := pattern[i]
		if lo == '\\' && i+1 < len(pattern) {
			i++
			lo = pattern[i]
		}
		i++
		hi := lo
		if i+1 < len(pattern) && pattern[i] == '-' && pattern[i+1] != ']' {
			hi = pattern[i+1]
			if hi == '\\' && i+2 < len(pattern) {
				i++
				hi = pattern[i+1]
			}
			i += 2
		}
		if lo <= c && c <= hi {
			matched = true
		}
	}
	return false, "", false
}
