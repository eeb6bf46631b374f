package intel

import (
	"fmt"
	"regexp"
	"strings"
)

// CheckPattern checks the structure of a STIX pattern: every observation is
// a bracketed comparison of an object path (type:property) with a value,
// quotes close, brackets and parentheses balance. It is not the whole STIX
// patterning grammar (qualifiers and operators are not parsed one by one),
// but it refuses what no detection tool could load.
func CheckPattern(p string) error {
	if len(p) > 64<<10 {
		return fmt.Errorf("pattern: longer than 64 KiB")
	}
	var stack []byte
	var obs strings.Builder
	observations := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '\'' {
			// A quoted string; \' and \\ are escapes inside it.
			j := i + 1
			for ; j < len(p); j++ {
				if p[j] == '\\' {
					j++
					continue
				}
				if p[j] == '\'' {
					break
				}
			}
			if j >= len(p) {
				return fmt.Errorf("pattern: a quoted string is not closed")
			}
			if len(stack) > 0 && stack[len(stack)-1] == '[' {
				obs.WriteString("''")
			}
			i = j
			continue
		}
		switch c {
		case '[':
			if len(stack) > 0 && stack[len(stack)-1] == '[' {
				// Inside an observation, [ is a list index: object_refs[0].
				stack = append(stack, 'i')
				break
			}
			stack = append(stack, '[')
			obs.Reset()
		case '(':
			stack = append(stack, '(')
		case ']', ')':
			open := byte('(')
			if c == ']' {
				open = '['
				if len(stack) > 0 && stack[len(stack)-1] == 'i' {
					open = 'i'
				}
			}
			if len(stack) == 0 || stack[len(stack)-1] != open {
				return fmt.Errorf("pattern: %q at %d closes nothing", c, i)
			}
			stack = stack[:len(stack)-1]
			if open == '[' {
				if !comparisonRE.MatchString(obs.String()) {
					return fmt.Errorf("pattern: observation %d is not a comparison of an object path (like file:name = 'x')", observations+1)
				}
				observations++
			}
		}
		if len(stack) > 0 && (stack[len(stack)-1] == '[' || stack[len(stack)-1] == 'i') && c != '[' {
			obs.WriteByte(c)
		}
	}
	if len(stack) > 0 {
		return fmt.Errorf("pattern: %d bracket(s) not closed", len(stack))
	}
	if observations == 0 {
		return fmt.Errorf("pattern: no observation in square brackets")
	}
	return nil
}

// comparisonRE finds, in an observation, an object path followed by an
// operator: the least a comparison expression has.
var comparisonRE = regexp.MustCompile(`(?i)(^|[\s(])(NOT\s+)?(EXISTS\s+)?[a-z0-9][a-z0-9-]*:[a-z0-9_\-.'\[\]*]+\s*(=|!=|<=|>=|<|>|\s(NOT\s+)?(IN|LIKE|MATCHES|ISSUBSET|ISSUPERSET)\s|\]|$)`)
