package iam

import (
	"crypto/rand"
	"fmt"
	"unicode/utf8"
)

// Name rules are AWS's: letters, digits and +=,.@_- (no spaces), with a
// length limit per entity.
func validateName(what, s string, max int) error {
	if s == "" {
		return fmt.Errorf("%w: %s name must not be empty", ErrInvalidInput, what)
	}
	if len(s) > max {
		return fmt.Errorf("%w: %s name %q is %d characters; the limit is %d", ErrInvalidInput, what, s, len(s), max)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '_' || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-'
		if !ok {
			if c == ' ' {
				return fmt.Errorf("%w: %s name %q must not contain spaces (allowed: letters, digits and +=,.@_-)", ErrInvalidInput, what, s)
			}
			return fmt.Errorf("%w: %s name %q has the character %q; allowed: letters, digits and +=,.@_-", ErrInvalidInput, what, s, c)
		}
	}
	return nil
}

// ValidateUserName checks an IAM user name: 1–64 of [A-Za-z0-9+=,.@_-].
func ValidateUserName(s string) error { return validateName("user", s, 64) }

// ValidateGroupName checks an IAM group name: 1–128 of [A-Za-z0-9+=,.@_-].
func ValidateGroupName(s string) error { return validateName("group", s, 128) }

// ValidatePolicyName checks a managed or inline policy name: 1–128 of
// [A-Za-z0-9+=,.@_-].
func ValidatePolicyName(s string) error { return validateName("policy", s, 128) }

// ValidateRoleName checks an IAM role name: 1–64 of [A-Za-z0-9+=,.@_-].
func ValidateRoleName(s string) error { return validateName("role", s, 64) }

// ValidateAccessKeyID checks a caller-chosen access key ID (the WEKA
// convenience form uses the user name): 3–128 printable characters, no
// spaces, and none of '/' and ',' which would break the SigV4 Credential
// field.
func ValidateAccessKeyID(s string) error {
	if len(s) < 3 {
		return fmt.Errorf("%w: access key must be at least 3 characters", ErrInvalidInput)
	}
	if len(s) > 128 {
		return fmt.Errorf("%w: access key must be at most 128 characters", ErrInvalidInput)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: access key must be valid UTF-8", ErrInvalidInput)
	}
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t':
			return fmt.Errorf("%w: access key %q must not contain spaces", ErrInvalidInput, s)
		case r < 0x20 || r == 0x7f:
			return fmt.Errorf("%w: access key must not contain control characters", ErrInvalidInput)
		case r == '/' || r == ',':
			return fmt.Errorf("%w: access key %q must not contain %q (it would break request signing)", ErrInvalidInput, s, r)
		case r > 0x7e:
			return fmt.Errorf("%w: access key %q must be ASCII", ErrInvalidInput, s)
		}
	}
	return nil
}

// ValidateSecretKey checks a caller-chosen secret: 8–128 characters, no
// control characters. The secret itself never appears in the message.
func ValidateSecretKey(s string) error {
	if utf8.RuneCountInString(s) < 8 {
		return fmt.Errorf("%w: secret key must be at least 8 characters", ErrInvalidInput)
	}
	if len(s) > 128 {
		return fmt.Errorf("%w: secret key must be at most 128 characters", ErrInvalidInput)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%w: secret key must not contain control characters", ErrInvalidInput)
		}
	}
	return nil
}

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	mixedAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// randomString returns n characters drawn uniformly from alphabet with
// crypto/rand (rejection sampling, so no modulo bias).
func randomString(alphabet string, n int) string {
	out := make([]byte, 0, n)
	limit := 256 - 256%len(alphabet)
	var buf [64]byte
	for len(out) < n {
		if _, err := rand.Read(buf[:]); err != nil {
			panic("iam: crypto/rand failed: " + err.Error()) // crypto/rand does not fail on supported platforms
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// NewAccessKeyID returns a new access key ID: prefix ("AKIA" for users,
// "ASIA" for sessions, "CAIRNSA" for service accounts) followed by random
// upper-case letters and digits, 20 characters in all (at least 12 random
// characters for longer prefixes).
func NewAccessKeyID(prefix string) string {
	n := 20 - len(prefix)
	if n < 12 {
		n = 12
	}
	return prefix + randomString(upperAlnum, n)
}

// NewSecretKey returns a new 40-character secret key (about 238 bits).
func NewSecretKey() string { return randomString(mixedAlnum, 40) }

// NewUniqueID returns a new unique ID: prefix ("AIDA" users, "AGPA" groups,
// "ANPA" policies, "AROA" roles) followed by 17 random upper-case letters
// and digits, as AWS IDs are 21 characters.
func NewUniqueID(prefix string) string { return prefix + randomString(upperAlnum, 17) }
