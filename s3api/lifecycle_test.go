package s3api

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/data/lifecycle"
)

func lcDoc(rules ...string) string {
	return "<LifecycleConfiguration>" + strings.Join(rules, "") + "</LifecycleConfiguration>"
}

func i64p(v int64) *int64 { return &v }

func TestParseLifecycleXML(t *testing.T) {
	cases := []struct {
		name string
		body string
		want []lifecycle.Rule
		code string
	}{
		{name: "expiration days with prefix filter",
			body: lcDoc(`<Rule><ID>r1</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule>`),
			want: []lifecycle.Rule{{ID: "r1", Status: "Enabled", Filter: lifecycle.Filter{Prefix: "logs/"}, Expiration: &lifecycle.Expiration{Days: 30}}}},
		{name: "legacy prefix",
			body: lcDoc(`<Rule><Prefix>tmp/</Prefix><Status>Disabled</Status><Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule>`),
			want: []lifecycle.Rule{{Status: "Disabled", Filter: lifecycle.Filter{Prefix: "tmp/"}, Expiration: &lifecycle.Expiration{Date: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}}}},
		{name: "bare date",
			body: lcDoc(`<Rule><Filter/><Status>Enabled</Status><Expiration><Date>2030-01-01</Date></Expiration></Rule>`),
			want: []lifecycle.Rule{{Status: "Enabled", Expiration: &lifecycle.Expiration{Date: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}}}},
		{name: "tag filter and noncurrent",
			body: lcDoc(`<Rule><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>7</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>`),
			want: []lifecycle.Rule{{Status: "Enabled", Filter: lifecycle.Filter{Tags: []lifecycle.Tag{{Key: "k", Value: "v"}}}, NoncurrentVersionExpiration: &lifecycle.NoncurrentVersionExpiration{NoncurrentDays: 7, NewerNoncurrentVersions: 2}}}},
		{name: "and filter with sizes",
			body: lcDoc(`<Rule><Filter><And><Prefix>a/</Prefix><Tag><Key>x</Key><Value>1</Value></Tag><Tag><Key>y</Key><Value>2</Value></Tag><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>100</ObjectSizeLessThan></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`),
			want: []lifecycle.Rule{{Status: "Enabled", Filter: lifecycle.Filter{Prefix: "a/", Tags: []lifecycle.Tag{{Key: "x", Value: "1"}, {Key: "y", Value: "2"}}, ObjectSizeGreaterThan: i64p(10), ObjectSizeLessThan: i64p(100)}, Expiration: &lifecycle.Expiration{Days: 1}}}},
		{name: "size filter alone",
			body: lcDoc(`<Rule><Filter><ObjectSizeGreaterThan>5</ObjectSizeGreaterThan></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`),
			want: []lifecycle.Rule{{Status: "Enabled", Filter: lifecycle.Filter{ObjectSizeGreaterThan: i64p(5)}, Expiration: &lifecycle.Expiration{Days: 1}}}},
		{name: "delete markers and aborts",
			body: lcDoc(`<Rule><ID>m</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration><AbortIncompleteMultipartUpload><DaysAfterInitiation>3</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`),
			want: []lifecycle.Rule{{ID: "m", Status: "Enabled", Expiration: &lifecycle.Expiration{ExpiredObjectDeleteMarker: true}, AbortIncompleteMultipartUpload: &lifecycle.AbortIncompleteMultipartUpload{DaysAfterInitiation: 3}}}},

		{name: "no rules", body: lcDoc(), code: "MalformedXML"},
		{name: "no status", body: lcDoc(`<Rule><Filter/><Expiration><Days>1</Days></Expiration></Rule>`), code: "MalformedXML"},
		{name: "bad status", body: lcDoc(`<Rule><Filter/><Status>On</Status><Expiration><Days>1</Days></Expiration></Rule>`), code: "MalformedXML"},
		{name: "no filter nor prefix", body: lcDoc(`<Rule><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`), code: "MalformedXML"},
		{name: "filter and prefix", body: lcDoc(`<Rule><Prefix>a</Prefix><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`), code: "MalformedXML"},
		{name: "two filter conditions", body: lcDoc(`<Rule><Filter><Prefix>a</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`), code: "MalformedXML"},
		{name: "no action", body: lcDoc(`<Rule><Filter/><Status>Enabled</Status></Rule>`), code: "InvalidRequest"},
		{name: "zero days", body: lcDoc(`<Rule><Filter/><Status>Enabled</Status><Expiration><Days>0</Days></Expiration></Rule>`), code: "InvalidArgument"},
		{name: "days not a number", body: lcDoc(`<Rule><Filter/><Status>Enabled</Status><Expiration><Days>x</Days></Expiration></Rule>`), code: "MalformedXML"},
		{name: "days and date", body: lcDoc(`<Rule><Filter/><Status>Enabled</Status><Expiration><Days>1</Days><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule>`), code: "MalformedXML"},
		{name: "date not midnight", body: lcDoc(`<Rule><Filter/><Status>Enabled</Status><Expiration><Date>2030-01-01T10:00:00Z</Date></Expiration></Rule>`), code: "InvalidArgument"},
		{name: "bad date", body: lcDoc(`<Rule><Filter/><Status>Enabled</Status><Expiration><Date>soon</Date></Expiration></Rule>`), code: "InvalidArgument"},
		{name: "marker with tag", body: lcDoc(`<Rule><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>`), code: "InvalidRequest"},
		{name: "noncurrent zero", body: lcDoc(`<Rule><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration></Rule>`), code: "InvalidArgument"},
		{name: "noncurrent missing days", body: lcDoc(`<Rule><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration></NoncurrentVersionExpiration></Rule>`), code: "MalformedXML"},
		{name: "abort zero", body: lcDoc(`<Rule><Filter/><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`), code: "InvalidArgument"},
		{name: "duplicate IDs", body: lcDoc(
			`<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`,
			`<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule>`), code: "InvalidArgument"},
		{name: "sizes inverted", body: lcDoc(`<Rule><Filter><And><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>5</ObjectSizeLessThan></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`), code: "InvalidArgument"},
		{name: "transition", body: lcDoc(`<Rule><Filter/><Status>Enabled</Status><Transition><Days>1</Days><StorageClass>GLACIER</StorageClass></Transition></Rule>`), code: "NotImplemented"},
		{name: "wrong root", body: `<Lifecycle><Rule/></Lifecycle>`, code: "MalformedXML"},
		{name: "empty", body: ``, code: "MalformedXML"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseLifecycleXML([]byte(c.body))
			code, msg := s3CodeMsg(err)
			if code != c.code {
				t.Fatalf("code %q (%s), want %q", code, msg, c.code)
			}
			if c.code != "" {
				return
			}
			if !reflect.DeepEqual(got.Rules, c.want) {
				t.Fatalf("rules\n got %+v\nwant %+v", got.Rules, c.want)
			}
			// What GET writes parses back to the same configuration.
			again, err := parseLifecycleXML(lifecycleBody(got))
			if err != nil {
				t.Fatalf("re-parse: %v\n%s", err, lifecycleBody(got))
			}
			e1, _ := lifecycle.Encode(got)
			e2, _ := lifecycle.Encode(again)
			if e1 != e2 {
				t.Fatalf("round trip changed the configuration:\n%s\n%s", e1, e2)
			}
		})
	}
}
