package s3api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// POST policy documents (browser uploads): base64 JSON
//
//	{"expiration": "2030-01-01T00:00:00.000Z",
//	 "conditions": [ {"bucket": "b"}, ["starts-with", "$key", "user/"],
//	                 ["eq", "$Content-Type", "image/png"],
//	                 ["content-length-range", 1, 1048576], ... ]}
//
// An object condition {"field": "value"} is an exact match, like "eq".
// Field names are case-insensitive; "bucket" is the request's bucket. A
// field absent from the form has the value "". Every form field except
// policy, x-amz-signature, file and x-ignore-* must be named by a
// condition. content-length-range bounds the file size (inclusive).

// maxPolicySize bounds the decoded policy document.
const maxPolicySize = 64 << 10

// Policy condition operators.
const (
	condEq            = "eq"
	condStartsWith    = "starts-with"
	condContentLength = "content-length-range"
)

// postCondition is one parsed condition.
type postCondition struct {
	Op string // condEq, condStartsWith or condContentLength
	// Field is the field name as the policy spells it, without "$";
	// compared case-insensitively.
	Field string
	Value string
	// Min and Max bound the file size (content-length-range).
	Min, Max int64
}

// String renders the condition as S3 quotes it in "Policy Condition
// failed" messages.
func (c postCondition) String() string {
	if c.Op == condContentLength {
		return fmt.Sprintf(`["%s", %d, %d]`, c.Op, c.Min, c.Max)
	}
	return fmt.Sprintf(`["%s", "$%s", "%s"]`, c.Op, c.Field, c.Value)
}

// postPolicy is a parsed policy document.
type postPolicy struct {
	Expiration time.Time
	Conditions []postCondition
}

func invalidPolicy(format string, args ...any) error {
	return s3errf(ErrInvalidPolicyDocument, "Invalid Policy: "+format, args...)
}

// parsePostPolicy decodes and parses the policy field.
func parsePostPolicy(b64 string) (postPolicy, error) {
	var p postPolicy
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		if raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(b64, "=")); err != nil {
			return p, invalidPolicy("Invalid Base64 Encoding.")
		}
	}
	if len(raw) > maxPolicySize {
		return p, invalidPolicy("Policy document is too large.")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc struct {
		Expiration *string           `json:"expiration"`
		Conditions []json.RawMessage `json:"conditions"`
	}
	if err := dec.Decode(&doc); err != nil {
		return p, invalidPolicy("Invalid JSON.")
	}
	if _, err := dec.Token(); err != io.EOF {
		return p, invalidPolicy("Invalid JSON.")
	}
	if doc.Expiration == nil {
		return p, invalidPolicy("Policy missing expiration.")
	}
	if p.Expiration, err = time.Parse(time.RFC3339Nano, *doc.Expiration); err != nil {
		return p, invalidPolicy("Invalid 'expiration' value: '%s'", clipPolicyValue(*doc.Expiration))
	}
	if doc.Conditions == nil {
		return p, invalidPolicy("Policy missing conditions.")
	}
	for _, rc := range doc.Conditions {
		cs, err := parseCondition(rc)
		if err != nil {
			return p, err
		}
		p.Conditions = append(p.Conditions, cs...)
	}
	return p, nil
}

