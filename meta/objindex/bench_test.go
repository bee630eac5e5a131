package objindex

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
)

func benchRecord(i int64) *Record {
	return &Record{
		Bucket: "bench", Key: fmt.Sprintf("dir/obj-%09d", i), VersionID: NullVersion, ModTime: i + 1,
		Size: 4096, ETag: "0123456789abcdef0123456789abcdef", Owner: "owner",
		Headers: map[string]string{"Content-Type": "application/octet-stream"},
		Erasure: Erasure{DataShards: 2, ParityShards: 2, BlockSize: 1 << 20, ShardIndex: 1, Bitrot: BitrotHighwayHash256},
		Parts:   []Part{{Number: 1, Size: 4096}},
		Inline:  make([]byte, 32+2048),
	}
}

// BenchmarkPutSync measures durable puts of a 4 KiB object's record from
// concurrent writers (badger groups their fsyncs).
func BenchmarkPutSync(b *testing.B) {
	ix, err := Open(b.TempDir(), Options{GCInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := ix.Put(benchRecord(n.Add(1))); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkGetInline(b *testing.B) {
	ix, err := Open(b.TempDir(), Options{NoSync: true, GCInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	const n = 10000
	for i := int64(0); i < n; i++ {
		if _, err := ix.Put(benchRecord(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ix.Get("bench", fmt.Sprintf("dir/obj-%09d", i%n), "", true); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRecordEncodeDecode(b *testing.B) {
	r := benchRecord(1)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = encodeRecord(buf[:0], r)
		var d Record
		if err := decodeRecord(buf, &d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkList1000Of100k reads 1,000-key pages from an index of 100,000
// keys (one drive's share of the LIST target), with and without a
// delimiter that folds each 1,000-key "directory" into a common prefix.
func BenchmarkList1000Of100k(b *testing.B) {
	ix, err := Open(b.TempDir(), Options{NoSync: true, GCInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	const n = 100000
	for i := int64(0); i < n; i++ {
		r := benchRecord(i)
		r.Key = fmt.Sprintf("dir-%03d/obj-%09d", i/1000, i)
		r.Inline = nil
		if _, err := ix.Put(r); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range []struct{ name, delim string }{{"flat", ""}, {"delimiter", "/"}} {
		b.Run(c.name, func(b *testing.B) {
			after := ""
			for b.Loop() {
				page, err := ix.List(context.Background(), "bench", ListQuery{Delimiter: c.delim, After: after, Limit: 1000})
				if err != nil {
					b.Fatal(err)
				}
				if len(page.Entries) == 0 {
					b.Fatal("empty page")
				}
				after = page.Entries[len(page.Entries)-1].Name
				if !page.More {
					after = ""
				}
			}
		})
	}
}
