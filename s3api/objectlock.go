package s3api

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/meta"
)

// Object lock (WORM). A bucket created with x-amz-bucket-object-lock-enabled
// has meta.Bucket.ObjectLock and versioning Enabled for ever. Its
// configuration (meta.ConfigObjectLock) holds only the optional default
// retention, as canonical JSON of lockConfig. Each version carries its own
// data.Retention and legal hold (data.VersionMeta), set at write time
// (headers or the default) or later (PutObjectRetention/LegalHold).
//
// A version is protected while it has a legal hold or a retain-until date
// in the future. Protected versions cannot be removed (DeleteOptions.Guard);
// a DELETE without versionId only adds a marker and is always allowed.
// GOVERNANCE retention gives way to x-amz-bypass-governance-retention: true
// from a caller allowed s3:BypassGovernanceRetention; COMPLIANCE gives way
// to nobody and can only be extended.

// Retention modes and legal-hold statuses.
const (
	lockGovernance = "GOVERNANCE"
	lockCompliance = "COMPLIANCE"
	legalHoldOn    = "ON"
	legalHoldOff   = "OFF"
)

// maxRetentionDays bounds a default retention (100 years), so retain-until
// dates stay representable; AWS documents no smaller limit.
const maxRetentionDays = 36500

// lockConfig is the stored object-lock configuration: the default
// retention applied to new versions (Mode "" = none).
type lockConfig struct {
	Mode  string `json:"mode,omitempty"`
	Days  int    `json:"days,omitempty"`
	Years int    `json:"years,omitempty"`
}

func encodeLockConfig(c lockConfig) (string, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("encoding object lock configuration: %w", err)
	}
	return string(b), nil
}

// bucketLockConfig returns b's stored object-lock configuration (zero when
// none).
func bucketLockConfig(b meta.Bucket) (lockConfig, error) {
	var c lockConfig
	v, ok := b.Configs[meta.ConfigObjectLock]
	if !ok || v == "" {
		return c, nil
	}
	if err := json.Unmarshal([]byte(v), &c); err != nil {
		return c, fmt.Errorf("decoding object lock configuration of %s: %w", b.Name, err)
	}
	return c, nil
}

// until is the retain-until date of a version written at now under c.
func (c lockConfig) until(now time.Time) time.Time {
	return now.UTC().AddDate(c.Years, 0, c.Days)
}

// defaultRetention is the retention a new version of b gets when its
// request names none: the bucket's default retention from now, or none.
// Every write path (PUT, Complete, Copy) applies it.
func (s *Server) defaultRetention(b meta.Bucket, now time.Time) (data.Retention, error) {
	if !b.ObjectLock {
		return data.Retention{}, nil
	}
	c, err := bucketLockConfig(b)
	if err != nil || c.Mode == "" {
		return data.Retention{}, err
	}
	return data.Retention{Mode: c.Mode, Until: c.until(now)}, nil
}

// lockMetaFromHeaders returns the retention and legal hold a write to b
// asks for with x-amz-object-lock-mode, -retain-until-date and
// -legal-hold, else the bucket's default retention. The headers need a
// bucket with object lock, and the caller's s3:PutObjectRetention /
// s3:PutObjectLegalHold permission, as in AWS. Tags are left unset.
// PutObject, CreateMultipartUpload and CopyObject call it.
func (s *Server) lockMetaFromHeaders(rq *request, b meta.Bucket) (data.VersionMeta, error) {
	var m data.VersionMeta
	mode := rq.hdr.get("x-amz-object-lock-mode")
	until := rq.hdr.get("x-amz-object-lock-retain-until-date")
	hold := rq.hdr.get("x-amz-object-lock-legal-hold")
	if mode == "" && until == "" && hold == "" {
		r, err := s.defaultRetention(b, rq.now)
		m.Retention = r
		return m, err
	}
	if !b.ObjectLock {
		return m, s3err(ErrObjectLockNotEnabled)
	}
	if mode != "" || until != "" {
		if mode == "" || until == "" {
			return m, s3errf(ErrInvalidArgument, "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied")
		}
		r, err := parseRetention(mode, until, rq.now)
		if err != nil {
			return m, err
		}
		if err := s.authorize(rq, "s3:PutObjectRetention", rq.op.Key); err != nil {
			return m, err
		}
		m.Retention = r
	} else {
		r, err := s.defaultRetention(b, rq.now)
		if err != nil {
			return m, err
		}
		m.Retention = r
	}
	if hold != "" {
		on, err := parseLegalHold(hold)
		if err != nil {
			return m, err
		}
		if err := s.authorize(rq, "s3:PutObjectLegalHold", rq.op.Key); err != nil {
			return m, err
		}
		m.LegalHold = on
	}
	return m, nil
}

