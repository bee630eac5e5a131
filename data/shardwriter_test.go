package data

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// plainFile hides the *os.File's Fd, as a test filesystem's files do:
// the writer must stay buffered.
type plainFile struct{ File }

// TestShardWriterSizes writes shards of sizes around every boundary the
// writer has (alignment, directMin, the buffer size) in uneven pieces, with
// O_DIRECT where the test's filesystem allows it and through a file that
// cannot switch (the buffered fallback), and reads back exactly what was
// written.
func TestShardWriterSizes(t *testing.T) {
	sizes := []int{0, 1, 32, directAlign - 1, directAlign, directAlign + 1, directMin - 1, directMin, directMin + 33,
		alignedBufSize - 1, alignedBufSize, alignedBufSize + 1, 3*alignedBufSize + 17, 2*alignedBufSize + directAlign}
	for _, name := range []string{"direct", "buffered"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			// Does this filesystem take O_DIRECT at all? Then large shards must use it.
			probe, err := OSFS{}.OpenFile(filepath.Join(dir, "probe"), os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			directOK := name == "direct" && setDirect(probe, true)
			probe.Close()
			var pool alignedPool
			for i, size := range sizes {
				want := make([]byte, size)
				r := rand.New(rand.NewPCG(uint64(size), 7))
				for j := range want {
					want[j] = byte(r.Uint32())
				}
				path := filepath.Join(dir, "shard"+string(rune('a'+i)))
				f, err := OSFS{}.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
				if err != nil {
					t.Fatal(err)
				}
				w := &localShardWriter{f: f, name: path, fs: OSFS{}, pool: &pool}
				if name == "buffered" {
					w.f = plainFile{f}
				}
				sawDirect := false
				for rest := want; len(rest) > 0; {
					n := min(len(rest), 1+r.IntN(300<<10)) // hashes and chunks arrive in odd pieces
					if m, err := w.Write(rest[:n]); err != nil || m != n {
						t.Fatalf("size %d: write %d: %d, %v", size, n, m, err)
					}
					rest = rest[n:]
					sawDirect = sawDirect || w.direct
				}
				if err := w.Close(); err != nil {
					t.Fatalf("size %d: close: %v", size, err)
				}
				if err := w.Close(); err != nil {
					t.Fatalf("size %d: second close: %v", size, err)
				}
				got, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("size %d: read back %d bytes that differ from the %d written", size, len(got), len(want))
				}
				if name == "buffered" && sawDirect {
					t.Errorf("size %d: O_DIRECT reported for a file without a descriptor", size)
				}
				if directOK && size >= alignedBufSize && !sawDirect {
					t.Errorf("size %d: written through the page cache on a filesystem with O_DIRECT", size)
				}
				if size < alignedBufSize && sawDirect {
					t.Errorf("size %d: O_DIRECT before the buffer filled", size)
				}
			}
		})
	}
}

// TestShardWriterAbort removes the file and returns the buffer, also after
// a direct write.
func TestShardWriterAbort(t *testing.T) {
	var pool alignedPool
	path := filepath.Join(t.TempDir(), "shard")
	f, err := OSFS{}.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	w := &localShardWriter{f: f, name: path, fs: OSFS{}, pool: &pool}
	if _, err := w.Write(make([]byte, alignedBufSize+100)); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("aborted shard still there: %v", err)
	}
	if w.buf != nil {
		t.Fatal("buffer not returned")
	}
}
