package s3api

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/meta"
)

// The object-lock API: Put/GetObjectLockConfiguration,
// Put/GetObjectRetention and Put/GetObjectLegalHold (rules in objectlock.go).

// objectLockConfigXML is PutObjectLockConfiguration's body.
type objectLockConfigXML struct {
	XMLName           xml.Name `xml:"ObjectLockConfiguration"`
	ObjectLockEnabled *string  `xml:"ObjectLockEnabled"`
	Rule              *struct {
		DefaultRetention *struct {
			Mode  *string `xml:"Mode"`
			Days  *string `xml:"Days"`
			Years *string `xml:"Years"`
		} `xml:"DefaultRetention"`
	} `xml:"Rule"`
}

// parseObjectLockConfig parses an ObjectLockConfiguration: ObjectLockEnabled
// must be "Enabled"; a Rule needs a DefaultRetention with a mode and
// exactly one of Days and Years, a positive integer.
func parseObjectLockConfig(body []byte) (lockConfig, error) {
	var c lockConfig
	if len(strings.TrimSpace(string(body))) == 0 {
		return c, s3err(ErrMalformedXML)
	}
	var x objectLockConfigXML
	if err := decodeXMLStrict(body, &x); err != nil {
		return c, err
	}
	if x.ObjectLockEnabled == nil || strings.TrimSpace(*x.ObjectLockEnabled) != "Enabled" {
		return c, s3errf(ErrMalformedXML, "ObjectLockEnabled must be Enabled.")
	}
	if x.Rule == nil {
		return c, nil
	}
	d := x.Rule.DefaultRetention
	if d == nil || d.Mode == nil {
		return c, s3err(ErrMalformedXML)
	}
	switch c.Mode = strings.TrimSpace(*d.Mode); c.Mode {
	case lockGovernance, lockCompliance:
	default:
		return lockConfig{}, s3err(ErrMalformedXML)
	}
	if (d.Days == nil) == (d.Years == nil) {
		return lockConfig{}, s3err(ErrMalformedXML)
	}
	v, limit, p := d.Days, maxRetentionDays, &c.Days
	if d.Years != nil {
		v, limit, p = d.Years, maxRetentionDays/365, &c.Years
	}
	n, err := strconv.Atoi(strings.TrimSpace(*v))
	if err != nil {
		return lockConfig{}, s3err(ErrMalformedXML)
	}
	if n <= 0 || n > limit {
		return lockConfig{}, s3errf(ErrInvalidArgument, "Default retention period must be a positive integer value not exceeding %d.", limit)
	}
	*p = n
	return c, nil
}

func (s *Server) putObjectLockConfig(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	body, err := rq.readBody(maxConfigBody)
	if err != nil {
		return nil, err
	}
	c, err := parseObjectLockConfig(body)
	if err != nil {
		return nil, err
	}
	if !b.ObjectLock {
		// Object lock is chosen at creation: meta.Bucket.ObjectLock is
		// never set later.
		return nil, s3errf(ErrInvalidBucketState, "Object Lock configuration cannot be enabled on existing buckets.")
	}
	if c.Mode == "" {
		if err := s.deps.Buckets.SetBucketConfig(rq.ctx, b.Name, meta.ConfigObjectLock, "", true); err != nil {
			return nil, err
		}
		return ok200(), nil
	}
	v, err := encodeLockConfig(c)
	if err != nil {
		return nil, err
	}
	if err := s.deps.Buckets.SetBucketConfig(rq.ctx, b.Name, meta.ConfigObjectLock, v, false); err != nil {
		return nil, err
	}
	return ok200(), nil
}

func (s *Server) getObjectLockConfig(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	if !b.ObjectLock {
		return nil, s3err(ErrNoSuchObjectLockConfiguration)
	}
	c, err := bucketLockConfig(b)
	if err != nil {
		return nil, err
	}
	w := newXMLWriter(256)
	w.openNS("ObjectLockConfiguration", s3NS)
	w.elem("ObjectLockEnabled", "Enabled")
	if c.Mode != "" {
		w.open("Rule")
		w.open("DefaultRetention")
		w.elem("Mode", c.Mode)
		if c.Days > 0 {
			w.elemInt("Days", int64(c.Days))
		} else {
			w.elemInt("Years", int64(c.Years))
		}
		w.close("DefaultRetention")
		w.close("Rule")
	}
	w.close("ObjectLockConfiguration")
	return xmlResponse(http.StatusOK, w.bytes()), nil
}

// retentionXML is PutObjectRetention's body and GetObjectRetention's answer.
type retentionXML struct {
	XMLName         xml.Name `xml:"Retention"`
	Mode            *string  `xml:"Mode"`
	RetainUntilDate *string  `xml:"RetainUntilDate"`
}

