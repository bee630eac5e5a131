package bench

import (
	"math/rand/v2"
	"testing"
)

func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in       string
		min, max int64
		err      bool
	}{
		{"4096", 4096, 4096, false},
		{"4KiB", 4096, 4096, false},
		{"4k", 4096, 4096, false},
		{"1MiB", 1 << 20, 1 << 20, false},
		{"16M", 16 << 20, 16 << 20, false},
		{"1.5MiB", 3 << 19, 3 << 19, false},
		{"0", 0, 0, false},
		{"4KiB:1MiB", 4096, 1 << 20, false},
		{" 1 GiB ", 1 << 30, 1 << 30, false},
		{"1MiB:4KiB", 0, 0, true},
		{"", 0, 0, true},
		{"KiB", 0, 0, true},
		{"-1", 0, 0, true},
		{"4XB", 0, 0, true},
		{"4KiB:", 0, 0, true},
	} {
		d, err := ParseSize(c.in)
		if (err != nil) != c.err {
			t.Errorf("ParseSize(%q) error %v, want error %v", c.in, err, c.err)
			continue
		}
		if !c.err && (d.Min != c.min || d.Max != c.max) {
			t.Errorf("ParseSize(%q) = %+v, want %d:%d", c.in, d, c.min, c.max)
		}
	}
}

func TestSizeDistPickAndString(t *testing.T) {
	d, _ := ParseSize("4KiB:1MiB")
	if d.String() != "4KiB:1MiB" {
		t.Errorf("String %q", d.String())
	}
	r := rand.New(rand.NewPCG(3, 4))
	seenLow, seenHigh := false, false
	for range 10000 {
		v := d.Pick(r)
		if v < 4096 || v > 1<<20 {
			t.Fatalf("picked %d outside the range", v)
		}
		seenLow = seenLow || v < 64<<10
		seenHigh = seenHigh || v > 960<<10
	}
	if !seenLow || !seenHigh {
		t.Error("picks do not spread over the range")
	}
	if FormatBytes(1000) != "1000B" || FormatBytes(16<<20) != "16MiB" {
		t.Error("FormatBytes")
	}
}

func TestParseMix(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // Mix.String(), "" for an error
	}{
		{"put=20,get=70,stat=5,delete=5", "put=20,get=70,stat=5,delete=5"},
		{"get=3, put=1", "put=1,get=3"},
		{"put=1,list=0,get=1", "put=1,get=1"},
		{"multipart=1", "multipart=1"},
		{"put=1,put=2", ""},
		{"put=-1,get=1", ""},
		{"put=x", ""},
		{"put", ""},
		{"mixed=1", ""},
		{"copy=1", ""},
		{"put=0", ""},
		{"", ""},
	} {
		m, err := ParseMix(c.in)
		if c.want == "" {
			if err == nil {
				t.Errorf("ParseMix(%q) = %v, want an error", c.in, m)
			}
			continue
		}
		if err != nil || m.String() != c.want {
			t.Errorf("ParseMix(%q) = %v, %v; want %s", c.in, m, err, c.want)
		}
	}
}

func TestMixPickFollowsWeights(t *testing.T) {
	m, err := ParseMix("put=20,get=70,stat=5,delete=5")
	if err != nil {
		t.Fatal(err)
	}
	counts := map[Op]int{}
	for n := range m.Total() {
		counts[m.Pick(n)]++
	}
	if counts[OpPut] != 20 || counts[OpGet] != 70 || counts[OpStat] != 5 || counts[OpDelete] != 5 {
		t.Errorf("picks over one cycle: %v", counts)
	}
}
