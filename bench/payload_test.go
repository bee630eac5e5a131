package bench

import (
	"bytes"
	"io"
	mrand "math/rand/v2"
	"testing"
)

func TestPayloadSection(t *testing.T) {
	p := Payload("0123456789")
	for _, c := range []struct {
		off, n int64
		want   string
	}{
		{0, 0, ""}, {0, 4, "0123"}, {3, 7, "3456789"}, {8, 5, "89012"}, {13, 4, "3456"},
		{0, 25, "0123456789012345678901234"},
	} {
		got, err := io.ReadAll(p.Section(c.off, c.n))
		if err != nil || string(got) != c.want {
			t.Errorf("Section(%d, %d) = %q, %v; want %q", c.off, c.n, got, err, c.want)
		}
	}
	// Small reads across the wrap.
	r := p.Section(7, 12)
	var out bytes.Buffer
	buf := make([]byte, 3)
	for {
		n, err := r.Read(buf)
		out.Write(buf[:n])
		if err == io.EOF {
			break
		}
	}
	if out.String() != "789012345678" {
		t.Errorf("3-byte reads: %q", out.String())
	}
}

// TestKeyPoolReadersBlockDeletes: a key handed to a reader is not handed to
// a delete until released, in both key orders.
func TestKeyPoolReadersBlockDeletes(t *testing.T) {
	for _, seq := range []bool{false, true} {
		r := mrand.New(mrand.NewPCG(1, 2))
		var p keyPool
		p.add("a")
		p.add("b")
		k, ok := p.pick(r, 0, seq)
		if !ok {
			t.Fatal("pick from a full pool failed")
		}
		other, ok := p.take(r, seq)
		for !ok { // random order may need another try
			other, ok = p.take(r, seq)
		}
		if other == k {
			t.Fatalf("sequential=%v: take returned %q while it is being read", seq, k)
		}
		if _, ok := p.take(r, seq); ok {
			t.Fatalf("sequential=%v: take returned the key being read", seq)
		}
		p.release(k)
		if got, ok := p.take(r, seq); !ok || got != k {
			// random order: retry a few times
			for i := 0; i < 20 && !ok; i++ {
				got, ok = p.take(r, seq)
			}
			if !ok || got != k {
				t.Fatalf("sequential=%v: after release take = %q, %v", seq, got, ok)
			}
		}
	}
}
