package lifecycle

import (
	"strings"
	"time"
)

// Action is what a lifecycle configuration asks for one version.
type Action int

const (
	// ActionNone: keep the version.
	ActionNone Action = iota
	// ActionExpireCurrent: the current version has expired. Unversioned
	// buckets delete it; versioned buckets add a delete marker.
	ActionExpireCurrent
	// ActionExpireNoncurrent: permanently delete this noncurrent version.
	ActionExpireNoncurrent
	// ActionRemoveMarker: permanently delete this delete marker, the only
	// remaining version of its key.
	ActionRemoveMarker
)

func (a Action) String() string {
	switch a {
	case ActionExpireCurrent:
		return "expire-current"
	case ActionExpireNoncurrent:
		return "expire-noncurrent"
	case ActionRemoveMarker:
		return "remove-marker"
	}
	return "none"
}

// Version is what evaluation needs to know of one object version.
type Version struct {
	Key          string
	Size         int64
	ModTime      time.Time
	Tags         map[string]string
	IsLatest     bool
	DeleteMarker bool
	// NoncurrentSince is when the version stopped being current: the
	// creation time of the next newer version (zero for the latest).
	NoncurrentSince time.Time
	// NewerNoncurrent counts the noncurrent versions of the key newer than
	// this one (for NewerNoncurrentVersions).
	NewerNoncurrent int
	// OnlyVersion is set when the key has no other version.
	OnlyVersion bool
}

// Result is the outcome of Evaluate: the action and the rule deciding it.
type Result struct {
	Action Action
	RuleID string
}

// DueTime returns when an age of days days, counted from t, is reached: the
// first day boundary at or after t + days×day. Day boundaries are multiples
// of day since the Unix epoch (midnight UTC for 24h days), as S3 rounds
// lifecycle ages up to the next midnight UTC.
func DueTime(t time.Time, days int, day time.Duration) time.Time {
	if day <= 0 {
		day = 24 * time.Hour
	}
	end := t.UnixNano() + int64(days)*int64(day)
	rem := end % int64(day)
	if rem < 0 {
		rem += int64(day)
	}
	if rem != 0 {
		end += int64(day) - rem
	}
	return time.Unix(0, end).UTC()
}

// matches reports whether the filter selects an object of this key, size
// and tags. A size filter never matches a delete marker, and a tag filter
// only matches versions carrying all its tags.
func (f Filter) matches(key string, size int64, tags map[string]string) bool {
	if !strings.HasPrefix(key, f.Prefix) {
		return false
	}
	for _, t := range f.Tags {
		if v, ok := tags[t.Key]; !ok || v != t.Value {
			return false
		}
	}
	if f.ObjectSizeGreaterThan != nil && size <= *f.ObjectSizeGreaterThan {
		return false
	}
	if f.ObjectSizeLessThan != nil && size >= *f.ObjectSizeLessThan {
		return false
	}
	return true
}

// Evaluate returns the action the enabled rules of c take on v at now, with
// days of length day. When several rules apply, the first in configuration
// order names the result; all expiration actions of one kind are
// equivalent.
func (c Configuration) Evaluate(v Version, now time.Time, day time.Duration) Result {
	for _, r := range c.Rules {
		if !r.Enabled() {
			continue
		}
		if a := r.evaluate(v, now, day); a != ActionNone {
			return Result{Action: a, RuleID: r.ID}
		}
	}
	return Result{}
}

func (r Rule) evaluate(v Version, now time.Time, day time.Duration) Action {
	size, tags := v.Size, v.Tags
	if v.DeleteMarker {
		// Delete markers have no size and no tags: only prefix filters
		// select them.
		if len(r.Filter.Tags) > 0 || r.Filter.ObjectSizeGreaterThan != nil || r.Filter.ObjectSizeLessThan != nil {
			return ActionNone
		}
		size, tags = 0, nil
	}
	if !r.Filter.matches(v.Key, size, tags) {
		return ActionNone
	}
	switch {
	case v.IsLatest && v.DeleteMarker:
		// An expired object delete marker: the key's only version. S3
		// removes it with ExpiredObjectDeleteMarker, and also under an
		// Expiration in Days once the marker is that old.
		e := r.Expiration
		if e == nil || !v.OnlyVersion {
			return ActionNone
		}
		if e.ExpiredObjectDeleteMarker {
			return ActionRemoveMarker
		}
		if e.Days > 0 && !now.Before(DueTime(v.ModTime, e.Days, day)) {
			return ActionRemoveMarker
		}
	case v.IsLatest:
		e := r.Expiration
		if e == nil {
			return ActionNone
		}
		if e.Days > 0 && !now.Before(DueTime(v.ModTime, e.Days, day)) {
			return ActionExpireCurrent
		}
		if !e.Date.IsZero() && !now.Before(e.Date) {
			return ActionExpireCurrent
		}
	default:
		n := r.NoncurrentVersionExpiration
		if n == nil || v.NoncurrentSince.IsZero() {
			return ActionNone
		}
		if v.NewerNoncurrent < n.NewerNoncurrentVersions {
			return ActionNone
		}
		if !now.Before(DueTime(v.NoncurrentSince, n.NoncurrentDays, day)) {
			return ActionExpireNoncurrent
		}
	}
	return ActionNone
}

// AbortUpload reports whether an enabled rule of c aborts an incomplete
// multipart upload of key initiated at initiated, at now. Uploads are
// selected by prefix only (rules with tag filters cannot abort uploads; size
// filters are ignored, an upload having no size yet). It returns the
// deciding rule's ID.
func (c Configuration) AbortUpload(key string, initiated, now time.Time, day time.Duration) (string, bool) {
	for _, r := range c.Rules {
		a := r.AbortIncompleteMultipartUpload
		if !r.Enabled() || a == nil || len(r.Filter.Tags) > 0 || !strings.HasPrefix(key, r.Filter.Prefix) {
			continue
		}
		if !now.Before(DueTime(initiated, a.DaysAfterInitiation, day)) {
			return r.ID, true
		}
	}
	return "", false
}
