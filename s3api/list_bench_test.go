package s3api

import (
	"encoding/xml"
	"fmt"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/meta"
)

// listPage is a full 1,000-key page as the data layer hands it to the
// XML writer: keys under a shared prefix, an ETag each, one owner.
func listPage(n int, checksums bool) data.ListResult {
	res := data.ListResult{IsTruncated: true}
	t := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	for i := range n {
		o := data.ObjectInfo{
			Bucket: "bench", Key: fmt.Sprintf("logs/2026/11/22/host-%03d/part-%06d.json", i%50, i),
			VersionID: "null", IsLatest: true, Size: int64(1024 + i), ModTime: t.Add(time.Duration(i) * time.Second),
			ETag: "0123456789abcdef0123456789abcdef", Owner: "owner-id",
		}
		if checksums {
			o.Checksums = map[string]string{"CRC32C": "yZRlqg=="}
		}
		res.Objects = append(res.Objects, o)
	}
	res.NextAfter = res.Objects[n-1].Key
	return res
}

// BenchmarkListV2XML renders a 1,000-key ListObjectsV2 page (the LIST
// target is a page in < 10 ms of server time; this is the XML share).
func BenchmarkListV2XML(b *testing.B) {
	bk := meta.Bucket{Name: "bench", Owner: "owner-id", OwnerName: "owner"}
	for _, c := range []struct {
		name string
		lp   ListParams
		sums bool
	}{
		{"plain", ListParams{Prefix: "logs/", MaxKeys: 1000}, false},
		{"url-owner-checksums", ListParams{Prefix: "logs/", MaxKeys: 1000, URLEncode: true, FetchOwner: true}, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			res := listPage(1000, c.sums)
			b.ReportAllocs()
			var size int
			for b.Loop() {
				size = len(listV2XML(bk, c.lp, res))
			}
			b.ReportMetric(float64(size), "bytes/page")
		})
	}
}

// BenchmarkListV1XML renders a 1,000-key ListObjects (v1) page.
func BenchmarkListV1XML(b *testing.B) {
	bk := meta.Bucket{Name: "bench", Owner: "owner-id", OwnerName: "owner"}
	res := listPage(1000, false)
	b.ReportAllocs()
	for b.Loop() {
		listV1XML(bk, ListParams{Prefix: "logs/", MaxKeys: 1000}, res)
	}
}

// TestListPageXMLParses keeps the benchmark input honest: the rendered page
// is a ListBucketResult with all 1,000 keys.
func TestListPageXMLParses(t *testing.T) {
	bk := meta.Bucket{Name: "bench", Owner: "owner-id", OwnerName: "owner"}
	var doc listDoc
	if err := xml.Unmarshal(listV2XML(bk, ListParams{Prefix: "logs/", MaxKeys: 1000}, listPage(1000, false)), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Contents) != 1000 || !doc.IsTruncated || *doc.KeyCount != 1000 {
		t.Fatalf("page has %d keys, truncated %v", len(doc.Contents), doc.IsTruncated)
	}
}
