package lifecycle

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func i64(v int64) *int64 { return &v }

func TestValidate(t *testing.T) {
	days := func(n int) *Expiration { return &Expiration{Days: n} }
	ok := Rule{ID: "r", Status: StatusEnabled, Expiration: days(1)}
	midnight := time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)
	many := make([]Rule, MaxRules+1)
	for i := range many {
		many[i] = Rule{Status: StatusEnabled, Expiration: days(1)}
	}
	tests := []struct {
		name  string
		rules []Rule
		code  string // "" = valid
		msg   string // substring of the message
	}{
		{"one rule", []Rule{ok}, "", ""},
		{"no rules", nil, CodeMalformedXML, "not well-formed"},
		{"too many rules", many, CodeInvalidRequest, "1000"},
		{"max rules", many[:MaxRules], "", ""},
		{"duplicate ID", []Rule{ok, ok}, CodeInvalidArgument, "Rule ID must be unique"},
		{"empty IDs repeat", []Rule{{Status: StatusEnabled, Expiration: days(1)}, {Status: StatusEnabled, Expiration: days(2)}}, "", ""},
		{"ID too long", []Rule{{ID: strings.Repeat("x", 256), Status: StatusEnabled, Expiration: days(1)}}, CodeInvalidArgument, "255"},
		{"ID 255 runes", []Rule{{ID: strings.Repeat("é", 255), Status: StatusEnabled, Expiration: days(1)}}, "", ""},
		{"bad status", []Rule{{Status: "enabled", Expiration: days(1)}}, CodeMalformedXML, ""},
		{"no action", []Rule{{Status: StatusEnabled}}, CodeInvalidRequest, "At least one action"},
		{"zero days", []Rule{{Status: StatusEnabled, Expiration: &Expiration{}}}, CodeMalformedXML, ""},
		{"negative days", []Rule{{Status: StatusEnabled, Expiration: days(-1)}}, CodeInvalidArgument, "'Days'"},
		{"date at midnight", []Rule{{Status: StatusEnabled, Expiration: &Expiration{Date: midnight}}}, "", ""},
		{"date not midnight", []Rule{{Status: StatusEnabled, Expiration: &Expiration{Date: midnight.Add(time.Hour)}}}, CodeInvalidArgument, "midnight"},
		{"date midnight elsewhere", []Rule{{Status: StatusEnabled, Expiration: &Expiration{Date: time.Date(2030, 1, 2, 0, 0, 0, 0, time.FixedZone("x", 3600))}}}, CodeInvalidArgument, "midnight"},
		{"days and date", []Rule{{Status: StatusEnabled, Expiration: &Expiration{Days: 1, Date: midnight}}}, CodeMalformedXML, ""},
		{"marker with days", []Rule{{Status: StatusEnabled, Expiration: &Expiration{Days: 1, ExpiredObjectDeleteMarker: true}}}, CodeInvalidRequest, "ExpiredObjectDeleteMarker"},
		{"marker with tags", []Rule{{Status: StatusEnabled, Filter: Filter{Tags: []Tag{{"a", "b"}}}, Expiration: &Expiration{ExpiredObjectDeleteMarker: true}}}, CodeInvalidRequest, "Tags"},
		{"noncurrent zero", []Rule{{Status: StatusEnabled, NoncurrentVersionExpiration: &NoncurrentVersionExpiration{}}}, CodeInvalidArgument, "NoncurrentDays"},
		{"newer noncurrent 101", []Rule{{Status: StatusEnabled, NoncurrentVersionExpiration: &NoncurrentVersionExpiration{NoncurrentDays: 1, NewerNoncurrentVersions: 101}}}, CodeInvalidArgument, "NewerNoncurrentVersions"},
		{"abort zero", []Rule{{Status: StatusEnabled, AbortIncompleteMultipartUpload: &AbortIncompleteMultipartUpload{}}}, CodeInvalidArgument, "DaysAfterInitiation"},
		{"abort with tags", []Rule{{Status: StatusEnabled, Filter: Filter{Tags: []Tag{{"a", "b"}}}, AbortIncompleteMultipartUpload: &AbortIncompleteMultipartUpload{DaysAfterInitiation: 1}}}, CodeInvalidRequest, "Tags"},
		{"duplicate tag", []Rule{{Status: StatusEnabled, Filter: Filter{Tags: []Tag{{"a", "b"}, {"a", "c"}}}, Expiration: days(1)}}, CodeInvalidArgument, "Duplicate"},
		{"empty tag key", []Rule{{Status: StatusEnabled, Filter: Filter{Tags: []Tag{{"", "b"}}}, Expiration: days(1)}}, CodeInvalidArgument, "TagKey"},
		{"long tag value", []Rule{{Status: StatusEnabled, Filter: Filter{Tags: []Tag{{"a", strings.Repeat("v", 257)}}}, Expiration: days(1)}}, CodeInvalidArgument, "TagValue"},
		{"size bounds", []Rule{{Status: StatusEnabled, Filter: Filter{ObjectSizeGreaterThan: i64(10), ObjectSizeLessThan: i64(10)}, Expiration: days(1)}}, CodeInvalidArgument, "ObjectSizeGreaterThan"},
		{"size ok", []Rule{{Status: StatusEnabled, Filter: Filter{ObjectSizeGreaterThan: i64(0), ObjectSizeLessThan: i64(10)}, Expiration: days(1)}}, "", ""},
		{"disabled still validated", []Rule{{Status: StatusDisabled, Expiration: days(0)}}, CodeMalformedXML, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Configuration{Rules: tc.rules}.Validate()
			if tc.code == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var ve *Error
			if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate = %v, want *Error", err)
			}
			if ve.Code != tc.code || !strings.Contains(ve.Message, tc.msg) {
				t.Fatalf("Validate = %s %q, want %s containing %q", ve.Code, ve.Message, tc.code, tc.msg)
			}
		})
	}
}