// parseRetentionBody returns the retention a PutObjectRetention body asks
// for; both elements absent means "remove the retention".
func parseRetentionBody(body []byte, now time.Time) (data.Retention, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return data.Retention{}, s3err(ErrMalformedXML)
	}
	var x retentionXML
	if err := decodeXMLStrict(body, &x); err != nil {
		return data.Retention{}, err
	}
	if x.Mode == nil && x.RetainUntilDate == nil {
		return data.Retention{}, nil
	}
	if x.Mode == nil || x.RetainUntilDate == nil {
		return data.Retention{}, s3err(ErrMalformedXML)
	}
	mode := strings.TrimSpace(*x.Mode)
	if mode != lockGovernance && mode != lockCompliance {
		return data.Retention{}, s3err(ErrMalformedXML)
	}
	return parseRetention(mode, *x.RetainUntilDate, now)
}

// retentionChangeAllowed applies AWS's rules to replacing retention cur
// by next at now: an expired retention may change freely; COMPLIANCE may
// only be extended (same mode, date not earlier); GOVERNANCE may be
// extended or made COMPLIANCE, and shortened or removed only with bypass.
func retentionChangeAllowed(cur, next data.Retention, now time.Time, bypass bool) bool {
	if cur.Mode == "" || !cur.Until.After(now) {
		return true
	}
	extends := next.Mode != "" && !next.Until.Before(cur.Until)
	if cur.Mode == lockCompliance {
		return extends && next.Mode == lockCompliance
	}
	return extends || bypass
}

func (s *Server) putObjectRetention(rq *request) (*response, error) {
	b, err := lockBucket(rq)
	if err != nil {
		return nil, err
	}
	body, err := rq.readBody(maxConfigBody)
	if err != nil {
		return nil, err
	}
	next, err := parseRetentionBody(body, rq.now)
	if err != nil {
		return nil, err
	}
	return s.updateVersionMeta(rq, b, http.StatusOK, func(m *data.VersionMeta) error {
		if !retentionChangeAllowed(m.Retention, next, rq.now, false) &&
			!retentionChangeAllowed(m.Retention, next, rq.now, s.governanceBypass(rq, rq.op.Key)) {
			return s3err(ErrObjectLocked)
		}
		m.Retention = next
		return nil
	})
}

func (s *Server) getObjectRetention(rq *request) (*response, error) {
	b, info, err := s.lockedVersion(rq)
	if err != nil {
		return nil, err
	}
	ret := info.Meta.Retention
	if ret.Mode == "" {
		return nil, s3err(ErrNoSuchObjectLockRetention)
	}
	w := newXMLWriter(200)
	w.openNS("Retention", s3NS)
	w.elem("Mode", ret.Mode)
	w.elemTime("RetainUntilDate", ret.Until)
	w.close("Retention")
	r := xmlResponse(http.StatusOK, w.bytes())
	setBucketVersionHeader(r, b, info)
	return r, nil
}

// legalHoldXML is PutObjectLegalHold's body.
type legalHoldXML struct {
	XMLName xml.Name `xml:"LegalHold"`
	Status  *string  `xml:"Status"`
}

func parseLegalHoldBody(body []byte) (bool, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return false, s3err(ErrMalformedXML)
	}
	var x legalHoldXML
	if err := decodeXMLStrict(body, &x); err != nil {
		return false, err
	}
	if x.Status == nil {
		return false, s3err(ErrMalformedXML)
	}
	switch strings.TrimSpace(*x.Status) {
	case legalHoldOn:
		return true, nil
	case legalHoldOff:
		return false, nil
	}
	return false, s3err(ErrMalformedXML)
}

func (s *Server) putObjectLegalHold(rq *request) (*response, error) {
	b, err := lockBucket(rq)
	if err != nil {
		return nil, err
	}
	body, err := rq.readBody(maxConfigBody)
	if err != nil {
		return nil, err
	}
	on, err := parseLegalHoldBody(body)
	if err != nil {
		return nil, err
	}
	return s.updateVersionMeta(rq, b, http.StatusOK, func(m *data.VersionMeta) error {
		m.LegalHold = on
		return nil
	})
}

func (s *Server) getObjectLegalHold(rq *request) (*response, error) {
	b, info, err := s.lockedVersion(rq)
	if err != nil {
		return nil, err
	}
	st := legalHoldOff
	if info.Meta.LegalHold {
		st = legalHoldOn
	}
	w := newXMLWriter(160)
	w.openNS("LegalHold", s3NS)
	w.elem("Status", st)
	w.close("LegalHold")
	r := xmlResponse(http.StatusOK, w.bytes())
	setBucketVersionHeader(r, b, info)
	return r, nil
}

// lockBucket is the addressed bucket of a retention or legal-hold call,
// which only buckets created with object lock accept.
func lockBucket(rq *request) (meta.Bucket, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return b, err
	}
	if !b.ObjectLock {
		return b, s3err(ErrObjectLockNotEnabled)
	}
	return b, nil
}

// lockedVersion is lockBucket plus the addressed version's record.
func (s *Server) lockedVersion(rq *request) (meta.Bucket, data.ObjectInfo, error) {
	b, err := lockBucket(rq)
	if err != nil {
		return b, data.ObjectInfo{}, err
	}
	info, err := s.deps.Objects.StatObject(rq.ctx, b.Name, rq.op.Key, data.GetOptions{VersionID: rq.op.VersionID})
	return b, info, err
}
