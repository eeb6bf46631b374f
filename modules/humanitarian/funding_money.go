package humanitarian

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Money is kept as whole hundredths of a currency's unit (cents), in an
// int64, for every currency alike: figures reported to humanitarian
// tracking are rounded to the cent or coarser, and one scale keeps sums
// exact. A rate to US dollars is an integer in units of 10^-8.

// maxMoney bounds any amount (a hundred trillion units): larger is a typo.
const maxMoney = 100_000_000_000_000 * 100

// maxUSD bounds what one flow or requirement may come to in US cents (a
// hundred billion dollars, more than any appeal has asked): beyond it the
// amount or the rate is a typo, and the bound keeps sums far from int64's.
const maxUSD = 100_000_000_000 * 100

// validUSD reports whether a converted figure is one to count: above
// zero (ToUSD gives -1 when it overflows, 0 when it rounds to nothing)
// and at most maxUSD.
func validUSD(usd int64) bool { return usd > 0 && usd <= maxUSD }

// addUSD adds two non-negative sums of US cents, saturating instead of
// wrapping round to a negative total.
func addUSD(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// rateScale is one, as a rate_e8.
const rateScale = 100_000_000

// parseDecimal reads a non-negative decimal with at most places digits
// after the point, in units of 10^-places. Spaces and commas grouping
// thousands are allowed ("250,000.50"); nothing else is.
func parseDecimal(s string, places int) (int64, bool) {
	s = strings.NewReplacer(",", "", " ", "", "\u00a0", "").Replace(strings.TrimSpace(s))
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 15 || len(frac) > places {
		return 0, false
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	frac += strings.Repeat("0", places-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	return n, err == nil
}

// ParseMoney reads an amount typed by a person ("250000", "1,250.5") as
// cents.
func ParseMoney(s string) (int64, bool) {
	n, ok := parseDecimal(s, 2)
	return n, ok && n <= maxMoney
}

// ParseRate reads a rate to US dollars ("1", "0.0000625") in units of
// 10^-8; zero is not a rate.
func ParseRate(s string) (int64, bool) {
	n, ok := parseDecimal(s, 8)
	return n, ok && n > 0 && n <= 1_000_000*rateScale
}

// ToUSD converts cents of a currency to US cents at rate (10^-8),
// rounding half up; big integers, since amount × rate overflows int64.
func ToUSD(amount, rateE8 int64) int64 {
	p := new(big.Int).Mul(big.NewInt(amount), big.NewInt(rateE8))
	p.Add(p, big.NewInt(rateScale/2))
	p.Quo(p, big.NewInt(rateScale))
	if !p.IsInt64() {
		return -1
	}
	return p.Int64()
}

// FormatMoney writes cents with thousands grouped and the cents shown only
// when there are some: "250,000", "1,250.50".
func FormatMoney(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	whole := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if c := cents % 100; c != 0 {
		b.WriteString("." + strconv.FormatInt(c/10, 10) + strconv.FormatInt(c%10, 10))
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// FormatRate writes a rate without trailing zeros: "1", "0.0000625".
func FormatRate(e8 int64) string {
	s := strconv.FormatInt(e8/rateScale, 10)
	frac := strings.TrimRight(strconv.FormatInt(e8%rateScale+rateScale, 10)[1:], "0")
	if frac != "" {
		s += "." + frac
	}
	return s
}

// validCurrency wants an ISO 4217 code as written: three capital letters.
func validCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for _, r := range c {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}