func TestEncodeCanonical(t *testing.T) {
	loc := time.FixedZone("east", 3600)
	a := Configuration{Rules: []Rule{{
		ID: "r1", Status: StatusEnabled,
		Filter:     Filter{Prefix: "logs/", Tags: []Tag{{"b", "2"}, {"a", "1"}}, ObjectSizeGreaterThan: i64(0)},
		Expiration: &Expiration{Date: time.Date(2030, 1, 2, 1, 0, 0, 0, loc)},
	}, {
		Status:                         StatusDisabled,
		NoncurrentVersionExpiration:    &NoncurrentVersionExpiration{NoncurrentDays: 3, NewerNoncurrentVersions: 2},
		AbortIncompleteMultipartUpload: &AbortIncompleteMultipartUpload{DaysAfterInitiation: 7},
	}}}
	b := a
	b.Rules = append([]Rule(nil), a.Rules...)
	b.Rules[0].Filter.Tags = []Tag{{"a", "1"}, {"b", "2"}}
	b.Rules[0].Expiration = &Expiration{Date: time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)}
	ea, err := Encode(a)
	if err != nil {
		t.Fatal(err)
	}
	eb, err := Encode(b)
	if err != nil {
		t.Fatal(err)
	}
	if ea != eb {
		t.Fatalf("equal configurations encode differently:\n%s\n%s", ea, eb)
	}
	if a.Rules[0].Filter.Tags[0].Key != "b" {
		t.Fatal("Encode reordered the caller's tags")
	}
	if !strings.HasPrefix(ea, `{"v":1,`) {
		t.Fatalf("encoding lacks its version: %s", ea)
	}
	d, err := Decode(ea)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Encode(d)
	if err != nil || again != ea {
		t.Fatalf("round trip: %v\n%s\n%s", err, again, ea)
	}
	if gt := d.Rules[0].Filter.ObjectSizeGreaterThan; gt == nil || *gt != 0 {
		t.Fatal("ObjectSizeGreaterThan 0 lost in the round trip")
	}
	if _, err := Encode(Configuration{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Encode of an invalid configuration: %v", err)
	}
	for _, bad := range []string{`{"v":2,"rules":[]}`, `{"v":1,"rules":[]}`, `nope`} {
		if _, err := Decode(bad); err == nil {
			t.Errorf("Decode(%s) succeeded", bad)
		}
	}
}
