package s3api

import (
	"strconv"
	"strings"
	"time"
)

// Limits of the query-protocol parser. A form body is bounded by
// maxFormBody before parsing; the parameter and member caps bound the work
// a hostile body can ask for.
const (
	maxFormBody   = 1 << 20
	maxFormParams = 4096
	maxMembers    = 1000
)

// iamForm is the decoded parameters of an IAM or STS query request: the
// URL query and the form body, merged (on a repeated name the first value
// wins, query before body).
type iamForm struct {
	vals map[string]string
}

// parseIAMForm decodes the raw query and the form body of a query-protocol
// request. Names and values are application/x-www-form-urlencoded ('+' is
// a space). A malformed escape or too many parameters is a ValidationError.
func parseIAMForm(rawQuery string, body []byte) (iamForm, error) {
	f := iamForm{vals: make(map[string]string, 8)}
	if err := f.add(rawQuery); err != nil {
		return iamForm{}, err
	}
	if err := f.add(string(body)); err != nil {
		return iamForm{}, err
	}
	return f, nil
}

func (f *iamForm) add(raw string) error {
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		if len(f.vals) >= maxFormParams {
			return iamErrf(ErrIAMValidationError, "The request has more than %d parameters.", maxFormParams)
		}
		name, value, _ := strings.Cut(part, "=")
		n, err := unescape(name, true)
		if err != nil {
			return iamErrf(ErrIAMValidationError, "The request parameters are not properly URL-encoded.")
		}
		v, err := unescape(value, true)
		if err != nil {
			return iamErrf(ErrIAMValidationError, "The value of parameter %s is not properly URL-encoded.", n)
		}
		if _, dup := f.vals[n]; !dup {
			f.vals[n] = v
		}
	}
	return nil
}

// get returns a parameter ("" if absent).
func (f iamForm) get(name string) string { return f.vals[name] }

// lookup returns a parameter and whether it was given (possibly empty).
func (f iamForm) lookup(name string) (string, bool) {
	v, ok := f.vals[name]
	return v, ok
}

// required returns a parameter that must be present and non-empty.
func (f iamForm) required(name string) (string, error) {
	v := f.vals[name]
	if v == "" {
		return "", iamErrf(ErrIAMValidationError, "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(name))
	}
	return v, nil
}

// optString returns a pointer to a given parameter, nil when absent.
func (f iamForm) optString(name string) *string {
	if v, ok := f.vals[name]; ok {
		return &v
	}
	return nil
}

// optBool parses an optional boolean ("true"/"false", any case).
func (f iamForm) optBool(name string) (*bool, error) {
	v, ok := f.vals[name]
	if !ok {
		return nil, nil
	}
	switch strings.ToLower(v) {
	case "true":
		b := true
		return &b, nil
	case "false":
		b := false
		return &b, nil
	}
	return nil, iamErrf(ErrIAMValidationError, "Invalid value %q for %s: must be true or false.", clipValue(v), name)
}

// flag is optBool with absent meaning false.
func (f iamForm) flag(name string) (bool, error) {
	b, err := f.optBool(name)
	if err != nil || b == nil {
		return false, err
	}
	return *b, nil
}

// optUint32 parses an optional unsigned 32-bit integer (POSIX IDs).
func (f iamForm) optUint32(name string) (*uint32, error) {
	v, ok := f.vals[name]
	if !ok {
		return nil, nil
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return nil, iamErrf(ErrIAMValidationError, "Invalid value %q for %s: must be an integer between 0 and 4294967295.", clipValue(v), name)
	}
	u := uint32(n)
	return &u, nil
}

// optDisabled reads an optional Status=Active|Inactive (any case) as
// "disabled"; nil when absent.
func (f iamForm) optDisabled() (*bool, error) {
	v, ok := f.vals["Status"]
	if !ok {
		return nil, nil
	}
	d, err := parseStatus(v)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// intIn parses an optional integer within [lo, hi]; def when absent.
func (f iamForm) intIn(name string, lo, hi, def int) (int, error) {
	v, ok := f.vals[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, iamErrf(ErrIAMValidationError, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have value between %d and %d", clipValue(v), lowerFirst(name), lo, hi)
	}
	return n, nil
}

// optTime parses an optional ISO-8601 timestamp (RFC 3339; a date alone
// is midnight UTC). An empty value is the zero time.
func (f iamForm) optTime(name string) (*time.Time, error) {
	v, ok := f.vals[name]
	if !ok {
		return nil, nil
	}
	if v == "" {
		var z time.Time
		return &z, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	return nil, iamErrf(ErrIAMValidationError, "Invalid value %q for %s: must be an ISO-8601 timestamp such as 2030-01-02T15:04:05Z.", clipValue(v), name)
}

// members returns a list parameter: prefix.member.1, prefix.member.2, …
// up to the first missing index (the AWS query protocol numbers members
// from 1 without gaps).
func (f iamForm) members(prefix string) []string {
	var out []string
	for i := 1; i <= maxMembers; i++ {
		v, ok := f.vals[memberName(prefix, i)]
		if !ok {
			break
		}
		out = append(out, v)
	}
	return out
}

// memberName is "<prefix>.member.<i>".
func memberName(prefix string, i int) string {
	return prefix + ".member." + strconv.Itoa(i)
}

// contextEntry is one SimulatePrincipalPolicy ContextEntries member.
type contextEntry struct {
	Name   string
	Values []string
	Type   string
}

// contextEntries parses ContextEntries.member.N.{ContextKeyName,
// ContextKeyValues.member.M, ContextKeyType}.
func (f iamForm) contextEntries() ([]contextEntry, error) {
	var out []contextEntry
	for i := 1; i <= maxMembers; i++ {
		p := memberName("ContextEntries", i)
		name, ok := f.vals[p+".ContextKeyName"]
		if !ok {
			if _, more := f.vals[p+".ContextKeyValues.member.1"]; more {
				return nil, iamErrf(ErrIAMValidationError, "ContextEntries.member.%d is missing its ContextKeyName.", i)
			}
			break
		}
		if name == "" {
			return nil, iamErrf(ErrIAMValidationError, "ContextEntries.member.%d has an empty ContextKeyName.", i)
		}
		out = append(out, contextEntry{
			Name:   name,
			Values: f.members(p + ".ContextKeyValues"),
			Type:   f.vals[p+".ContextKeyType"],
		})
	}
	return out, nil
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

// clipValue shortens a client value quoted back in an error message.
func clipValue(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
