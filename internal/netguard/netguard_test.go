package netguard

import (
	"net/netip"
	"testing"
)

func TestOnlyPublicAddressesAreDialled(t *testing.T) {
	for addr, want := range map[string]bool{
		"203.0.113.10": true, "8.8.8.8": true, "2001:4860::8888": true,
		"127.0.0.1": false, "10.1.2.3": false, "192.168.0.1": false, "169.254.169.254": false,
		"100.100.100.200": false, "0.1.2.3": false, "198.18.0.1": false, "240.0.0.1": false,
		"::1": false, "fc00::1": false, "fe80::1": false, "64:ff9b::a00:1": false, "2002:a00:1::": false,
		"::ffff:10.0.0.1": false, "::ffff:8.8.8.8": true,
	} {
		if got := Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}
