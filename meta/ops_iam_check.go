package meta

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cairn-s3/cairn/iam"
)

// Shared pure checks and applier helpers of the IAM ops.

// invalid returns an input error wrapping iam.ErrInvalidInput.
func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: %s", iam.ErrInvalidInput, fmt.Sprintf(format, a...))
}

func noSuch(kind, name string) error {
	return fmt.Errorf("%w: the %s with name %s cannot be found", ErrNoSuchEntity, kind, name)
}

func exists(kind, name string) error {
	return fmt.Errorf("%w: %s with name %s already exists", ErrEntityAlreadyExists, kind, name)
}

// checkPath applies AWS's rule for IAM paths: "" (meaning "/") or 1–512
// printable ASCII characters starting and ending with "/".
func checkPath(p string) error {
	if p == "" {
		return nil
	}
	if len(p) > 512 || p[0] != '/' || p[len(p)-1] != '/' {
		return invalid("path %q must begin and end with '/' and be at most 512 characters", p)
	}
	for i := 0; i < len(p); i++ {
		if p[i] < 0x21 || p[i] > 0x7e {
			return invalid("path %q may contain only printable ASCII characters without spaces", p)
		}
	}
	return nil
}

func checkCreated(kind, name string, t time.Time) error {
	if t.IsZero() {
		return invalid("%s %q has no creation time", kind, name)
	}
	return nil
}

func checkID(kind, name, id string) error {
	if id == "" || len(id) > 128 {
		return invalid("%s %q has no valid unique ID", kind, name)
	}
	return nil
}

func checkStatus(s string) error {
	if s != iam.StatusActive && s != iam.StatusInactive {
		return invalid("status %q (want %s or %s)", s, iam.StatusActive, iam.StatusInactive)
	}
	return nil
}

// checkText bounds a free-text field (descriptions, display names).
func checkText(field, s string, max int) error {
	if len(s) > max {
		return invalid("%s of %d bytes exceeds %d", field, len(s), max)
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
			return invalid("%s contains control characters", field)
		}
	}
	return nil
}

// checkEntityRef validates a user, group or role reference.
func checkEntityRef(r EntityRef) error {
	switch r.Kind {
	case EntityUser:
		return iam.ValidateUserName(r.Name)
	case EntityGroup:
		return iam.ValidateGroupName(r.Name)
	case EntityRole:
		return iam.ValidateRoleName(r.Name)
	}
	return invalid("entity kind %d is not user, group or role", r.Kind)
}

// inlineKind is the policy kind of an inline policy on an entity of kind k.
func inlineKind(k EntityKind) iam.PolicyKind {
	switch k {
	case EntityGroup:
		return iam.PolicyInlineGroup
	case EntityRole:
		return iam.PolicyInlineRole
	}
	return iam.PolicyInlineUser
}

// checkPolicy validates a document with rules every replica shares (the
// hard size limit, not the node's configured one).
func checkPolicy(kind iam.PolicyKind, doc string) error {
	if len(doc) > maxPolicyChars*2 {
		return fmt.Errorf("%w: document of %d bytes", iam.ErrPolicyTooLarge, len(doc))
	}
	_, err := iam.ValidatePolicy(kind, doc, hardLimits())
	return err
}

// isBuiltinPolicy reports whether name is one of iam's builtin policies.
// They are code, not state: the same on every replica of a release.
func isBuiltinPolicy(name string) bool {
	for _, p := range iam.BuiltinPolicies() {
		if p.Name == name {
			return true
		}
	}
	return false
}

// policyHolder is the policy-bearing part of a user, group or role, on a
// clone of the record; save stages the clone.
type policyHolder struct {
	attached *[]string
	inline   *map[string]string
	save     func() error
}

// holder loads the entity r names for a policy change.
func holder(t *tx, r EntityRef) (policyHolder, error) {
	switch r.Kind {
	case EntityUser:
		u, ok := get(t, kindUser, r.Name)
		if !ok {
			return policyHolder{}, noSuch("user", r.Name)
		}
		u = cloneUser(u)
		return policyHolder{&u.AttachedPolicies, &u.InlinePolicies, func() error { return put(t, kindUser, u) }}, nil
	case EntityGroup:
		g, ok := get(t, kindGroup, r.Name)
		if !ok {
			return policyHolder{}, noSuch("group", r.Name)
		}
		g = cloneGroup(g)
		return policyHolder{&g.AttachedPolicies, &g.InlinePolicies, func() error { return put(t, kindGroup, g) }}, nil
	case EntityRole:
		ro, ok := get(t, kindRole, r.Name)
		if !ok {
			return policyHolder{}, noSuch("role", r.Name)
		}
		ro = cloneRole(ro)
		return policyHolder{&ro.AttachedPolicies, &ro.InlinePolicies, func() error { return put(t, kindRole, ro) }}, nil
	}
	return policyHolder{}, invalid("entity kind %d is not user, group or role", r.Kind)
}

// describeDependents words a DeleteConflict: "access keys [a b], groups [g]".
func describeDependents(parts ...any) string {
	var b strings.Builder
	for i := 0; i+1 < len(parts); i += 2 {
		names := parts[i+1].([]string)
		if len(names) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		shown := names
		if len(shown) > 5 {
			shown = shown[:5]
		}
		fmt.Fprintf(&b, "%s %s", parts[i], strings.Join(shown, " "))
		if len(names) > len(shown) {
			fmt.Fprintf(&b, " (and %d more)", len(names)-len(shown))
		}
	}
	return b.String()
}

// insertSorted adds s to a sorted list if absent.
func insertSorted(list []string, s string) []string {
	i, found := slices.BinarySearch(list, s)
	if found {
		return list
	}
	return slices.Insert(list, i, s)
}

// removeString removes every s from list, reporting whether it was there.
func removeString(list []string, s string) ([]string, bool) {
	n := len(list)
	list = slices.DeleteFunc(list, func(x string) bool { return x == s })
	if len(list) == 0 {
		list = nil
	}
	return list, len(list) != n
}
