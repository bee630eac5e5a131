package bench

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Units accepted by ParseBytes. Binary units (KiB) and their short forms
// (K, KB) all mean powers of 1024: benchmark sizes are conventionally binary
// and a silent factor of 1.024 would only confuse comparisons.
var byteUnits = []struct {
	suffix string
	mult   int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30}, {"tb", 1 << 40},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40},
	{"b", 1},
}

// ParseBytes parses a size such as "4096", "4KiB", "1.5MiB" or "16M".
func ParseBytes(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range byteUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	if t == "" {
		return 0, fmt.Errorf("size %q: no number", s)
	}
	if n, err := strconv.ParseInt(t, 10, 64); err == nil {
		if n < 0 || n > (1<<62)/mult {
			return 0, fmt.Errorf("size %q: out of range", s)
		}
		return n * mult, nil
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 || f*float64(mult) > 1<<62 {
		return 0, fmt.Errorf("size %q: not a size", s)
	}
	return int64(f * float64(mult)), nil
}

// FormatBytes prints n in the largest binary unit that divides it exactly,
// so that FormatBytes(ParseBytes(x)) reads like what a user types.
func FormatBytes(n int64) string {
	for _, u := range []struct {
		name string
		mult int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.mult && n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// SizeDist is the object size of a run: fixed when Min == Max, otherwise
// uniform over [Min, Max].
type SizeDist struct {
	Min int64 `json:"min"`
	Max int64 `json:"max"`
}

// ParseSize parses "4KiB" (fixed) or "4KiB:1MiB" (uniform between both).
func ParseSize(s string) (SizeDist, error) {
	lo, hi, ranged := strings.Cut(s, ":")
	a, err := ParseBytes(lo)
	if err != nil {
		return SizeDist{}, err
	}
	if !ranged {
		return SizeDist{Min: a, Max: a}, nil
	}
	b, err := ParseBytes(hi)
	if err != nil {
		return SizeDist{}, err
	}
	if b < a {
		return SizeDist{}, fmt.Errorf("size %q: maximum below minimum", s)
	}
	return SizeDist{Min: a, Max: b}, nil
}

// Pick draws one size.
func (d SizeDist) Pick(r *rand.Rand) int64 {
	if d.Max <= d.Min {
		return d.Min
	}
	return d.Min + r.Int64N(d.Max-d.Min+1)
}

// Mean is the expected size.
func (d SizeDist) Mean() int64 { return (d.Min + d.Max) / 2 }

func (d SizeDist) String() string {
	if d.Min == d.Max {
		return FormatBytes(d.Min)
	}
	return FormatBytes(d.Min) + ":" + FormatBytes(d.Max)
}
