package lifecycle

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// AWS error codes a validation failure maps to.
const (
	CodeInvalidArgument = "InvalidArgument"
	CodeInvalidRequest  = "InvalidRequest"
	CodeMalformedXML    = "MalformedXML"
)

// ErrInvalid matches (errors.Is) every *Error returned by Validate.
var ErrInvalid = errors.New("lifecycle: invalid configuration")

// Error is a validation failure: the AWS error code the S3 layer returns
// and the message AWS gives.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return "lifecycle: " + e.Code + ": " + e.Message }

// Is makes errors.Is(err, ErrInvalid) true for every validation failure.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

func invalid(code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Validate checks c against the rules S3 enforces on
// PutBucketLifecycleConfiguration. It returns an *Error (errors.Is
// ErrInvalid) naming the first violation.
func (c Configuration) Validate() error {
	if len(c.Rules) == 0 {
		return invalid(CodeMalformedXML, "The XML you provided was not well-formed or did not validate against our published schema")
	}
	if len(c.Rules) > MaxRules {
		return invalid(CodeInvalidRequest, "Lifecycle configuration cannot have more than %d rules", MaxRules)
	}
	ids := make(map[string]bool, len(c.Rules))
	for i := range c.Rules {
		r := &c.Rules[i]
		if r.ID != "" {
			if ids[r.ID] {
				return invalid(CodeInvalidArgument, "Rule ID must be unique. Found same ID for more than one rule")
			}
			ids[r.ID] = true
		}
		if err := r.validate(); err != nil {
			return err
		}
	}
	return nil
}

func (r *Rule) validate() error {
	if utf8.RuneCountInString(r.ID) > MaxIDLength {
		return invalid(CodeInvalidArgument, "ID length should not exceed allowed limit of %d", MaxIDLength)
	}
	if r.Status != StatusEnabled && r.Status != StatusDisabled {
		return invalid(CodeMalformedXML, "The XML you provided was not well-formed or did not validate against our published schema")
	}
	if r.Expiration == nil && r.NoncurrentVersionExpiration == nil && r.AbortIncompleteMultipartUpload == nil {
		return invalid(CodeInvalidRequest, "At least one action needs to be specified in a rule")
	}
	if err := r.Filter.validate(); err != nil {
		return err
	}
	hasTags := len(r.Filter.Tags) > 0
	if e := r.Expiration; e != nil {
		if err := e.validate(); err != nil {
			return err
		}
		if e.ExpiredObjectDeleteMarker && hasTags {
			return invalid(CodeInvalidRequest, "ExpiredObjectDeleteMarker cannot be specified with Tags.")
		}
	}
	if n := r.NoncurrentVersionExpiration; n != nil {
		if n.NoncurrentDays <= 0 {
			return invalid(CodeInvalidArgument, "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")
		}
		if n.NewerNoncurrentVersions < 0 || n.NewerNoncurrentVersions > MaxNewerNoncurrentVersions {
			return invalid(CodeInvalidArgument, "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer up to %d", MaxNewerNoncurrentVersions)
		}
	}
	if a := r.AbortIncompleteMultipartUpload; a != nil {
		if a.DaysAfterInitiation <= 0 {
			return invalid(CodeInvalidArgument, "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
		}
		if hasTags {
			return invalid(CodeInvalidRequest, "AbortIncompleteMultipartUpload cannot be specified with Tags.")
		}
	}
	return nil
}

func (e *Expiration) validate() error {
	set := 0
	if e.Days != 0 {
		set++
	}
	if !e.Date.IsZero() {
		set++
	}
	if e.ExpiredObjectDeleteMarker {
		set++
	}
	switch {
	case set == 0:
		return invalid(CodeMalformedXML, "The XML you provided was not well-formed or did not validate against our published schema")
	case e.ExpiredObjectDeleteMarker && set > 1:
		return invalid(CodeInvalidRequest, "ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle Expiration Policy.")
	case set > 1:
		return invalid(CodeMalformedXML, "The XML you provided was not well-formed or did not validate against our published schema")
	}
	if e.Days < 0 {
		return invalid(CodeInvalidArgument, "'Days' for Expiration action must be a positive integer")
	}
	if !e.Date.IsZero() {
		d := e.Date.UTC()
		if !d.Equal(time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)) {
			return invalid(CodeInvalidArgument, "'Date' must be at midnight GMT")
		}
	}
	return nil
}

func (f *Filter) validate() error {
	if len(f.Prefix) > 1024 {
		return invalid(CodeInvalidArgument, "The maximum size of a prefix is 1024.")
	}
	seen := make(map[string]bool, len(f.Tags))
	for _, t := range f.Tags {
		if t.Key == "" || utf8.RuneCountInString(t.Key) > MaxTagKeyLength {
			return invalid(CodeInvalidArgument, "The TagKey you have provided is invalid")
		}
		if utf8.RuneCountInString(t.Value) > MaxTagValueLength {
			return invalid(CodeInvalidArgument, "The TagValue you have provided is invalid")
		}
		if seen[t.Key] {
			return invalid(CodeInvalidArgument, "Duplicate Tag Keys are not allowed.")
		}
		seen[t.Key] = true
	}
	gt, lt := f.ObjectSizeGreaterThan, f.ObjectSizeLessThan
	if gt != nil && *gt < 0 {
		return invalid(CodeInvalidArgument, "'ObjectSizeGreaterThan' must be a non-negative integer")
	}
	if lt != nil && *lt <= 0 {
		return invalid(CodeInvalidArgument, "'ObjectSizeLessThan' must be a positive integer")
	}
	if gt != nil && lt != nil && *gt >= *lt {
		return invalid(CodeInvalidArgument, "ObjectSizeGreaterThan must be less than ObjectSizeLessThan")
	}
	return nil
}
