package bench

import (
	"bytes"
	"io"
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
