package bench

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Op is one benchmarked operation.
type Op string

// The operations of `cairn bench`. OpMixed is not an operation of its own:
// it draws one of the others per request according to a Mix.
const (
	OpPut       Op = "put"
	OpGet       Op = "get"
	OpStat      Op = "stat"
	OpDelete    Op = "delete"
	OpList      Op = "list"
	OpMultipart Op = "multipart"
	OpMixed     Op = "mixed"
)

// Ops lists the operations that may appear in a mix, in report order.
var Ops = []Op{OpPut, OpGet, OpStat, OpDelete, OpList, OpMultipart}

// ParseOp accepts an operation name, including "mixed".
func ParseOp(s string) (Op, error) {
	op := Op(strings.ToLower(strings.TrimSpace(s)))
	if op == OpMixed {
		return op, nil
	}
	for _, o := range Ops {
		if o == op {
			return op, nil
		}
	}
	return "", fmt.Errorf("unknown operation %q (want put, get, stat, delete, list, multipart or mixed)", s)
}

// MixEntry is one operation's weight in a mix.
type MixEntry struct {
	Op     Op  `json:"op"`
	Weight int `json:"weight"`
}

// Mix is a weighted choice of operations. Weights are relative: put=1,get=3
// is the same mix as put=25,get=75.
type Mix []MixEntry

// DefaultMix is the mix of the standard suite: read-heavy, as object
// stores mostly are.
const DefaultMix = "put=20,get=70,stat=5,delete=5"

// ParseMix parses "put=20,get=70,stat=5,delete=5". Each operation may appear
// once; a zero weight drops it; at least one weight must be positive.
func ParseMix(s string) (Mix, error) {
	var m Mix
	seen := map[Op]bool{}
	total := 0
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, w, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("mix %q: %q is not op=weight", s, part)
		}
		op, err := ParseOp(name)
		if err != nil || op == OpMixed {
			return nil, fmt.Errorf("mix %q: unknown operation %q", s, name)
		}
		if seen[op] {
			return nil, fmt.Errorf("mix %q: %s given twice", s, op)
		}
		seen[op] = true
		n, err := strconv.Atoi(strings.TrimSpace(w))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("mix %q: weight %q of %s is not a non-negative integer", s, w, op)
		}
		if n == 0 {
			continue
		}
		total += n
		m = append(m, MixEntry{Op: op, Weight: n})
	}
	if total == 0 {
		return nil, fmt.Errorf("mix %q: no operation has a positive weight", s)
	}
	sort.SliceStable(m, func(i, j int) bool { return opIndex(m[i].Op) < opIndex(m[j].Op) })
	return m, nil
}

func opIndex(op Op) int {
	for i, o := range Ops {
		if o == op {
			return i
		}
	}
	return len(Ops)
}

// Total is the sum of the weights.
func (m Mix) Total() int {
	t := 0
	for _, e := range m {
		t += e.Weight
	}
	return t
}

// Pick maps n in [0, Total()) to an operation.
func (m Mix) Pick(n int) Op {
	for _, e := range m {
		if n < e.Weight {
			return e.Op
		}
		n -= e.Weight
	}
	return m[len(m)-1].Op
}

// Has reports whether op has a positive weight.
func (m Mix) Has(op Op) bool {
	for _, e := range m {
		if e.Op == op {
			return true
		}
	}
	return false
}

func (m Mix) String() string {
	parts := make([]string, len(m))
	for i, e := range m {
		parts[i] = fmt.Sprintf("%s=%d", e.Op, e.Weight)
	}
	return strings.Join(parts, ",")
}
