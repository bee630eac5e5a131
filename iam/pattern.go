package iam

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// A pattern is a compiled policy string: a Resource, a condition value or a
// principal. It is a sequence of tokens so that policy variables are
// resolved while matching, without building substituted strings, and so
// that the values they resolve to are matched literally: a "*" inside a
// user's prefix never acts as a wildcard.
type pattern struct {
	toks []token
	// lit is the whole pattern when it is one literal token (the common
	// case), letting callers compare strings directly.
	lit    string
	isLit  bool
	hasVar bool
	src    string
}

type tokenKind uint8

const (
	tokLit tokenKind = iota
	tokStar
	tokQuest
	tokVar
)

type token struct {
	kind tokenKind
	// lit is the literal text of tokLit.
	lit string
	// key and def describe tokVar: the context key and its default.
	key    ctxKey
	def    string
	hasDef bool
}

// compilePattern parses s. With wild, '*' and '?' are wildcards; with vars,
// "${…}" is a policy variable (policy Version 2012-10-17 only).
func compilePattern(s string, wild, vars bool) (pattern, error) {
	p := pattern{src: s}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p.toks = append(p.toks, token{kind: tokLit, lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case wild && c == '*':
			flush()
			// Consecutive stars are one star.
			if n := len(p.toks); n == 0 || p.toks[n-1].kind != tokStar {
				p.toks = append(p.toks, token{kind: tokStar})
			}
			i++
		case wild && c == '?':
			flush()
			p.toks = append(p.toks, token{kind: tokQuest})
			i++
		case vars && c == '$' && i+1 < len(s) && s[i+1] == '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return pattern{}, fmt.Errorf("unterminated policy variable in %q", s)
			}
			body := s[i+2 : i+2+end]
			i += 2 + end + 1
			switch body {
			case "*", "?", "$":
				lit.WriteString(body)
				continue
			}
			t, err := parseVariable(body)
			if err != nil {
				return pattern{}, fmt.Errorf("policy variable ${%s} in %q: %w", body, s, err)
			}
			flush()
			p.toks = append(p.toks, t)
			p.hasVar = true
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	if len(p.toks) == 0 {
		p.isLit = true
	} else if len(p.toks) == 1 && p.toks[0].kind == tokLit {
		p.isLit, p.lit = true, p.toks[0].lit
	}
	return p, nil
}

// parseVariable parses the inside of ${…}: a condition key, optionally
// followed by ", 'default'".
func parseVariable(body string) (token, error) {
	key, def, hasDef := body, "", false
	if i := strings.IndexByte(body, ','); i >= 0 {
		key = strings.TrimSpace(body[:i])
		d := strings.TrimSpace(body[i+1:])
		if len(d) < 2 || d[0] != '\'' || d[len(d)-1] != '\'' {
			return token{}, fmt.Errorf("default value must be quoted as 'value'")
		}
		def, hasDef = d[1:len(d)-1], true
	}
	key = strings.TrimSpace(key)
	if err := checkConditionKey(key); err != nil {
		return token{}, err
	}
	return token{kind: tokVar, key: canonicalKey(key), def: def, hasDef: hasDef}, nil
}

// resolve returns the value of a variable token in ctx.
func (t *token) resolve(ctx *evalCtx) (string, bool) {
	if v, ok := ctx.first(t.key); ok {
		return v, true
	}
	if t.hasDef {
		return t.def, true
	}
	return "", false
}

// match reports whether s matches the pattern. A variable with no value in
// ctx makes the pattern match nothing, as AWS does.
func (p *pattern) match(s string, ctx *evalCtx) bool {
	if p.isLit {
		return p.lit == s
	}
	return globMatch(p.toks, s, ctx)
}

// globMatch is the classic iterative wildcard match with backtracking to the
// last star; it never allocates. Literal and variable tokens match a run of
// bytes exactly, '?' one rune, '*' any run of runes.
func globMatch(toks []token, s string, ctx *evalCtx) bool {
	ti, si := 0, 0
	starTi, starSi := -1, 0
	for {
		if ti < len(toks) {
			t := &toks[ti]
			switch t.kind {
			case tokStar:
				starTi, starSi = ti, si
				ti++
				continue
			case tokQuest:
				if si < len(s) {
					_, n := utf8.DecodeRuneInString(s[si:])
					si += n
					ti++
					continue
				}
			case tokLit:
				if strings.HasPrefix(s[si:], t.lit) {
					si += len(t.lit)
					ti++
					continue
				}
			case tokVar:
				v, ok := t.resolve(ctx)
				if !ok {
					return false
				}
				if strings.HasPrefix(s[si:], v) {
					si += len(v)
					ti++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		if starTi < 0 || starSi >= len(s) {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starSi:])
		starSi += n
		si, ti = starSi, starTi+1
	}
}

// equal reports whether s equals the pattern with its variables resolved
// (wildcards are not special), optionally ignoring case.
func (p *pattern) equal(s string, ctx *evalCtx, fold bool) bool {
	if p.isLit {
		if fold {
			return strings.EqualFold(p.lit, s)
		}
		return p.lit == s
	}
	for i := range p.toks {
		t := &p.toks[i]
		v := t.lit
		if t.kind == tokVar {
			var ok bool
			if v, ok = t.resolve(ctx); !ok {
				return false
			}
		}
		if len(s) < len(v) {
			return false
		}
		if fold {
			if !strings.EqualFold(s[:len(v)], v) {
				return false
			}
		} else if s[:len(v)] != v {
			return false
		}
		s = s[len(v):]
	}
	return s == ""
}

// hasWildcard reports whether the pattern has a '*' or '?'.
func (p *pattern) hasWildcard() bool {
	for _, t := range p.toks {
		if t.kind == tokStar || t.kind == tokQuest {
			return true
		}
	}
	return false
}

// wildMatchFold matches s against a plain wildcard pattern ignoring case;
// it is used for actions, which have no variables.
func wildMatchFold(pat, s string) bool {
	pi, si := 0, 0
	starPi, starSi := -1, 0
	for {
		if pi < len(pat) {
			switch c := pat[pi]; c {
			case '*':
				starPi, starSi = pi, si
				pi++
				continue
			case '?':
				if si < len(s) {
					pi++
					si++
					continue
				}
			default:
				if si < len(s) && lowerASCII(c) == lowerASCII(s[si]) {
					pi++
					si++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		if starPi < 0 || starSi >= len(s) {
			return false
		}
		starSi++
		si, pi = starSi, starPi+1
	}
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
