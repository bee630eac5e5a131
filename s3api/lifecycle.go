package s3api

import (
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-s3/cairn/data/lifecycle"
	"github.com/cairn-s3/cairn/meta"
)

// The lifecycle API: the AWS XML is parsed into package lifecycle's
// model, validated there (which knows AWS's rules and messages) and
// stored as its canonical JSON in meta.ConfigLifecycle. The background
// worker of package lifecycle applies it.

// maxLifecycleBody bounds a PutBucketLifecycleConfiguration body (up to
// 1000 rules); what is stored is bounded by meta.MaxBucketConfigSize.
const maxLifecycleBody = 1 << 20

type lifecycleTagXML struct {
	Key   *string `xml:"Key"`
	Value *string `xml:"Value"`
}

type lifecycleAndXML struct {
	Prefix                *string           `xml:"Prefix"`
	Tags                  []lifecycleTagXML `xml:"Tag"`
	ObjectSizeGreaterThan *string           `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    *string           `xml:"ObjectSizeLessThan"`
}

type lifecycleFilterXML struct {
	Prefix                *string           `xml:"Prefix"`
	Tags                  []lifecycleTagXML `xml:"Tag"`
	ObjectSizeGreaterThan *string           `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    *string           `xml:"ObjectSizeLessThan"`
	And                   *lifecycleAndXML  `xml:"And"`
}

type lifecycleRuleXML struct {
	ID         *string             `xml:"ID"`
	Status     *string             `xml:"Status"`
	Prefix     *string             `xml:"Prefix"`
	Filter     *lifecycleFilterXML `xml:"Filter"`
	Expiration *struct {
		Days                      *string `xml:"Days"`
		Date                      *string `xml:"Date"`
		ExpiredObjectDeleteMarker *string `xml:"ExpiredObjectDeleteMarker"`
	} `xml:"Expiration"`
	NoncurrentVersionExpiration *struct {
		NoncurrentDays          *string `xml:"NoncurrentDays"`
		NewerNoncurrentVersions *string `xml:"NewerNoncurrentVersions"`
	} `xml:"NoncurrentVersionExpiration"`
	AbortIncompleteMultipartUpload *struct {
		DaysAfterInitiation *string `xml:"DaysAfterInitiation"`
	} `xml:"AbortIncompleteMultipartUpload"`
	// Transitions move data to other storage classes, which Cairn does
	// not have: present ones are refused, never silently ignored.
	Transitions           []struct{} `xml:"Transition"`
	NoncurrentTransitions []struct{} `xml:"NoncurrentVersionTransition"`
}

type lifecycleXML struct {
	XMLName xml.Name           `xml:"LifecycleConfiguration"`
	Rules   []lifecycleRuleXML `xml:"Rule"`
}

// parseLifecycleXML parses and validates a lifecycle configuration. A
// rule needs a Filter or (legacy) a Prefix, not both; a Filter holds at
// most one of Prefix, Tag, ObjectSize* and And. Numbers that are not
// integers are MalformedXML; AWS's other rules are lifecycle.Validate's.
func parseLifecycleXML(body []byte) (lifecycle.Configuration, error) {
	var c lifecycle.Configuration
	if len(strings.TrimSpace(string(body))) == 0 {
		return c, s3err(ErrMalformedXML)
	}
	var x lifecycleXML
	if err := decodeXMLStrict(body, &x); err != nil {
		return c, err
	}
	c.Rules = make([]lifecycle.Rule, 0, len(x.Rules))
	for i := range x.Rules {
		r, err := parseLifecycleRule(&x.Rules[i])
		if err != nil {
			return lifecycle.Configuration{}, err
		}
		c.Rules = append(c.Rules, r)
	}
	if err := c.Validate(); err != nil {
		return lifecycle.Configuration{}, lifecycleError(err)
	}
	return c, nil
}

