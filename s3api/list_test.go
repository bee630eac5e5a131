package s3api

import (
	"encoding/xml"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/meta"
)

type listDoc struct {
	XMLName               xml.Name `xml:"ListBucketResult"`
	Name                  string
	Prefix                string
	Marker                *string
	NextMarker            *string
	StartAfter            *string
	ContinuationToken     *string
	NextContinuationToken *string
	KeyCount              *int
	MaxKeys               int
	Delimiter             *string
	EncodingType          *string
	IsTruncated           bool
	Contents              []struct {
		Key          string
		LastModified string
		ETag         string
		Size         int64
		StorageClass string
		Checksums    []string `xml:"ChecksumAlgorithm"`
		Owner        *struct{ ID, DisplayName string }
	}
	CommonPrefixes []struct{ Prefix string }
}

func TestListXML(t *testing.T) {
	b := meta.Bucket{Name: "bk", Owner: "oid", OwnerName: "Owner Name"}
	mod := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	res := data.ListResult{
		Objects: []data.ObjectInfo{
			{Key: "a b&c", Size: 3, ETag: "e1", ModTime: mod, Owner: "oid", Checksums: map[string]string{"CRC32": "x"}},
			{Key: "dm", DeleteMarker: true},
			{Key: "z+", Size: 0, ETag: "e2", ModTime: mod, Owner: "other"},
		},
		CommonPrefixes: []string{"p/ q/"},
		IsTruncated:    true,
		NextAfter:      "z+",
	}
	decode := func(b []byte) listDoc {
		t.Helper()
		var d listDoc
		if err := xml.Unmarshal(b, &d); err != nil {
			t.Fatalf("%v in %s", err, b)
		}
		return d
	}

	// V2: KeyCount, token, no Owner unless fetch-owner.
	d := decode(listV2XML(b, ListParams{Prefix: "", Delimiter: "/", MaxKeys: 3, Token: "tok"}, res))
	if d.Name != "bk" || d.KeyCount == nil || *d.KeyCount != 4 || d.MaxKeys != 3 || !d.IsTruncated ||
		d.ContinuationToken == nil || *d.ContinuationToken != "tok" || d.NextContinuationToken == nil || d.Marker != nil {
		t.Errorf("v2 doc %+v", d)
	}
	if after, err := decodeToken(*d.NextContinuationToken); err != nil || after != "z+" {
		t.Errorf("next token decodes to %q %v", after, err)
	}
	if len(d.Contents) != 2 || d.Contents[0].Key != "a b&c" || d.Contents[0].ETag != `"e1"` || d.Contents[0].Owner != nil ||
		d.Contents[0].LastModified != "2024-01-02T03:04:05.000Z" || d.Contents[0].StorageClass != "STANDARD" ||
		len(d.Contents[0].Checksums) != 1 || d.Contents[0].Checksums[0] != "CRC32" {
		t.Errorf("v2 contents %+v", d.Contents)
	}
	if len(d.CommonPrefixes) != 1 || d.CommonPrefixes[0].Prefix != "p/ q/" {
		t.Errorf("v2 prefixes %+v", d.CommonPrefixes)
	}

	// V2 with fetch-owner and url encoding.
	d = decode(listV2XML(b, ListParams{Prefix: "a b", Delimiter: "/", StartAfter: "s t", MaxKeys: 3, FetchOwner: true, URLEncode: true}, res))
	if d.Prefix != "a%20b" || *d.StartAfter != "s%20t" || *d.EncodingType != "url" || d.Contents[0].Key != "a%20b%26c" ||
		d.Contents[1].Key != "z%2B" || d.CommonPrefixes[0].Prefix != "p/%20q/" {
		t.Errorf("v2 url encoding %+v", d)
	}
	if d.Contents[0].Owner == nil || d.Contents[0].Owner.ID != "oid" || d.Contents[0].Owner.DisplayName != "Owner Name" ||
		d.Contents[1].Owner == nil || d.Contents[1].Owner.ID != "other" {
		t.Errorf("v2 owners %+v", d.Contents)
	}

	// V1: Owner always, NextMarker only with a delimiter.
	d = decode(listV1XML(b, ListParams{Marker: "m", MaxKeys: 3}, res))
	if d.Marker == nil || *d.Marker != "m" || d.NextMarker != nil || d.KeyCount != nil || d.Contents[0].Owner == nil {
		t.Errorf("v1 without delimiter %+v", d)
	}
	d = decode(listV1XML(b, ListParams{Delimiter: "/", MaxKeys: 3}, res))
	if d.NextMarker == nil || *d.NextMarker != "z+" {
		t.Errorf("v1 with delimiter %+v", d)
	}
	res.IsTruncated = false
	d = decode(listV1XML(b, ListParams{Delimiter: "/", MaxKeys: 3}, res))
	if d.NextMarker != nil || d.IsTruncated {
		t.Errorf("v1 not truncated %+v", d)
	}
}