// parseRetention checks a mode and an ISO 8601 retain-until date, which
// must be in the future.
func parseRetention(mode, until string, now time.Time) (data.Retention, error) {
	if mode != lockGovernance && mode != lockCompliance {
		return data.Retention{}, s3errf(ErrInvalidArgument, "Unknown wormMode directive.").with("ArgumentName", "x-amz-object-lock-mode").with("ArgumentValue", mode)
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(until))
	if err != nil {
		return data.Retention{}, s3errf(ErrInvalidArgument, "The retain until date must be an ISO 8601 date and time.").with("ArgumentName", "x-amz-object-lock-retain-until-date").with("ArgumentValue", until)
	}
	if !t.After(now) {
		return data.Retention{}, s3errf(ErrInvalidArgument, "The retain until date must be in the future!")
	}
	return data.Retention{Mode: mode, Until: t.UTC()}, nil
}

func parseLegalHold(v string) (bool, error) {
	switch v {
	case legalHoldOn:
		return true, nil
	case legalHoldOff:
		return false, nil
	}
	return false, s3errf(ErrInvalidArgument, "Legal Hold must be either of 'ON' or 'OFF'").with("ArgumentName", "x-amz-object-lock-legal-hold").with("ArgumentValue", v)
}

// protected reports whether a version may not be removed now: a legal
// hold, or an unexpired retention (GOVERNANCE unless bypass).
func protected(m data.VersionMeta, now time.Time, bypass bool) bool {
	if m.LegalHold {
		return true
	}
	if m.Retention.Mode == "" || !m.Retention.Until.After(now) {
		return false
	}
	return m.Retention.Mode == lockCompliance || !bypass
}

// governanceBypass reports whether the request asks to bypass GOVERNANCE
// retention and may: x-amz-bypass-governance-retention: true and the
// s3:BypassGovernanceRetention permission on key.
func (s *Server) governanceBypass(rq *request, key string) bool {
	if !strings.EqualFold(rq.hdr.get("x-amz-bypass-governance-retention"), "true") {
		return false
	}
	return s.authorize(rq, "s3:BypassGovernanceRetention", key) == nil
}

// lockGuard refuses removing a protected version (delete markers carry no
// protection). It runs under the key's lock in the object layer; the
// bypass permission is asked for only when it matters.
func (s *Server) lockGuard(rq *request, key string) func(data.ObjectInfo) error {
	return func(info data.ObjectInfo) error {
		if info.DeleteMarker {
			return nil
		}
		if protected(info.Meta, rq.now, false) && protected(info.Meta, rq.now, s.governanceBypass(rq, key)) {
			return fmt.Errorf("%s/%s version %s: %w", info.Bucket, info.Key, info.VersionID, data.ErrObjectLocked)
		}
		return nil
	}
}

// setLockHeaders adds the version's object-lock state to GET/HEAD, when
// the caller may read it (AWS sends them only then).
func (s *Server) setLockHeaders(rq *request, b meta.Bucket, r *response, info data.ObjectInfo) {
	if !b.ObjectLock {
		return
	}
	if ret := info.Meta.Retention; ret.Mode != "" && s.authorize(rq, "s3:GetObjectRetention", rq.op.Key) == nil {
		r.set("x-amz-object-lock-mode", ret.Mode)
		r.set("x-amz-object-lock-retain-until-date", ret.Until.UTC().Format(time.RFC3339))
	}
	if s.authorize(rq, "s3:GetObjectLegalHold", rq.op.Key) == nil {
		st := legalHoldOff
		if info.Meta.LegalHold {
			st = legalHoldOn
		}
		r.set("x-amz-object-lock-legal-hold", st)
	}
}

// addLockConditions adds the object-lock condition keys of a write from
// its x-amz-object-lock-* headers, as sent (remaining days computed from
// the retain-until date, rounded up).
func addLockConditions(b *condBuilder, h *headers, now time.Time) {
	if v := h.get("x-amz-object-lock-mode"); v != "" {
		b.add("s3:object-lock-mode", v)
	}
	if v := h.get("x-amz-object-lock-retain-until-date"); v != "" {
		b.add("s3:object-lock-retain-until-date", v)
		if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(v)); err == nil && t.After(now) {
			days := int64((t.Sub(now) + 24*time.Hour - 1) / (24 * time.Hour))
			b.add("s3:object-lock-remaining-retention-days", strconv.FormatInt(days, 10))
		}
	}
	if v := h.get("x-amz-object-lock-legal-hold"); v != "" {
		b.add("s3:object-lock-legal-hold", v)
	}
}
