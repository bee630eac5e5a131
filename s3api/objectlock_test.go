package s3api

import (
	"fmt"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/data/lifecycle"
	"github.com/cairn-s3/cairn/meta"
)

func TestParseObjectLockConfig(t *testing.T) {
	const head = `<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>`
	rule := func(inner string) string {
		return head + `<Rule><DefaultRetention>` + inner + `</DefaultRetention></Rule></ObjectLockConfiguration>`
	}
	cases := []struct {
		name string
		body string
		want lockConfig
		code string
	}{
		{"enabled only", head + `</ObjectLockConfiguration>`, lockConfig{}, ""},
		{"governance days", rule(`<Mode>GOVERNANCE</Mode><Days>3</Days>`), lockConfig{Mode: "GOVERNANCE", Days: 3}, ""},
		{"compliance years", rule(`<Mode>COMPLIANCE</Mode><Years>2</Years>`), lockConfig{Mode: "COMPLIANCE", Years: 2}, ""},
		{"namespace", `<ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>`, lockConfig{}, ""},
		{"days and years", rule(`<Mode>GOVERNANCE</Mode><Days>3</Days><Years>1</Years>`), lockConfig{}, "MalformedXML"},
		{"no period", rule(`<Mode>GOVERNANCE</Mode>`), lockConfig{}, "MalformedXML"},
		{"no mode", rule(`<Days>3</Days>`), lockConfig{}, "MalformedXML"},
		{"bad mode", rule(`<Mode>STRICT</Mode><Days>3</Days>`), lockConfig{}, "MalformedXML"},
		{"zero days", rule(`<Mode>GOVERNANCE</Mode><Days>0</Days>`), lockConfig{}, "InvalidArgument"},
		{"negative years", rule(`<Mode>GOVERNANCE</Mode><Years>-1</Years>`), lockConfig{}, "InvalidArgument"},
		{"too many days", rule(`<Mode>GOVERNANCE</Mode><Days>36501</Days>`), lockConfig{}, "InvalidArgument"},
		{"days not a number", rule(`<Mode>GOVERNANCE</Mode><Days>x</Days>`), lockConfig{}, "MalformedXML"},
		{"empty rule", head + `<Rule></Rule></ObjectLockConfiguration>`, lockConfig{}, "MalformedXML"},
		{"disabled", `<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>`, lockConfig{}, "MalformedXML"},
		{"missing enabled", `<ObjectLockConfiguration></ObjectLockConfiguration>`, lockConfig{}, "MalformedXML"},
		{"empty", ``, lockConfig{}, "MalformedXML"},
	}
	for _, c := range cases {
		got, err := parseObjectLockConfig([]byte(c.body))
		code, msg := s3CodeMsg(err)
		if code != c.code {
			t.Errorf("%s: code %q (%s), want %q", c.name, code, msg, c.code)
			continue
		}
		if c.code == "" && got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestLockConfigStored(t *testing.T) {
	now := time.Date(2030, 1, 31, 12, 0, 0, 0, time.UTC)
	enc, err := encodeLockConfig(lockConfig{Mode: "COMPLIANCE", Days: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{}
	b := meta.Bucket{Name: "b", ObjectLock: true, Configs: map[string]string{meta.ConfigObjectLock: enc}}
	r, err := s.defaultRetention(b, now)
	if err != nil || r.Mode != "COMPLIANCE" || !r.Until.Equal(now.AddDate(0, 0, 1)) {
		t.Errorf("default retention %+v %v", r, err)
	}
	encY, _ := encodeLockConfig(lockConfig{Mode: "GOVERNANCE", Years: 1})
	b.Configs[meta.ConfigObjectLock] = encY
	if r, _ := s.defaultRetention(b, now); r.Mode != "GOVERNANCE" || !r.Until.Equal(now.AddDate(1, 0, 0)) {
		t.Errorf("years: %+v", r)
	}
	b.ObjectLock = false
	if r, _ := s.defaultRetention(b, now); r.Mode != "" {
		t.Errorf("bucket without lock got %+v", r)
	}
	b.ObjectLock = true
	b.Configs = nil
	if r, _ := s.defaultRetention(b, now); r.Mode != "" {
		t.Errorf("no configuration got %+v", r)
	}
	b.Configs = map[string]string{meta.ConfigObjectLock: "{"}
	if _, err := s.defaultRetention(b, now); err == nil {
		t.Error("corrupt configuration accepted")
	}
}

func TestParseRetentionBody(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		body string
		want data.Retention
		code string
	}{
		{`<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2030-02-01T00:00:00Z</RetainUntilDate></Retention>`,
			data.Retention{Mode: "GOVERNANCE", Until: time.Date(2030, 2, 1, 0, 0, 0, 0, time.UTC)}, ""},
		{`<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>2030-02-01T01:00:00.5+01:00</RetainUntilDate></Retention>`,
			data.Retention{Mode: "COMPLIANCE", Until: time.Date(2030, 2, 1, 0, 0, 0, 5e8, time.UTC)}, ""},
		{`<Retention></Retention>`, data.Retention{}, ""},
		{`<Retention><Mode>GOVERNANCE</Mode></Retention>`, data.Retention{}, "MalformedXML"},
		{`<Retention><RetainUntilDate>2030-02-01T00:00:00Z</RetainUntilDate></Retention>`, data.Retention{}, "MalformedXML"},
		{`<Retention><Mode>OTHER</Mode><RetainUntilDate>2030-02-01T00:00:00Z</RetainUntilDate></Retention>`, data.Retention{}, "MalformedXML"},
		{`<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2029-02-01T00:00:00Z</RetainUntilDate></Retention>`, data.Retention{}, "InvalidArgument"},
		{`<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>tomorrow</RetainUntilDate></Retention>`, data.Retention{}, "InvalidArgument"},
		{``, data.Retention{}, "MalformedXML"},
	}
	for _, c := range cases {
		got, err := parseRetentionBody([]byte(c.body), now)
		code, msg := s3CodeMsg(err)
		if code != c.code {
			t.Errorf("%s: code %q (%s), want %q", c.body, code, msg, c.code)
			continue
		}
		if c.code == "" && (got.Mode != c.want.Mode || !got.Until.Equal(c.want.Until)) {
			t.Errorf("%s: %+v, want %+v", c.body, got, c.want)
		}
	}
}

func TestRetentionChangeAllowed(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	gov := func(d time.Duration) data.Retention { return data.Retention{Mode: "GOVERNANCE", Until: now.Add(d)} }
	comp := func(d time.Duration) data.Retention { return data.Retention{Mode: "COMPLIANCE", Until: now.Add(d)} }
	none := data.Retention{}
	cases := []struct {
		name       string
		cur, next  data.Retention
		bypass     bool
		wantAllows bool
	}{
		{"set on none", none, gov(day), false, true},
		{"expired governance removed", gov(-day), none, false, true},
		{"expired compliance shortened", comp(-day), comp(-2 * day), false, true},
		{"governance extended", gov(day), gov(2 * day), false, true},
		{"governance kept", gov(day), gov(day), false, true},
		{"governance to compliance", gov(day), comp(day), false, true},
		{"governance shortened", gov(2 * day), gov(day), false, false},
		{"governance shortened with bypass", gov(2 * day), gov(day), true, true},
		{"governance removed", gov(day), none, false, false},
		{"governance removed with bypass", gov(day), none, true, true},
		{"compliance extended", comp(day), comp(2 * day), false, true},
		{"compliance shortened", comp(2 * day), comp(day), false, false},
		{"compliance shortened with bypass", comp(2 * day), comp(day), true, false},
		{"compliance to governance", comp(day), gov(2 * day), true, false},
		{"compliance removed with bypass", comp(day), none, true, false},
	}
	for _, c := range cases {
		if got := retentionChangeAllowed(c.cur, c.next, now, c.bypass); got != c.wantAllows {
			t.Errorf("%s: allowed = %v, want %v", c.name, got, c.wantAllows)
		}
	}
}

func TestProtected(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		m      data.VersionMeta
		bypass bool
		want   bool
	}{
		{"nothing", data.VersionMeta{}, false, false},
		{"legal hold", data.VersionMeta{LegalHold: true}, true, true},
		{"governance", data.VersionMeta{Retention: data.Retention{Mode: "GOVERNANCE", Until: now.Add(time.Hour)}}, false, true},
		{"governance bypassed", data.VersionMeta{Retention: data.Retention{Mode: "GOVERNANCE", Until: now.Add(time.Hour)}}, true, false},
		{"compliance", data.VersionMeta{Retention: data.Retention{Mode: "COMPLIANCE", Until: now.Add(time.Hour)}}, true, true},
		{"expired compliance", data.VersionMeta{Retention: data.Retention{Mode: "COMPLIANCE", Until: now.Add(-time.Hour)}}, false, false},
		{"until now", data.VersionMeta{Retention: data.Retention{Mode: "COMPLIANCE", Until: now}}, false, false},
	}
	for _, c := range cases {
		if got := protected(c.m, now, c.bypass); got != c.want {
			t.Errorf("%s: protected = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestParseLegalHoldBody(t *testing.T) {
	cases := []struct {
		body string
		on   bool
		code string
	}{
		{`<LegalHold><Status>ON</Status></LegalHold>`, true, ""},
		{`<LegalHold xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>OFF</Status></LegalHold>`, false, ""},
		{`<LegalHold><Status>on</Status></LegalHold>`, false, "MalformedXML"},
		{`<LegalHold></LegalHold>`, false, "MalformedXML"},
		{`<Hold><Status>ON</Status></Hold>`, false, "MalformedXML"},
	}
	for _, c := range cases {
		on, err := parseLegalHoldBody([]byte(c.body))
		if code, msg := s3CodeMsg(err); code != c.code || on != c.on {
			t.Errorf("%s: %v %q (%s), want %v %q", c.body, on, code, msg, c.on, c.code)
		}
	}
}

func TestParseVersioningConfig(t *testing.T) {
	cases := []struct {
		body, want, code string
	}{
		{`<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`, "Enabled", ""},
		{`<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Suspended</Status></VersioningConfiguration>`, "Suspended", ""},
		{`<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>`, "Enabled", ""},
		{`<VersioningConfiguration></VersioningConfiguration>`, "", ""},
		{`<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Enabled</MfaDelete></VersioningConfiguration>`, "", "NotImplemented"},
		{`<VersioningConfiguration><MfaDelete>Maybe</MfaDelete></VersioningConfiguration>`, "", "MalformedXML"},
		{`<VersioningConfiguration><Status>enabled</Status></VersioningConfiguration>`, "", "MalformedXML"},
		{`<VersioningConfiguration><Status>Disabled</Status></VersioningConfiguration>`, "", "MalformedXML"},
		{`<Versioning><Status>Enabled</Status></Versioning>`, "", "MalformedXML"},
		{``, "", "MalformedXML"},
	}
	for _, c := range cases {
		got, err := parseVersioningConfig([]byte(c.body))
		if code, msg := s3CodeMsg(err); code != c.code || got != c.want {
			t.Errorf("%s: %q %q (%s), want %q %q", c.body, got, code, msg, c.want, c.code)
		}
	}
}

func TestAddLockConditions(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	b := condBuilder{m: map[string][]string{}}
	addLockConditions(&b, testHeaders("X-Amz-Object-Lock-Mode", "COMPLIANCE",
		"x-amz-object-lock-retain-until-date", "2030-01-03T00:00:01Z", "x-amz-object-lock-legal-hold", "ON"), now)
	want := map[string]string{
		"s3:object-lock-mode": "COMPLIANCE", "s3:object-lock-retain-until-date": "2030-01-03T00:00:01Z",
		"s3:object-lock-remaining-retention-days": "3", "s3:object-lock-legal-hold": "ON",
	}
	if len(b.m) != len(want) {
		t.Fatalf("conditions %v", b.m)
	}
	for k, v := range want {
		if got := b.m[k]; len(got) != 1 || got[0] != v {
			t.Errorf("%s = %v, want %s", k, got, v)
		}
	}
	none := condBuilder{m: map[string][]string{}}
	addLockConditions(&none, testHeaders("x-amz-object-lock-retain-until-date", "yesterday"), now)
	if len(none.m) != 1 || none.m["s3:object-lock-retain-until-date"][0] != "yesterday" {
		t.Errorf("unparsable date: %v", none.m)
	}
}

// TestIssue4ErrorRows checks the AWS code, status and message of the
// errors of versioning, tagging, object lock and lifecycle.
func TestIssue4ErrorRows(t *testing.T) {
	cases := []struct {
		err    error
		code   string
		status int
		msg    string
	}{
		{fmt.Errorf("b/k version v: %w", data.ErrObjectLocked), "AccessDenied", 403, "Access Denied because object protected by object lock."},
		{s3err(ErrObjectLockNotEnabled), "InvalidRequest", 400, "Bucket is missing Object Lock Configuration"},
		{s3err(ErrNoSuchTagSet), "NoSuchTagSet", 404, "The TagSet does not exist"},
		{s3err(ErrNoSuchLifecycleConfiguration), "NoSuchLifecycleConfiguration", 404, "The lifecycle configuration does not exist"},
		{s3err(ErrNoSuchObjectLockConfiguration), "ObjectLockConfigurationNotFoundError", 404, "Object Lock configuration does not exist for this bucket"},
		{s3err(ErrNoSuchObjectLockRetention), "NoSuchObjectLockConfiguration", 404, "The specified object does not have a ObjectLock configuration"},
		{s3err(ErrInvalidBucketState), "InvalidBucketState", 409, "The request is not valid with the current state of the bucket."},
		{s3err(ErrInvalidTag), "InvalidTag", 400, "The tag provided was not a valid tag."},
		{lifecycleError(&lifecycle.Error{Code: lifecycle.CodeInvalidRequest, Message: "m1"}), "InvalidRequest", 400, "m1"},
		{lifecycleError(&lifecycle.Error{Code: lifecycle.CodeMalformedXML, Message: "m2"}), "MalformedXML", 400, "m2"},
		{lifecycleError(&lifecycle.Error{Code: lifecycle.CodeInvalidArgument, Message: "m3"}), "InvalidArgument", 400, "m3"},
	}
	for _, c := range cases {
		e := toS3Error(c.err)
		if e.Code.spec().Code != c.code || e.Status() != c.status || e.message() != c.msg {
			t.Errorf("%v: %s %d %q, want %s %d %q", c.err, e.Code.spec().Code, e.Status(), e.message(), c.code, c.status, c.msg)
		}
	}
}