func parseLifecycleRule(x *lifecycleRuleXML) (lifecycle.Rule, error) {
	var r lifecycle.Rule
	if len(x.Transitions) > 0 || len(x.NoncurrentTransitions) > 0 {
		return r, s3errf(ErrNotImplemented, "Lifecycle transitions are not implemented: Cairn has one storage class.")
	}
	if x.ID != nil {
		r.ID = *x.ID
	}
	if x.Status == nil {
		return r, s3err(ErrMalformedXML)
	}
	r.Status = strings.TrimSpace(*x.Status)
	switch {
	case x.Filter != nil && x.Prefix != nil:
		return r, s3errf(ErrMalformedXML, "The XML you provided was not well-formed or did not validate against our published schema: a rule cannot have both Filter and Prefix.")
	case x.Filter != nil:
		f, err := parseLifecycleFilter(x.Filter)
		if err != nil {
			return r, err
		}
		r.Filter = f
	case x.Prefix != nil:
		r.Filter.Prefix = *x.Prefix
	default:
		return r, s3err(ErrMalformedXML)
	}
	if e := x.Expiration; e != nil {
		var exp lifecycle.Expiration
		if e.Days != nil {
			n, err := lifecycleInt(*e.Days)
			if err != nil {
				return r, err
			}
			if n <= 0 {
				return r, s3errf(ErrInvalidArgument, "'Days' for Expiration action must be a positive integer")
			}
			exp.Days = int(n)
		}
		if e.Date != nil {
			d, err := parseLifecycleDate(*e.Date)
			if err != nil {
				return r, err
			}
			exp.Date = d
		}
		if e.ExpiredObjectDeleteMarker != nil {
			v, err := strconv.ParseBool(strings.TrimSpace(*e.ExpiredObjectDeleteMarker))
			if err != nil {
				return r, s3err(ErrMalformedXML)
			}
			exp.ExpiredObjectDeleteMarker = v
		}
		r.Expiration = &exp
	}
	if n := x.NoncurrentVersionExpiration; n != nil {
		var nve lifecycle.NoncurrentVersionExpiration
		if n.NoncurrentDays == nil {
			return r, s3err(ErrMalformedXML)
		}
		d, err := lifecycleInt(*n.NoncurrentDays)
		if err != nil {
			return r, err
		}
		nve.NoncurrentDays = int(d)
		if n.NewerNoncurrentVersions != nil {
			v, err := lifecycleInt(*n.NewerNoncurrentVersions)
			if err != nil {
				return r, err
			}
			if v <= 0 {
				return r, s3errf(ErrInvalidArgument, "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer up to %d", lifecycle.MaxNewerNoncurrentVersions)
			}
			nve.NewerNoncurrentVersions = int(v)
		}
		r.NoncurrentVersionExpiration = &nve
	}
	if a := x.AbortIncompleteMultipartUpload; a != nil {
		if a.DaysAfterInitiation == nil {
			return r, s3err(ErrMalformedXML)
		}
		d, err := lifecycleInt(*a.DaysAfterInitiation)
		if err != nil {
			return r, err
		}
		r.AbortIncompleteMultipartUpload = &lifecycle.AbortIncompleteMultipartUpload{DaysAfterInitiation: int(d)}
	}
	return r, nil
}

func parseLifecycleFilter(x *lifecycleFilterXML) (lifecycle.Filter, error) {
	var f lifecycle.Filter
	n := len(x.Tags)
	for _, p := range []*string{x.Prefix, x.ObjectSizeGreaterThan, x.ObjectSizeLessThan} {
		if p != nil {
			n++
		}
	}
	if x.And != nil {
		n++
	}
	if n > 1 {
		return f, s3errf(ErrMalformedXML, "The XML you provided was not well-formed or did not validate against our published schema: a Filter holds one condition; use And to combine them.")
	}
	prefix, tags, gt, lt := x.Prefix, x.Tags, x.ObjectSizeGreaterThan, x.ObjectSizeLessThan
	if a := x.And; a != nil {
		prefix, tags, gt, lt = a.Prefix, a.Tags, a.ObjectSizeGreaterThan, a.ObjectSizeLessThan
	}
	if prefix != nil {
		f.Prefix = *prefix
	}
	for _, t := range tags {
		if t.Key == nil {
			return f, s3err(ErrMalformedXML)
		}
		v := ""
		if t.Value != nil {
			v = *t.Value
		}
		f.Tags = append(f.Tags, lifecycle.Tag{Key: *t.Key, Value: v})
	}
	for _, b := range []struct {
		src *string
		dst **int64
	}{{gt, &f.ObjectSizeGreaterThan}, {lt, &f.ObjectSizeLessThan}} {
		if b.src == nil {
			continue
		}
		v, err := lifecycleInt(*b.src)
		if err != nil {
			return f, err
		}
		*b.dst = &v
	}
	return f, nil
}

// lifecycleInt parses an integer element; anything else is MalformedXML.
func lifecycleInt(s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n > 1<<40 || n < -(1<<40) {
		return 0, s3err(ErrMalformedXML)
	}
	return n, nil
}

// parseLifecycleDate reads an ISO 8601 date (midnight GMT, checked by
// Validate): a date-time, or a bare date.
func parseLifecycleDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Time{}, s3errf(ErrInvalidArgument, "'Date' must be in ISO 8601 format").with("ArgumentName", "Date").with("ArgumentValue", s)
}

