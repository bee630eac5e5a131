package s3api

import (
	"strings"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/meta"
)

func TestListVersionsXML(t *testing.T) {
	b := meta.Bucket{Name: "bkt", Owner: "own", OwnerName: "Owner"}
	mod := time.Date(2030, 1, 2, 3, 4, 5, 6e6, time.UTC)
	res := data.ListVersionsResult{
		Versions: []data.ObjectInfo{
			{Key: "a b", VersionID: "m1", IsLatest: true, DeleteMarker: true, ModTime: mod, Owner: "own"},
			{Key: "a b", VersionID: "v1", ETag: "abc", Size: 3, ModTime: mod, Owner: "other", Checksums: map[string]string{"CRC32": "x"}},
			{Key: "c", VersionID: "null", IsLatest: true, ETag: "def", Size: 1, ModTime: mod},
		},
		CommonPrefixes: []string{"d/"},
		IsTruncated:    true, NextKeyMarker: "c", NextVersionIDMarker: "null",
	}
	lp := ListParams{Prefix: "", Delimiter: "/", MaxKeys: 3, Marker: "a", VersionIDMarker: "", URLEncode: true}
	got := string(listVersionsXML(b, lp, res))
	for _, want := range []string{
		`<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bkt</Name><Prefix></Prefix><KeyMarker>a</KeyMarker><VersionIdMarker></VersionIdMarker>`,
		`<NextKeyMarker>c</NextKeyMarker><NextVersionIdMarker>null</NextVersionIdMarker><MaxKeys>3</MaxKeys><Delimiter>/</Delimiter><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>`,
		`<DeleteMarker><Key>a%20b</Key><VersionId>m1</VersionId><IsLatest>true</IsLatest><LastModified>2030-01-02T03:04:05.006Z</LastModified><Owner><ID>own</ID><DisplayName>Owner</DisplayName></Owner></DeleteMarker>`,
		`<Version><Key>a%20b</Key><VersionId>v1</VersionId><IsLatest>false</IsLatest><LastModified>2030-01-02T03:04:05.006Z</LastModified><ETag>&quot;abc&quot;</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><Size>3</Size><StorageClass>STANDARD</StorageClass><Owner><ID>other</ID></Owner></Version>`,
		`<Version><Key>c</Key><VersionId>null</VersionId><IsLatest>true</IsLatest>`,
		`<Owner><ID>own</ID><DisplayName>Owner</DisplayName></Owner></Version><CommonPrefixes><Prefix>d/</Prefix></CommonPrefixes></ListVersionsResult>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s\nin %s", want, got)
		}
	}
	// Answer order is kept: the marker before its key's older version.
	if strings.Index(got, "<DeleteMarker>") > strings.Index(got, "<Version>") {
		t.Errorf("order changed: %s", got)
	}
}

func TestSetVersionHeaders(t *testing.T) {
	cases := []struct {
		versioning, vid, reqVID string
		marker                  bool
		wantVID, wantMarker     string
	}{
		{"", "null", "", false, "", ""},
		{"Enabled", "v1", "", false, "v1", ""},
		{"Suspended", "null", "", false, "null", ""},
		{"Enabled", "m1", "", true, "m1", "true"},
		{"Suspended", "null", "", true, "null", "true"},
		{"Enabled", "", "gone", false, "gone", ""},
		{"Enabled", "m2", "m2", true, "m2", "true"},
	}
	for _, c := range cases {
		r := newResponse(204)
		setDeleteHeaders(r, meta.Bucket{Versioning: c.versioning}, c.reqVID, data.ObjectInfo{VersionID: c.vid, DeleteMarker: c.marker})
		var gotVID, gotMarker string
		for _, h := range r.header {
			switch h.name {
			case "x-amz-version-id":
				gotVID = h.value
			case "x-amz-delete-marker":
				gotMarker = h.value
			}
		}
		if gotVID != c.wantVID || gotMarker != c.wantMarker {
			t.Errorf("%+v: version %q marker %q", c, gotVID, gotMarker)
		}
	}
}
