package ap

// isPublic recognises the public collection in the three spellings servers
// use (JSON-LD compaction lets "as:Public" and "Public" stand for it).
func isPublic(s string) bool {
	return s == Public || s == "as:Public" || s == "Public"
}

func hasPublic(l []string) bool {
	for _, s := range l {
		if isPublic(s) {
			return true
		}
	}
	return false
}

// IsPublic reports whether a post addressed so is visible to everyone
// (public or unlisted).
func IsPublic(to, cc []string) bool { return hasPublic(to) || hasPublic(cc) }

// Visibility names a post's audience as Mastodon derives it from the
// addressing: "public" (Public in to), "unlisted" (Public in cc),
// "followers" (the author's followers collection, no Public) or "direct".
func Visibility(to, cc []string, followers string) string {
	switch {
	case hasPublic(to):
		return "public"
	case hasPublic(cc):
		return "unlisted"
	}
	for _, l := range [][]string{to, cc} {
		for _, s := range l {
			if followers != "" && s == followers {
				return "followers"
			}
		}
	}
	return "direct"
}
