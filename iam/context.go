package iam

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ctxKey is a compiled condition key: its canonical spelling and, for the
// keys the Directory answers from the identity, a small integer so lookups
// need no string comparison.
type ctxKey struct {
	name string
	id   keyID
}

type keyID uint8

const (
	keyRequest       keyID = iota // answered from Request.Conditions
	keyUsername                   // aws:username
	keyUserID                     // aws:userid
	keyPrincipalType              // aws:PrincipalType
	keyPrincipalArn               // aws:PrincipalArn
	keyPrincipalAcct              // aws:PrincipalAccount
	keyEpochTime                  // aws:EpochTime (derived from aws:CurrentTime when absent)
)

// knownKeys maps the lower-cased spelling of every condition key Cairn
// fills (or AWS documents for S3) to its canonical spelling. Keys are
// case-insensitive in policies; Request.Conditions uses these spellings.
var knownKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{
		"aws:SourceIp", "aws:SecureTransport", "aws:CurrentTime", "aws:EpochTime",
		"aws:username", "aws:userid", "aws:PrincipalType", "aws:PrincipalArn",
		"aws:PrincipalAccount", "aws:UserAgent", "aws:Referer", "aws:TokenIssueTime",
		"aws:MultiFactorAuthPresent", "aws:RequestedRegion", "aws:SourceVpce", "aws:SourceVpc",
		"aws:SourceArn", "aws:SourceAccount", "aws:ViaAWSService", "aws:CalledVia",
		"aws:PrincipalIsAWSService", "aws:TagKeys",
		"s3:prefix", "s3:delimiter", "s3:max-keys", "s3:x-amz-acl", "s3:VersionId",
		"s3:signatureversion", "s3:authType", "s3:signatureAge", "s3:TlsVersion",
		"s3:x-amz-content-sha256", "s3:x-amz-copy-source", "s3:x-amz-metadata-directive",
		"s3:x-amz-server-side-encryption", "s3:x-amz-server-side-encryption-aws-kms-key-id",
		"s3:x-amz-storage-class", "s3:x-amz-website-redirect-location",
		"s3:x-amz-grant-read", "s3:x-amz-grant-write", "s3:x-amz-grant-read-acp",
		"s3:x-amz-grant-write-acp", "s3:x-amz-grant-full-control",
		"s3:object-lock-mode", "s3:object-lock-retain-until-date",
		"s3:object-lock-remaining-retention-days", "s3:object-lock-legal-hold",
		"s3:RequestObjectTagKeys", "s3:locationconstraint", "s3:ResourceAccount",
		"s3:DataAccessPointArn", "s3:DataAccessPointAccount", "s3:AccessPointNetworkOrigin",
		"s3:if-match", "s3:if-none-match", "s3:x-amz-object-ownership",
	} {
		m[strings.ToLower(k)] = k
	}
	return m
}()

// taggedKeyPrefixes are key families whose suffix (a tag key) is
// case-sensitive while the prefix is not.
var taggedKeyPrefixes = []string{
	"s3:ExistingObjectTag/", "s3:RequestObjectTag/", "aws:PrincipalTag/",
	"aws:RequestTag/", "aws:ResourceTag/",
}

// canonicalKey compiles a condition key name.
func canonicalKey(k string) ctxKey {
	name := k
	if c, ok := knownKeys[strings.ToLower(k)]; ok {
		name = c
	} else {
		for _, p := range taggedKeyPrefixes {
			if len(k) > len(p) && strings.EqualFold(k[:len(p)], p) {
				name = p + k[len(p):]
				break
			}
		}
	}
	var id keyID
	switch name {
	case "aws:username":
		id = keyUsername
	case "aws:userid":
		id = keyUserID
	case "aws:PrincipalType":
		id = keyPrincipalType
	case "aws:PrincipalArn":
		id = keyPrincipalArn
	case "aws:PrincipalAccount":
		id = keyPrincipalAcct
	case "aws:EpochTime":
		id = keyEpochTime
	}
	return ctxKey{name: name, id: id}
}

// checkConditionKey checks the shape of a condition key: "service:name".
func checkConditionKey(k string) error {
	i := strings.IndexByte(k, ':')
	if i <= 0 || i == len(k)-1 {
		return fmt.Errorf("condition key %q must have the form service:name", k)
	}
	for j := 0; j < len(k); j++ {
		if c := k[j]; c <= ' ' || c == 0x7f || c == '$' || c == '{' || c == '}' || c == '*' || c == '?' {
			return fmt.Errorf("condition key %q has an invalid character %q", k, c)
		}
	}
	return nil
}

// evalCtx is what a statement is evaluated against: the request and the
// compiled principal. It lives on the stack of Authorize.
type evalCtx struct {
	req *Request
	p   *principal
	// epoch caches aws:EpochTime derived from aws:CurrentTime.
	epoch []string
}

// values returns the context values of a key and whether it is present.
// Identity-derived keys come from the principal and cannot be supplied by
// the request.
func (c *evalCtx) values(k ctxKey) ([]string, bool) {
	if k.id == keyEpochTime {
		return c.epochTime()
	}
	if k.id != keyRequest {
		if c.p == nil {
			return nil, false
		}
		var v []string
		switch k.id {
		case keyUsername:
			v = c.p.varUsername
		case keyUserID:
			v = c.p.varUserID
		case keyPrincipalType:
			v = c.p.varType
		case keyPrincipalArn:
			v = c.p.varArn
		case keyPrincipalAcct:
			v = c.p.varAccount
		}
		return v, len(v) > 0
	}
	if c.req == nil || c.req.Conditions == nil {
		return nil, false
	}
	v, ok := c.req.Conditions[k.name]
	return v, ok
}

// first returns the first value of a key, for policy variables.
func (c *evalCtx) first(k ctxKey) (string, bool) {
	v, ok := c.values(k)
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[0], true
}

func (c *evalCtx) epochTime() ([]string, bool) {
	if c.req != nil {
		if v, ok := c.req.Conditions["aws:EpochTime"]; ok {
			return v, true
		}
	}
	if c.epoch != nil {
		return c.epoch, true
	}
	if c.req == nil {
		return nil, false
	}
	cur, ok := c.req.Conditions["aws:CurrentTime"]
	if !ok || len(cur) == 0 {
		return nil, false
	}
	t, err := parseDate(cur[0])
	if err != nil {
		return nil, false
	}
	c.epoch = []string{strconv.FormatInt(t.Unix(), 10)}
	return c.epoch, true
}

// parseDate parses an AWS date condition value: ISO 8601 (with or without
// fractional seconds, a date alone) or epoch seconds.
func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("empty date")
	}
	if allDigits(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, err
		}
		return time.Unix(n, 0).UTC(), nil
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is neither an ISO 8601 date nor epoch seconds", s)
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02",
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// CanonicalConditionKey returns the spelling of a condition key that
// Request.Conditions must use: condition keys are case-insensitive in
// policies ("AWS:SourceIP"), so callers taking keys from users (the policy
// simulator's context entries) normalize them with this. Tag keys after
// "s3:ExistingObjectTag/" and similar prefixes keep their case.
func CanonicalConditionKey(k string) string { return canonicalKey(k).name }