// parseCondition parses one element of "conditions": an object of exact
// matches or an [op, ...] array.
func parseCondition(rc json.RawMessage) ([]postCondition, error) {
	rc = bytes.TrimSpace(rc)
	if len(rc) > 0 && rc[0] == '{' {
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(rc))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return nil, invalidPolicy("Invalid JSON.")
		}
		if len(m) != 1 {
			return nil, invalidPolicy("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.")
		}
		var out []postCondition
		for k, v := range m {
			s, ok := scalarString(v)
			if !ok {
				return nil, invalidPolicy("Invalid Simple-Condition: value must be a string.")
			}
			out = append(out, postCondition{Op: condEq, Field: strings.TrimPrefix(k, "$"), Value: s})
		}
		return out, nil
	}
	var arr []any
	dec := json.NewDecoder(bytes.NewReader(rc))
	dec.UseNumber()
	if err := dec.Decode(&arr); err != nil {
		return nil, invalidPolicy("Invalid Condition: conditions must be objects or arrays.")
	}
	if len(arr) != 3 {
		return nil, invalidPolicy("Invalid Condition: wrong number of arguments.")
	}
	op, ok := arr[0].(string)
	if !ok {
		return nil, invalidPolicy("Invalid Condition: the operation must be a string.")
	}
	switch op = strings.ToLower(op); op {
	case condEq, condStartsWith:
		field, ok1 := arr[1].(string)
		value, ok2 := scalarString(arr[2])
		if !ok1 || !ok2 {
			return nil, invalidPolicy("Invalid Condition: %s arguments must be strings.", op)
		}
		if !strings.HasPrefix(field, "$") {
			return nil, invalidPolicy("Invalid Condition: the field name must start with '$': %s", clipPolicyValue(field))
		}
		return []postCondition{{Op: op, Field: field[1:], Value: value}}, nil
	case condContentLength:
		lo, ok1 := jsonInt(arr[1])
		hi, ok2 := jsonInt(arr[2])
		if !ok1 || !ok2 || lo < 0 || hi < lo {
			return nil, invalidPolicy("Invalid content-length-range: the bounds must be integers with 0 <= min <= max.")
		}
		return []postCondition{{Op: op, Min: lo, Max: hi}}, nil
	}
	return nil, invalidPolicy("Invalid Condition: unknown operation %q.", clipPolicyValue(op))
}

// scalarString accepts a JSON string (or a number, which S3 compares as
// text).
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	}
	return "", false
}

// jsonInt accepts a JSON integer or a string holding one.
func jsonInt(v any) (int64, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = x
	default:
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func clipPolicyValue(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// policyField is what a condition compares: a form field by name.
type policyFields interface {
	// value returns the field's value by case-insensitive name ("" when
	// absent); "bucket" is the request's bucket.
	value(lowerName string) string
	// names lists the form fields a condition must cover.
	names() []string
}

// checkFields verifies the expiration and every condition except
// content-length-range against the form, then that every form field is
// covered by a condition. Failures are AccessDenied with S3's messages.
func (p postPolicy) checkFields(f policyFields, now time.Time) error {
	if !now.Before(p.Expiration) {
		return s3errf(ErrAccessDenied, "Invalid according to Policy: Policy expired.")
	}
	covered := make(map[string]bool, len(p.Conditions))
	for _, c := range p.Conditions {
		if c.Op == condContentLength {
			continue
		}
		name := strings.ToLower(c.Field)
		covered[name] = true
		v := f.value(name)
		ok := v == c.Value
		if c.Op == condStartsWith {
			ok = strings.HasPrefix(v, c.Value)
		}
		if !ok {
			return s3errf(ErrAccessDenied, "Invalid according to Policy: Policy Condition failed: %s", c)
		}
	}
	for _, n := range f.names() {
		if !covered[strings.ToLower(n)] {
			return s3errf(ErrAccessDenied, "Invalid according to Policy: Extra input fields: %s", n)
		}
	}
	return nil
}

// checkSize applies the content-length-range conditions to the file size.
func (p postPolicy) checkSize(size int64) error {
	for _, c := range p.Conditions {
		if c.Op != condContentLength {
			continue
		}
		if size < c.Min {
			return s3errf(ErrEntityTooSmall, "Your proposed upload is smaller than the minimum allowed size").
				with("ProposedSize", strconv.FormatInt(size, 10)).with("MinSizeAllowed", strconv.FormatInt(c.Min, 10))
		}
		if size > c.Max {
			return s3errf(ErrEntityTooLarge, "Your proposed upload exceeds the maximum allowed size").
				with("ProposedSize", strconv.FormatInt(size, 10)).with("MaxSizeAllowed", strconv.FormatInt(c.Max, 10))
		}
	}
	return nil
}
