package iam

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// A condition is one key under one operator of a statement's Condition
// block, compiled: the operator decomposed into family, comparison and
// modifiers, the policy values parsed into their types once.
type condition struct {
	op   string // as written, for messages
	fam  opFamily
	cmp  cmpOp
	neg  bool // a Not… operator
	fold bool // …IgnoreCase
	// ifExists: a missing key satisfies the condition.
	ifExists bool
	set      setQual
	key      ctxKey

	strs  []pattern      // String*, Arn* (Arn: six components per value in arns)
	arns  [][6]pattern   // Arn*
	nums  []float64      // Numeric*
	dates []time.Time    // Date*
	nets  []netip.Prefix // IpAddress
	bools []bool         // Bool, Null
}

type opFamily uint8

const (
	famStringEq opFamily = iota
	famStringLike
	famNumeric
	famDate
	famBool
	famIP
	famArn
	famNull
)

type cmpOp uint8

const (
	cmpEq cmpOp = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

type setQual uint8

const (
	setNone setQual = iota
	setAny
	setAll
)

// operators maps every supported base operator (without qualifier and
// IfExists) to its meaning.
var operators = map[string]struct {
	fam  opFamily
	cmp  cmpOp
	neg  bool
	fold bool
}{
	"StringEquals":              {fam: famStringEq},
	"StringNotEquals":           {fam: famStringEq, neg: true},
	"StringEqualsIgnoreCase":    {fam: famStringEq, fold: true},
	"StringNotEqualsIgnoreCase": {fam: famStringEq, fold: true, neg: true},
	"StringLike":                {fam: famStringLike},
	"StringNotLike":             {fam: famStringLike, neg: true},
	"NumericEquals":             {fam: famNumeric, cmp: cmpEq},
	"NumericNotEquals":          {fam: famNumeric, cmp: cmpEq, neg: true},
	"NumericLessThan":           {fam: famNumeric, cmp: cmpLt},
	"NumericLessThanEquals":     {fam: famNumeric, cmp: cmpLe},
	"NumericGreaterThan":        {fam: famNumeric, cmp: cmpGt},
	"NumericGreaterThanEquals":  {fam: famNumeric, cmp: cmpGe},
	"DateEquals":                {fam: famDate, cmp: cmpEq},
	"DateNotEquals":             {fam: famDate, cmp: cmpEq, neg: true},
	"DateLessThan":              {fam: famDate, cmp: cmpLt},
	"DateLessThanEquals":        {fam: famDate, cmp: cmpLe},
	"DateGreaterThan":           {fam: famDate, cmp: cmpGt},
	"DateGreaterThanEquals":     {fam: famDate, cmp: cmpGe},
	"Bool":                      {fam: famBool},
	"IpAddress":                 {fam: famIP},
	"NotIpAddress":              {fam: famIP, neg: true},
	"ArnEquals":                 {fam: famArn},
	"ArnNotEquals":              {fam: famArn, neg: true},
	"ArnLike":                   {fam: famArn},
	"ArnNotLike":                {fam: famArn, neg: true},
	"Null":                      {fam: famNull},
}

// compileCondition compiles operator op applied to key with the policy
// values vals (already converted from JSON strings, numbers or booleans).
func compileCondition(op, key string, vals []string, vars bool) (condition, error) {
	c := condition{op: op}
	base := op
	switch {
	case strings.HasPrefix(base, "ForAnyValue:"):
		c.set, base = setAny, strings.TrimPrefix(base, "ForAnyValue:")
	case strings.HasPrefix(base, "ForAllValues:"):
		c.set, base = setAll, strings.TrimPrefix(base, "ForAllValues:")
	}
	if b, ok := strings.CutSuffix(base, "IfExists"); ok {
		c.ifExists, base = true, b
	}
	spec, ok := operators[base]
	if !ok {
		return c, fmt.Errorf("unknown condition operator %q", op)
	}
	c.fam, c.cmp, c.neg, c.fold = spec.fam, spec.cmp, spec.neg, spec.fold
	if c.fam == famNull && (c.ifExists || c.set != setNone) {
		return c, fmt.Errorf("condition operator %q: Null takes neither IfExists nor a set qualifier", op)
	}
	if err := checkConditionKey(key); err != nil {
		return c, fmt.Errorf("condition operator %s: %w", op, err)
	}
	c.key = canonicalKey(key)
	if len(vals) == 0 {
		return c, fmt.Errorf("condition %s on %q has no values", op, key)
	}
	for _, v := range vals {
		if err := c.addValue(v, vars); err != nil {
			return c, fmt.Errorf("condition %s on %q: %w", op, key, err)
		}
	}
	return c, nil
}

func (c *condition) addValue(v string, vars bool) error {
	switch c.fam {
	case famStringEq, famStringLike:
		p, err := compilePattern(v, c.fam == famStringLike, vars)
		if err != nil {
			return err
		}
		c.strs = append(c.strs, p)
	case famArn:
		parts, err := compileARNPattern(v, vars)
		if err != nil {
			return err
		}
		c.arns = append(c.arns, parts)
	case famNumeric:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("value %q is not a number", v)
		}
		c.nums = append(c.nums, n)
	case famDate:
		t, err := parseDate(v)
		if err != nil {
			return fmt.Errorf("value %q is not a date (ISO 8601 or epoch seconds)", v)
		}
		c.dates = append(c.dates, t)
	case famBool, famNull:
		b, err := parseBool(v)
		if err != nil {
			return fmt.Errorf("value %q is not true or false", v)
		}
		c.bools = append(c.bools, b)
	case famIP:
		p, err := parseCIDR(v)
		if err != nil {
			return fmt.Errorf("value %q is not an IP address or CIDR block", v)
		}
		c.nets = append(c.nets, p)
	}
	return nil
}

