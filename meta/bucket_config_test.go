package meta

import (
	"errors"
	"testing"
)

func TestSetBucketConfig(t *testing.T) {
	s := openTest(t, t.TempDir())
	locked, err := CreateBucketCommand(Bucket{Name: "locked", Created: testTime, Versioning: VersioningEnabled, ObjectLock: true})
	if err != nil {
		t.Fatal(err)
	}
	idx := uint64(0)
	apply := func(c Command, cerr error) error {
		t.Helper()
		if cerr != nil {
			return cerr
		}
		idx++
		return s.Apply(idx, c)
	}
	if err := apply(mkCreate(t, "plain"), nil); err != nil {
		t.Fatal(err)
	}
	if err := apply(locked, nil); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name    string
		cmd     func() (Command, error)
		wantErr error
		check   func(Bucket, Bucket) bool
	}{
		{"set cors", func() (Command, error) { return SetBucketConfigCommand("plain", ConfigCORS, "<x/>", false) }, nil,
			func(p, _ Bucket) bool { return p.Configs[ConfigCORS] == "<x/>" }},
		{"replace cors", func() (Command, error) { return SetBucketConfigCommand("plain", ConfigCORS, "<y/>", false) }, nil,
			func(p, _ Bucket) bool { return p.Configs[ConfigCORS] == "<y/>" }},
		{"set tagging", func() (Command, error) { return SetBucketConfigCommand("plain", ConfigTagging, "{}", false) }, nil,
			func(p, _ Bucket) bool { return len(p.Configs) == 2 }},
		{"delete cors", func() (Command, error) { return SetBucketConfigCommand("plain", ConfigCORS, "", true) }, nil,
			func(p, _ Bucket) bool { _, ok := p.Configs[ConfigCORS]; return !ok && len(p.Configs) == 1 }},
		{"object lock on a plain bucket", func() (Command, error) {
			return SetBucketConfigCommand("plain", ConfigObjectLock, "{}", false)
		}, ErrInvalidArgument, nil},
		{"object lock on a locked bucket", func() (Command, error) {
			return SetBucketConfigCommand("locked", ConfigObjectLock, "{}", false)
		}, nil, func(_, l Bucket) bool { return l.Configs[ConfigObjectLock] == "{}" }},
		{"suspend versioning with object lock", func() (Command, error) {
			return PutBucketVersioningCommand("locked", VersioningSuspended)
		}, ErrInvalidArgument, nil},
		{"unknown kind", func() (Command, error) { return SetBucketConfigCommand("plain", "website", "x", false) }, ErrInvalidArgument, nil},
		{"value and delete", func() (Command, error) { return SetBucketConfigCommand("plain", ConfigCORS, "x", true) }, ErrInvalidArgument, nil},
		{"missing bucket", func() (Command, error) { return SetBucketConfigCommand("nope", ConfigCORS, "x", false) }, ErrNoSuchBucket, nil},
	}
	for _, st := range steps {
		c, cerr := st.cmd()
		if cerr == nil {
			cerr = c.Validate()
		}
		var err error
		if cerr != nil {
			err = cerr
		} else {
			err = apply(c, nil)
		}
		if st.wantErr != nil {
			if !errors.Is(err, st.wantErr) {
				t.Errorf("%s: err %v, want %v", st.name, err, st.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		p, _ := s.Bucket("plain")
		l, _ := s.Bucket("locked")
		if !st.check(p, l) {
			t.Errorf("%s: plain %+v locked %+v", st.name, p.Configs, l.Configs)
		}
	}
	// Configurations survive a reopen.
	dir := t.TempDir()
	s2 := openTest(t, dir)
	c, _ := CreateBucketCommand(Bucket{Name: "keep", Created: testTime})
	if err := s2.Apply(1, c); err != nil {
		t.Fatal(err)
	}
	c, _ = SetBucketConfigCommand("keep", ConfigLifecycle, "rules", false)
	if err := s2.Apply(2, c); err != nil {
		t.Fatal(err)
	}
	s2.Close()
	s3 := openTest(t, dir)
	if b, _ := s3.Bucket("keep"); b.Configs[ConfigLifecycle] != "rules" {
		t.Fatalf("after reopen: %+v", b.Configs)
	}
}
