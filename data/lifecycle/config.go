package lifecycle

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// Limits of a lifecycle configuration (AWS).
const (
	MaxRules                   = 1000
	MaxIDLength                = 255
	MaxTagKeyLength            = 128 // Unicode characters
	MaxTagValueLength          = 256 // Unicode characters
	MaxNewerNoncurrentVersions = 100
)

// Rule statuses.
const (
	StatusEnabled  = "Enabled"
	StatusDisabled = "Disabled"
)

// Configuration is a bucket's lifecycle configuration: an ordered list of
// rules. The zero value has no rules (and does not validate: AWS requires at
// least one).
type Configuration struct {
	Rules []Rule `json:"rules"`
}

// Rule is one lifecycle rule. A nil action pointer means the action is
// absent; at least one action must be present.
type Rule struct {
	// ID is optional (at most 255 characters); non-empty IDs are unique
	// within a configuration.
	ID     string `json:"id,omitempty"`
	Status string `json:"status"` // StatusEnabled or StatusDisabled
	// Filter selects the objects the rule applies to. The zero Filter
	// matches every object. The S3 layer maps both the legacy rule-level
	// <Prefix> and <Filter> (Prefix, Tag, ObjectSize*, And{...}) onto it.
	Filter                         Filter                          `json:"filter"`
	Expiration                     *Expiration                     `json:"expiration,omitempty"`
	NoncurrentVersionExpiration    *NoncurrentVersionExpiration    `json:"noncurrentVersionExpiration,omitempty"`
	AbortIncompleteMultipartUpload *AbortIncompleteMultipartUpload `json:"abortIncompleteMultipartUpload,omitempty"`
}

// Filter is the conjunction of its set fields: a key prefix, tags the
// version must all carry, and size bounds (exclusive). Nil size pointers are
// unset.
type Filter struct {
	Prefix                string `json:"prefix,omitempty"`
	Tags                  []Tag  `json:"tags,omitempty"`
	ObjectSizeGreaterThan *int64 `json:"objectSizeGreaterThan,omitempty"`
	ObjectSizeLessThan    *int64 `json:"objectSizeLessThan,omitempty"`
}

// Tag is one key/value pair of a tag filter.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Expiration expires current versions after Days days or on Date, or (only
// alone) removes expired object delete markers. Exactly one of the three is
// set.
type Expiration struct {
	Days int `json:"days,omitempty"`
	// Date is midnight UTC of the day from which matching current versions
	// expire (zero: unset).
	Date                      time.Time `json:"date,omitzero"`
	ExpiredObjectDeleteMarker bool      `json:"expiredObjectDeleteMarker,omitempty"`
}

// NoncurrentVersionExpiration permanently deletes versions NoncurrentDays
// after they became noncurrent, keeping the NewerNoncurrentVersions most
// recent noncurrent versions (0: keep none).
type NoncurrentVersionExpiration struct {
	NoncurrentDays          int `json:"noncurrentDays"`
	NewerNoncurrentVersions int `json:"newerNoncurrentVersions,omitempty"`
}

// AbortIncompleteMultipartUpload aborts uploads DaysAfterInitiation days
// after they were created.
type AbortIncompleteMultipartUpload struct {
	DaysAfterInitiation int `json:"daysAfterInitiation"`
}

// Enabled reports whether the rule is applied.
func (r Rule) Enabled() bool { return r.Status == StatusEnabled }

// encodingVersion is the version of the canonical JSON encoding.
const encodingVersion = 1

// stored is the canonical JSON document: a version and the rules.
type stored struct {
	V     int    `json:"v"`
	Rules []Rule `json:"rules"`
}

// Encode returns the canonical JSON encoding of c, the value the S3 layer
// stores as the bucket's meta.ConfigLifecycle. It validates c first. Tags of
// each filter are sorted by key and dates normalised to UTC so that equal
// configurations encode to equal strings.
func Encode(c Configuration) (string, error) {
	if err := c.Validate(); err != nil {
		return "", err
	}
	rules := make([]Rule, len(c.Rules))
	for i, r := range c.Rules {
		r.Filter.Tags = append([]Tag(nil), r.Filter.Tags...)
		sort.Slice(r.Filter.Tags, func(a, b int) bool { return r.Filter.Tags[a].Key < r.Filter.Tags[b].Key })
		if r.Filter.Tags == nil || len(r.Filter.Tags) == 0 {
			r.Filter.Tags = nil
		}
		if r.Expiration != nil {
			e := *r.Expiration
			if !e.Date.IsZero() {
				e.Date = e.Date.UTC()
			}
			r.Expiration = &e
		}
		rules[i] = r
	}
	b, err := json.Marshal(stored{V: encodingVersion, Rules: rules})
	if err != nil {
		return "", fmt.Errorf("lifecycle: encode: %w", err)
	}
	return string(b), nil
}

// Decode parses a configuration stored by Encode and validates it.
func Decode(s string) (Configuration, error) {
	var st stored
	if err := json.Unmarshal([]byte(s), &st); err != nil {
		return Configuration{}, fmt.Errorf("lifecycle: decode: %w", err)
	}
	if st.V != encodingVersion {
		return Configuration{}, fmt.Errorf("lifecycle: decode: unknown encoding version %d", st.V)
	}
	c := Configuration{Rules: st.Rules}
	if err := c.Validate(); err != nil {
		return Configuration{}, fmt.Errorf("lifecycle: decode: %w", err)
	}
	return c, nil
}
