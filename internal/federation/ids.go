package federation

import (
	"crypto/sha256"
	"encoding/base32"
	"strings"
	"time"

	"entente.example/entente/core"
)

// Records that travel between nodes carry ids that say which node made
// them: a core id, a dash and a short tag of the node's host. A peer is
// then believed only about ids with its own tag, so no node can take over,
// or shadow, another node's record on a third.

// HostTag is the short tag of host that hosted ids end with.
func HostTag(host string) string {
	h := sha256.Sum256([]byte(host))
	return strings.ToLower(base32.StdEncoding.EncodeToString(h[:5]))
}

// NewHostedID makes an id that says which node made it.
func NewHostedID(now time.Time, host string) string {
	return core.NewID(now) + "-" + HostTag(host)
}

// TaggedBy reports whether id ends with host's tag.
func TaggedBy(id, host string) bool {
	return len(id) > 9 && id[len(id)-9:] == "-"+HostTag(host)
}

// HostedID reports whether id has exactly the shape NewHostedID gives it
// on host.
func HostedID(id, host string) bool {
	return len(id) == 26+9 && core.ValidID(id[:26]) && TaggedBy(id, host)
}
