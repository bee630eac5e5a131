package s3api

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseIAMForm(t *testing.T) {
	tests := []struct {
		name  string
		query string
		body  string
		want  map[string]string
		code  string // expected error code, "" for success
	}{
		{name: "simple", body: "Action=CreateUser&Version=2010-05-08&UserName=alice",
			want: map[string]string{"Action": "CreateUser", "Version": "2010-05-08", "UserName": "alice"}},
		{name: "plus and escapes", body: "Action=PutUserPolicy&PolicyDocument=%7B%22a%22%3A+1%7D",
			want: map[string]string{"Action": "PutUserPolicy", "PolicyDocument": `{"a": 1}`}},
		{name: "empty value and no equals", body: "Action=X&Path=&Flag",
			want: map[string]string{"Action": "X", "Path": "", "Flag": ""}},
		{name: "query then body, first wins", query: "Action=GetUser&UserName=q", body: "UserName=b&Extra=1",
			want: map[string]string{"Action": "GetUser", "UserName": "q", "Extra": "1"}},
		{name: "repeated in body, first wins", body: "A=1&A=2",
			want: map[string]string{"A": "1"}},
		{name: "lone plus is a space", body: "A=+&B=a+%2B",
			want: map[string]string{"A": " ", "B": "a +"}},
		{name: "empty parts skipped", body: "&&Action=X&&",
			want: map[string]string{"Action": "X"}},
		{name: "bad escape in value", body: "Action=X&UserName=%zz", code: "ValidationError"},
		{name: "bad escape in name", body: "%G1=x", code: "ValidationError"},
		{name: "truncated escape", body: "Action=%4", code: "ValidationError"},
		{name: "too many params", body: strings.Repeat("a=b&", 1) + manyParams(maxFormParams+1), code: "ValidationError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parseIAMForm(tc.query, []byte(tc.body))
			if tc.code != "" {
				if got := codeOf(err); got != tc.code {
					t.Fatalf("error %v (code %q), want %s", err, got, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.vals, tc.want) {
				t.Errorf("got %q, want %q", f.vals, tc.want)
			}
		})
	}
}

func manyParams(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("p")
		b.WriteString(strconv.Itoa(i))
		b.WriteString("=1&")
	}
	return b.String()
}

// codeOf is the AWS code of an error as the IAM API writes it.
func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return queryCode(toS3Error(err).Code).spec().Code
}

func TestIAMFormMembers(t *testing.T) {
	f, err := parseIAMForm("", []byte("ActionNames.member.1=s3%3AGetObject&ActionNames.member.2=s3:PutObject"+
		"&ActionNames.member.4=gap&ResourceArns.member.1=arn%3Aaws%3As3%3A%3A%3Ab%2Fk"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"ActionNames", []string{"s3:GetObject", "s3:PutObject"}}, // stops at the gap
		{"ResourceArns", []string{"arn:aws:s3:::b/k"}},
		{"Missing", nil},
	}
	for _, tc := range tests {
		if got := f.members(tc.prefix); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("members(%s) = %q, want %q", tc.prefix, got, tc.want)
		}
	}
}