func parseBool(v string) (bool, error) {
	switch {
	case strings.EqualFold(v, "true"):
		return true, nil
	case strings.EqualFold(v, "false"):
		return false, nil
	}
	return false, fmt.Errorf("not a boolean")
}

func parseCIDR(v string) (netip.Prefix, error) {
	if strings.IndexByte(v, '/') >= 0 {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return p, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// compileARNPattern splits an ARN condition value into its six components
// (the last keeps its colons), each a wildcard pattern, as ArnLike compares
// component by component. Colons inside ${…} do not split.
func compileARNPattern(v string, vars bool) ([6]pattern, error) {
	var out [6]pattern
	parts := splitARN(v, vars)
	if len(parts) != 6 || parts[0] != "arn" {
		return out, fmt.Errorf("value %q is not an ARN (arn:partition:service:region:account:resource)", v)
	}
	for i, s := range parts {
		p, err := compilePattern(s, true, vars)
		if err != nil {
			return out, err
		}
		out[i] = p
	}
	return out, nil
}

// splitARN splits s on its first five colons outside policy variables.
func splitARN(s string, vars bool) []string {
	var parts []string
	start, depth := 0, 0
	for i := 0; i < len(s) && len(parts) < 5; i++ {
		switch {
		case vars && s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
		case depth > 0 && s[i] == '}':
			depth--
		case depth == 0 && s[i] == ':':
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// eval decides the condition in ctx, with AWS semantics: a missing key
// fails a positive operator and satisfies a negated one (and any …IfExists);
// several policy values are ORed for positive operators and, as the
// negation of that, ANDed for negated ones; ForAnyValue needs one context
// value to satisfy the operator, ForAllValues every one (vacuously true for
// a missing key).
func (c *condition) eval(ctx *evalCtx) bool {
	vals, present := ctx.values(c.key)
	present = present && len(vals) > 0
	if c.fam == famNull {
		for _, b := range c.bools {
			if b != present {
				return true
			}
		}
		return false
	}
	switch c.set {
	case setAny:
		if !present {
			return c.ifExists
		}
		for _, v := range vals {
			if c.matchOne(v, ctx) != c.neg {
				return true
			}
		}
		return false
	case setAll:
		if !present {
			return true
		}
		for _, v := range vals {
			if c.matchOne(v, ctx) == c.neg {
				return false
			}
		}
		return true
	}
	if !present {
		return c.ifExists || c.neg
	}
	for _, v := range vals {
		if c.matchOne(v, ctx) {
			return !c.neg
		}
	}
	return c.neg
}

// matchOne reports whether one context value matches any policy value
// under the positive form of the operator.
func (c *condition) matchOne(v string, ctx *evalCtx) bool {
	switch c.fam {
	case famStringEq:
		for i := range c.strs {
			if c.strs[i].equal(v, ctx, c.fold) {
				return true
			}
		}
	case famStringLike:
		for i := range c.strs {
			if c.strs[i].match(v, ctx) {
				return true
			}
		}
	case famArn:
		for i := range c.arns {
			if matchARN(&c.arns[i], v, ctx) {
				return true
			}
		}
	case famNumeric:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return false
		}
		for _, p := range c.nums {
			if compare(c.cmp, cmpFloat(n, p)) {
				return true
			}
		}
	case famDate:
		t, err := parseDate(v)
		if err != nil {
			return false
		}
		for _, p := range c.dates {
			if compare(c.cmp, t.Compare(p)) {
				return true
			}
		}
	case famBool:
		b, err := parseBool(v)
		if err != nil {
			return false
		}
		for _, p := range c.bools {
			if b == p {
				return true
			}
		}
	case famIP:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		a = a.Unmap().WithZone("")
		for _, p := range c.nets {
			if p.Contains(a) {
				return true
			}
		}
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compare applies op to the result of a three-way comparison of the
// context value with the policy value.
func compare(op cmpOp, r int) bool {
	switch op {
	case cmpEq:
		return r == 0
	case cmpLt:
		return r < 0
	case cmpLe:
		return r <= 0
	case cmpGt:
		return r > 0
	case cmpGe:
		return r >= 0
	}
	return false
}

// matchARN matches a context ARN component by component without
// allocating.
func matchARN(p *[6]pattern, v string, ctx *evalCtx) bool {
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(v, ':')
		if j < 0 {
			return false
		}
		if !p[i].match(v[:j], ctx) {
			return false
		}
		v = v[j+1:]
	}
	return p[5].match(v, ctx)
}
