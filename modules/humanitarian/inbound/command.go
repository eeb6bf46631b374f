package inbound

import (
	"strings"
	"unicode"
)

// CommandKind says what an SMS asks for.
type CommandKind string

// The commands people can type. CommandNone means free text, which the
// module may still treat as a report.
const (
	CommandNone        CommandKind = ""
	CommandInfo        CommandKind = "info"         // "INFO": general information
	CommandInfoShelter CommandKind = "info_shelter" // "INFO SHELTER <place>", "INFO POSKO <place>"
	CommandReport      CommandKind = "report"       // "REPORT <text>", "LAPOR <text>"
)

// Command is a parsed SMS command. Arg is the place (for shelters), the
// report text, or for INFO the words after it; Lang is "en" or "id" when the
// keyword showed the sender's language (INFO alone is both), so the reply can
// be in it.
type Command struct {
	Kind CommandKind
	Arg  string
	Lang string
}

// shelterWords are the second words after INFO that ask for shelters:
// "posko" is the aid post, "pengungsian" the evacuation site.
var shelterWords = map[string]string{
	"shelter": "en", "shelters": "en",
	"posko": "id", "pengungsian": "id",
}

var reportWords = map[string]string{"report": "en", "lapor": "id", "laporan": "id"}

// ParseCommand reads the command at the start of an SMS, ignoring case,
// extra spaces and line breaks, and a ':' or '#' glued to the keyword
// ("LAPOR: jembatan putus"). Text that starts with no keyword is
// CommandNone with the whole trimmed text as Arg.
func ParseCommand(text string) Command {
	original := strings.TrimSpace(text)
	text = original
	// "LAPOR:banjir" has no space after the keyword; give it one.
	if i := strings.IndexFunc(text, func(r rune) bool { return r == ':' || unicode.IsSpace(r) }); i > 0 && text[i] == ':' {
		if head := keyword(text[:i]); head == "info" || reportWords[head] != "" {
			text = text[:i] + " " + text[i+1:]
		}
	}
	words := strings.Fields(text)
	if len(words) == 0 {
		return Command{}
	}
	first := keyword(words[0])
	if first == "info" {
		if len(words) > 1 {
			if lang, ok := shelterWords[keyword(words[1])]; ok {
				return Command{Kind: CommandInfoShelter, Arg: strings.Join(words[2:], " "), Lang: lang}
			}
		}
		return Command{Kind: CommandInfo, Arg: strings.Join(words[1:], " ")}
	}
	if lang, ok := reportWords[first]; ok {
		return Command{Kind: CommandReport, Arg: argAfterFirstWord(text), Lang: lang}
	}
	return Command{Kind: CommandNone, Arg: original}
}

func keyword(w string) string {
	return strings.ToLower(strings.Trim(w, ":#.,!"))
}

// argAfterFirstWord keeps a report's own line breaks (a person may list
// several things) while trimming the keyword and the space around it.
func argAfterFirstWord(text string) string {
	t := strings.TrimLeftFunc(text, unicode.IsSpace)
	i := strings.IndexFunc(t, unicode.IsSpace)
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(t[i:])
}
