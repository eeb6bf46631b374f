package ledger

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// TileHeight is the C2SP tlog-tiles height: 256 hashes per tile.
const TileHeight = 8

// TilePath returns the C2SP tlog-tiles path of a tile ("tile/0/x001/234.p/7";
// level -1 for entry bundles, "tile/entries/…"). The layout differs from
// sumdb's Tile.Path, which also names the height.
func TilePath(level int, n int64, width int) string {
	p := "tile/"
	if level < 0 {
		p += "entries/"
	} else {
		p += strconv.Itoa(level) + "/"
	}
	p += encodeIndex(n)
	if width > 0 && width < 1<<TileHeight {
		p += ".p/" + strconv.Itoa(width)
	}
	return p
}

func encodeIndex(n int64) string {
	s := strconv.FormatInt(n, 10)
	for len(s)%3 != 0 {
		s = "0" + s
	}
	var parts []string
	for i := 0; i < len(s); i += 3 {
		g := s[i : i+3]
		if i+3 < len(s) {
			g = "x" + g
		}
		parts = append(parts, g)
	}
	return strings.Join(parts, "/")
}

// ParseTilePath reads a path made by TilePath (without the "tile/" prefix is
// also accepted). Width 0 means a full tile.
func ParseTilePath(p string) (level int, n int64, width int, err error) {
	bad := func() (int, int64, int, error) { return 0, 0, 0, fmt.Errorf("ledger: bad tile path %q", p) }
	p = strings.TrimPrefix(p, "tile/")
	first, rest, ok := strings.Cut(p, "/")
	if !ok {
		return bad()
	}
	if first == "entries" {
		level = -1
	} else {
		level, err = strconv.Atoi(first)
		if err != nil || level < 0 || level > 63/TileHeight || strconv.Itoa(level) != first {
			return bad()
		}
	}
	if i := strings.Index(rest, ".p/"); i >= 0 {
		width, err = strconv.Atoi(rest[i+3:])
		if err != nil || width < 1 || width >= 1<<TileHeight || strconv.Itoa(width) != rest[i+3:] {
			return bad()
		}
		rest = rest[:i]
	}
	groups := strings.Split(rest, "/")
	if len(groups) > 7 {
		return bad()
	}
	var digits strings.Builder
	for i, g := range groups {
		last := i == len(groups)-1
		if !last {
			if !strings.HasPrefix(g, "x") {
				return bad()
			}
			g = g[1:]
		}
		if len(g) != 3 {
			return bad()
		}
		for _, c := range g {
			if c < '0' || c > '9' {
				return bad()
			}
		}
		digits.WriteString(g)
	}
	n, err = strconv.ParseInt(digits.String(), 10, 64)
	if err != nil || encodeIndex(n) != rest {
		return bad()
	}
	return level, n, width, nil
}

// Tile returns the bytes of a tile of the tree of the given size: the hashes
// of level level*8, tile n, width hashes (0: full). It refuses a tile the tree
// of that size does not yet contain.
func (l *Log) Tile(ctx context.Context, size int64, level int, n int64, width int) ([]byte, error) {
	w := width
	if w == 0 {
		w = 1 << TileHeight
	}
	if level < 0 {
		return l.entryBundle(ctx, size, n, w)
	}
	// The tile covers hashes [n*256, n*256+w) of level level*8, each standing
	// for 2^(level*8) entries.
	// Bounds by division: the products overflow for high levels and indexes.
	perTile := size >> (uint(level) * TileHeight) // hashes at this level
	if level > 7 || n > perTile>>TileHeight || n*(1<<TileHeight)+int64(w) > perTile {
		return nil, errNoTile
	}
	return tlog.ReadTileData(tlog.Tile{H: TileHeight, L: level, N: n, W: w}, l.Reader(ctx))
}

var errNoTile = fmt.Errorf("ledger: no such tile")

// entryBundle is a C2SP entry bundle: each entry as a big-endian uint16
// length and the bytes.
func (l *Log) entryBundle(ctx context.Context, size, n int64, w int) ([]byte, error) {
	if n > size>>TileHeight {
		return nil, errNoTile
	}
	start := n << TileHeight
	if start+int64(w) > size {
		return nil, errNoTile
	}
	entries, err := l.Entries(ctx, start, start+int64(w))
	if err != nil {
		return nil, err
	}
	var out []byte
	for _, e := range entries {
		out = binary.BigEndian.AppendUint16(out, uint16(len(e)))
		out = append(out, e...)
	}
	return out, nil
}