func TestIAMFormContextEntries(t *testing.T) {
	tests := []struct {
		body string
		want []contextEntry
		code string
	}{
		{body: "", want: nil},
		{
			body: "ContextEntries.member.1.ContextKeyName=s3%3Aprefix&ContextEntries.member.1.ContextKeyValues.member.1=home%2F" +
				"&ContextEntries.member.1.ContextKeyValues.member.2=&ContextEntries.member.1.ContextKeyType=stringList" +
				"&ContextEntries.member.2.ContextKeyName=aws:SourceIp&ContextEntries.member.2.ContextKeyValues.member.1=10.0.0.1" +
				"&ContextEntries.member.2.ContextKeyType=ip",
			want: []contextEntry{
				{Name: "s3:prefix", Values: []string{"home/", ""}, Type: "stringList"},
				{Name: "aws:SourceIp", Values: []string{"10.0.0.1"}, Type: "ip"},
			},
		},
		{body: "ContextEntries.member.1.ContextKeyValues.member.1=x", code: "ValidationError"},
		{body: "ContextEntries.member.1.ContextKeyName=", code: "ValidationError"},
	}
	for _, tc := range tests {
		f, err := parseIAMForm("", []byte(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.contextEntries()
		if codeOf(err) != tc.code {
			t.Errorf("%q: error %v, want code %q", tc.body, err, tc.code)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %+v, want %+v", tc.body, got, tc.want)
		}
	}
}

func TestIAMFormTypedValues(t *testing.T) {
	f, err := parseIAMForm("", []byte("Uid=1001&BadUid=-1&Big=4294967296&T=true&F=FALSE&B=yes"+
		"&D=1800&E=2030-01-02T03:04:05Z&EDate=2030-01-02&EBad=tomorrow&EEmpty="))
	if err != nil {
		t.Fatal(err)
	}
	if u, err := f.optUint32("Uid"); err != nil || u == nil || *u != 1001 {
		t.Errorf("Uid: %v %v", u, err)
	}
	for _, p := range []string{"BadUid", "Big"} {
		if _, err := f.optUint32(p); codeOf(err) != "ValidationError" {
			t.Errorf("%s: %v", p, err)
		}
	}
	if u, err := f.optUint32("Absent"); u != nil || err != nil {
		t.Errorf("Absent: %v %v", u, err)
	}
	if b, err := f.optBool("T"); err != nil || b == nil || !*b {
		t.Errorf("T: %v %v", b, err)
	}
	if b, err := f.optBool("F"); err != nil || b == nil || *b {
		t.Errorf("F: %v %v", b, err)
	}
	if _, err := f.optBool("B"); codeOf(err) != "ValidationError" {
		t.Errorf("B: %v", err)
	}
	if n, err := f.intIn("D", 900, 43200, 3600); err != nil || n != 1800 {
		t.Errorf("D: %d %v", n, err)
	}
	if n, err := f.intIn("Absent", 900, 43200, 3600); err != nil || n != 3600 {
		t.Errorf("default: %d %v", n, err)
	}
	if _, err := f.intIn("D", 900, 1000, 900); codeOf(err) != "ValidationError" {
		t.Errorf("out of range: %v", err)
	}
	want := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	if tm, err := f.optTime("E"); err != nil || !tm.Equal(want) {
		t.Errorf("E: %v %v", tm, err)
	}
	if tm, err := f.optTime("EDate"); err != nil || !tm.Equal(time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("EDate: %v %v", tm, err)
	}
	if tm, err := f.optTime("EEmpty"); err != nil || tm == nil || !tm.IsZero() {
		t.Errorf("EEmpty: %v %v", tm, err)
	}
	if _, err := f.optTime("EBad"); codeOf(err) != "ValidationError" {
		t.Errorf("EBad: %v", err)
	}
	if _, err := f.required("Nope"); codeOf(err) != "ValidationError" || !strings.Contains(err.Error(), "'nope'") {
		t.Errorf("required: %v", err)
	}
}

// FuzzIAMForm checks that the form parser never panics, bounds its work,
// and that whatever it accepts reads back consistently.
func FuzzIAMForm(f *testing.F) {
	f.Add("Action=GetUser", []byte("UserName=alice&Version=2010-05-08"))
	f.Add("", []byte("ActionNames.member.1=s3%3AGetObject&ContextEntries.member.1.ContextKeyName=k&ContextEntries.member.1.ContextKeyValues.member.1=v"))
	f.Add("%zz", []byte("a=%"))
	f.Add("", []byte("a=b&a=c&&=&+=+"))
	f.Fuzz(func(t *testing.T, query string, body []byte) {
		form, err := parseIAMForm(query, body)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != ErrIAMValidationError {
				t.Fatalf("error %v is not a ValidationError", err)
			}
			return
		}
		if len(form.vals) > maxFormParams {
			t.Fatalf("%d params accepted", len(form.vals))
		}
		for _, p := range []string{"ActionNames", "ResourceArns"} {
			if len(form.members(p)) > maxMembers {
				t.Fatalf("too many members")
			}
		}
		entries, err := form.contextEntries()
		if err == nil {
			for _, e := range entries {
				if e.Name == "" {
					t.Fatal("context entry without a name accepted")
				}
			}
		}
		for k, v := range form.vals {
			if got, ok := form.lookup(k); !ok || got != v {
				t.Fatalf("lookup(%q) = %q, %v", k, got, ok)
			}
		}
	})
}