// lifecycleError maps a lifecycle.Validate failure to its S3 error.
func lifecycleError(err error) error {
	var le *lifecycle.Error
	if !errors.As(err, &le) {
		return err
	}
	code := ErrInvalidArgument
	switch le.Code {
	case lifecycle.CodeMalformedXML:
		code = ErrMalformedXML
	case lifecycle.CodeInvalidRequest:
		code = ErrInvalidRequest
	}
	return &Error{Code: code, Message: le.Message, Err: err}
}

// lifecycleBody writes a LifecycleConfiguration document of c. Filters
// are always written as <Filter> (a legacy rule Prefix was folded into it).
func lifecycleBody(c lifecycle.Configuration) []byte {
	w := newXMLWriter(256 + 320*len(c.Rules))
	w.openNS("LifecycleConfiguration", s3NS)
	for _, r := range c.Rules {
		w.open("Rule")
		if r.ID != "" {
			w.elem("ID", r.ID)
		}
		writeLifecycleFilter(w, r.Filter)
		w.elem("Status", r.Status)
		if e := r.Expiration; e != nil {
			w.open("Expiration")
			switch {
			case e.Days > 0:
				w.elemInt("Days", int64(e.Days))
			case !e.Date.IsZero():
				w.elemTime("Date", e.Date)
			default:
				w.elemBool("ExpiredObjectDeleteMarker", e.ExpiredObjectDeleteMarker)
			}
			w.close("Expiration")
		}
		if n := r.NoncurrentVersionExpiration; n != nil {
			w.open("NoncurrentVersionExpiration")
			w.elemInt("NoncurrentDays", int64(n.NoncurrentDays))
			if n.NewerNoncurrentVersions > 0 {
				w.elemInt("NewerNoncurrentVersions", int64(n.NewerNoncurrentVersions))
			}
			w.close("NoncurrentVersionExpiration")
		}
		if a := r.AbortIncompleteMultipartUpload; a != nil {
			w.open("AbortIncompleteMultipartUpload")
			w.elemInt("DaysAfterInitiation", int64(a.DaysAfterInitiation))
			w.close("AbortIncompleteMultipartUpload")
		}
		w.close("Rule")
	}
	w.close("LifecycleConfiguration")
	return w.bytes()
}

func writeLifecycleFilter(w *xmlWriter, f lifecycle.Filter) {
	conds := len(f.Tags)
	if f.Prefix != "" {
		conds++
	}
	if f.ObjectSizeGreaterThan != nil {
		conds++
	}
	if f.ObjectSizeLessThan != nil {
		conds++
	}
	w.open("Filter")
	and := conds > 1
	if and {
		w.open("And")
	}
	if f.Prefix != "" || conds == 0 {
		w.elem("Prefix", f.Prefix)
	}
	for _, t := range f.Tags {
		w.open("Tag")
		w.elem("Key", t.Key)
		w.elem("Value", t.Value)
		w.close("Tag")
	}
	if f.ObjectSizeGreaterThan != nil {
		w.elemInt("ObjectSizeGreaterThan", *f.ObjectSizeGreaterThan)
	}
	if f.ObjectSizeLessThan != nil {
		w.elemInt("ObjectSizeLessThan", *f.ObjectSizeLessThan)
	}
	if and {
		w.close("And")
	}
	w.close("Filter")
}

func (s *Server) putBucketLifecycle(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	body, err := rq.readBody(maxLifecycleBody)
	if err != nil {
		return nil, err
	}
	c, err := parseLifecycleXML(body)
	if err != nil {
		return nil, err
	}
	v, err := lifecycle.Encode(c)
	if err != nil {
		return nil, lifecycleError(err)
	}
	if len(v) > meta.MaxBucketConfigSize {
		return nil, s3errf(ErrInvalidRequest, "The lifecycle configuration is too large (%d bytes stored, at most %d).", len(v), meta.MaxBucketConfigSize)
	}
	if err := s.deps.Buckets.SetBucketConfig(rq.ctx, b.Name, meta.ConfigLifecycle, v, false); err != nil {
		return nil, err
	}
	return ok200(), nil
}

func (s *Server) getBucketLifecycle(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	v, ok := b.Configs[meta.ConfigLifecycle]
	if !ok {
		return nil, s3err(ErrNoSuchLifecycleConfiguration)
	}
	c, err := lifecycle.Decode(v)
	if err != nil {
		return nil, err
	}
	return xmlResponse(http.StatusOK, lifecycleBody(c)), nil
}

func (s *Server) deleteBucketLifecycle(rq *request) (*response, error) {
	b, err := rq.requireBucket()
	if err != nil {
		return nil, err
	}
	if _, ok := b.Configs[meta.ConfigLifecycle]; ok {
		if err := s.deps.Buckets.SetBucketConfig(rq.ctx, b.Name, meta.ConfigLifecycle, "", true); err != nil {
			return nil, err
		}
	}
	return newResponse(http.StatusNoContent), nil
}
