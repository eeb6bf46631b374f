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

// Numbers are typed and shown as the reader's language writes them:
// English groups thousands with "," and marks decimals with "."
// (4,800,000,000; 0.0000625), Indonesian the reverse (4.800.000.000;
// 0,0000625). Read the other way round, one is a thousand times the
// other, so whatever could be read both ways is refused, not guessed.

// separators are the decimal mark and the thousands separator of lang;
// English for anything but Indonesian (and for the API).
func separators(lang string) (dec, grp string) {
	if lang == "id" {
		return ",", "."
	}
	return ".", ","
}

// Why a number was refused: not a number at all, or written in a way
// that could be read two ways.
const (
	numBad    = 1
	numFormat = 2
)

// parseDecimal reads a non-negative decimal written in lang, with at most
// places digits after the decimal mark, in units of 10^-places. Thousands
// may be grouped by threes (with lang's separator or spaces) when group
// is set; a decimal mark twice, the other language's mark, groups not of
// three, or more decimals than places in an amount make it ambiguous
// (numFormat).
func parseDecimal(lang, s string, places int, group bool) (int64, int) {
	dec, grp := separators(lang)
	s = strings.NewReplacer(" ", grp, "\u00a0", grp, "\u202f", grp).Replace(strings.TrimSpace(s))
	if s == "" {
		return 0, numBad
	}
	for _, c := range s {
		if (c < '0' || c > '9') && string(c) != dec && string(c) != grp {
			return 0, numBad
		}
	}
	if strings.Count(s, dec) > 1 {
		return 0, numFormat
	}
	whole, frac, _ := strings.Cut(s, dec)
	if strings.Contains(frac, grp) {
		return 0, numFormat
	}
	if strings.Contains(whole, grp) {
		if !group {
			return 0, numFormat
		}
		parts := strings.Split(whole, grp)
		if len(parts[0]) == 0 || len(parts[0]) > 3 {
			return 0, numFormat
		}
		for _, p := range parts[1:] {
			if len(p) != 3 {
				return 0, numFormat
			}
		}
		whole = strings.Join(parts, "")
	}
	if whole == "" || len(whole) > 15 {
		return 0, numBad
	}
	if len(frac) > places {
		// "1.250" in English may be an Indonesian thousand; a rate's
		// ninth decimal is merely too fine.
		if group {
			return 0, numFormat
		}
		return 0, numBad
	}
	frac += strings.Repeat("0", places-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, numBad
	}
	return n, 0
}

// ParseMoney reads an amount written in English ("250000", "1,250.5") as
// cents: what the API takes.
func ParseMoney(s string) (int64, bool) {
	n, why := ParseMoneyIn("en", s)
	return n, why == 0
}

// ParseMoneyIn reads an amount as written in lang, as cents; why says
// what was wrong (numBad, numFormat, or numBad beyond maxMoney).
func ParseMoneyIn(lang, s string) (int64, int) {
	n, why := parseDecimal(lang, s, 2, true)
	if why == 0 && n > maxMoney {
		return 0, numBad
	}
	return n, why
}

// ParseRate reads a rate to US dollars written in English ("1",
// "0.0000625") in units of 10^-8; zero is not a rate.
func ParseRate(s string) (int64, bool) {
	n, why := ParseRateIn("en", s)
	return n, why == 0
}

// ParseRateIn reads a rate as written in lang. A rate is never grouped:
// "0,0000625" in English, or "0.0000625" in Indonesian, is refused as
// ambiguous rather than read as 625.
func ParseRateIn(lang, s string) (int64, int) {
	n, why := parseDecimal(lang, s, 8, false)
	if why == 0 && (n <= 0 || n > 1_000_000*rateScale) {
		return 0, numBad
	}
	return n, why
}

// moneyProblem is the message for an amount refused for why.
func moneyProblem(why int) string {
	if why == numFormat {
		return "err.hum_fund_amount_format"
	}
	return "err.hum_fund_amount"
}

// rateProblem is the message for a rate refused for why.
func rateProblem(why int) string {
	if why == numFormat {
		return "err.hum_fund_rate_format"
	}
	return "err.hum_fund_rate"
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

// FormatMoney writes cents in English: thousands grouped and the cents
// shown only when there are some: "250,000", "1,250.50".
func FormatMoney(cents int64) string { return FormatMoneyIn("en", cents) }

// FormatMoneyIn writes cents as lang writes them: "4,800,000,000.50" in
// English, "4.800.000.000,50" in Indonesian.
func FormatMoneyIn(lang string, cents int64) string {
	dec, grp := separators(lang)
	neg := cents < 0
	if neg {
		cents = -cents
	}
	whole := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(grp)
		}
		b.WriteRune(c)
	}
	if c := cents % 100; c != 0 {
		b.WriteString(dec + strconv.FormatInt(c/10, 10) + strconv.FormatInt(c%10, 10))
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// FormatRate writes a rate in English without trailing zeros: "1",
// "0.0000625".
func FormatRate(e8 int64) string { return FormatRateIn("en", e8) }

// FormatRateIn writes a rate as lang writes it, never grouped: "0,0000625"
// in Indonesian.
func FormatRateIn(lang string, e8 int64) string {
	dec, _ := separators(lang)
	s := strconv.FormatInt(e8/rateScale, 10)
	frac := strings.TrimRight(strconv.FormatInt(e8%rateScale+rateScale, 10)[1:], "0")
	if frac != "" {
		s += dec + frac
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
