package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// Parsing of flag values shared by several verbs. Each returns a
// usageError, so a bad value exits with status 2 before any request.

// maxPolicyInput bounds a policy read from a file or stdin; the server's
// limits are a few KiB, so anything this large is a mistake.
const maxPolicyInput = 1 << 20

// policyInput is the --policy JSON / --policy-file FILE pair.
type policyInput struct {
	inline, file string
}

func addPolicyFlags(fs *flag.FlagSet, what string) *policyInput {
	p := &policyInput{}
	fs.StringVar(&p.inline, "policy", "", what+" as a JSON string")
	fs.StringVar(&p.file, "policy-file", "", what+" read from FILE (- for stdin)")
	return p
}

// given reports whether either flag was used.
func (p *policyInput) given() bool { return p.inline != "" || p.file != "" }

// read returns the document; ok is false when neither flag was given.
func (p *policyInput) read(stdin io.Reader) (doc string, ok bool, err error) {
	switch {
	case p.inline != "" && p.file != "":
		return "", false, usagef("give --policy or --policy-file, not both")
	case p.inline != "":
		return p.inline, true, nil
	case p.file == "":
		return "", false, nil
	}
	var r io.Reader
	if p.file == "-" {
		if stdin == nil {
			return "", false, usagef("--policy-file -: no standard input")
		}
		r = stdin
	} else {
		f, err := os.Open(p.file)
		if err != nil {
			return "", false, usagef("--policy-file: %v", err)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxPolicyInput+1))
	if err != nil {
		return "", false, usagef("--policy-file %s: %v", p.file, err)
	}
	if len(b) > maxPolicyInput {
		return "", false, usagef("--policy-file %s: larger than %d bytes", p.file, maxPolicyInput)
	}
	if strings.TrimSpace(string(b)) == "" {
		return "", false, usagef("--policy-file %s is empty", p.file)
	}
	return string(b), true, nil
}

// iamARN returns an IAM ARN for name of the given kind ("user", "policy"…),
// or name itself when it already is an ARN. The account field is left
// empty: Cairn reads an empty account as its own.
func iamARN(kind, name string) string {
	if strings.HasPrefix(name, "arn:") {
		return name
	}
	return "arn:aws:iam:::" + kind + "/" + name
}

// policyARN names a managed policy by name (builtins included) or ARN.
func policyARN(nameOrARN string) string { return iamARN("policy", nameOrARN) }

// parseStatus accepts Active/Inactive in any case, and enabled/disabled.
func parseStatus(flagName, v string) (string, error) {
	switch strings.ToLower(v) {
	case "active", "enabled", "enable":
		return "Active", nil
	case "inactive", "disabled", "disable":
		return "Inactive", nil
	}
	return "", usagef("--%s %q: want Active or Inactive", flagName, v)
}

// parseUint32 checks a POSIX uid/gid.
func parseUint32(flagName, v string) (string, error) {
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return "", usagef("--%s %q: want a number from 0 to %d", flagName, v, uint32(1<<32-1))
	}
	return strconv.FormatUint(n, 10), nil
}

// parseSeconds accepts a Go duration ("1h30m") or a number of seconds and
// returns whole seconds.
func parseSeconds(flagName, v string) (string, error) {
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		return strconv.FormatUint(n, 10), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 || d%time.Second != 0 {
		return "", usagef("--%s %q: want whole seconds (3600) or a duration (1h)", flagName, v)
	}
	return strconv.FormatInt(int64(d/time.Second), 10), nil
}

// parseExpiration accepts an RFC 3339 time or a duration from now, and
// returns ISO 8601 UTC as the wire wants it.
func parseExpiration(flagName, v string, now time.Time) (string, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC().Format(time.RFC3339), nil
	}
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return now.Add(d).UTC().Truncate(time.Second).Format(time.RFC3339), nil
	}
	return "", usagef("--%s %q: want an RFC 3339 time (2030-01-02T15:04:05Z) or a duration from now (720h)", flagName, v)
}

// flagsSet returns the names of the flags given on the command line.
func flagsSet(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// oneOf checks that exactly one of the named string values is non-empty and
// returns its index.
func oneOf(names []string, values ...string) (int, error) {
	idx := -1
	for i, v := range values {
		if v == "" {
			continue
		}
		if idx >= 0 {
			return 0, usagef("give only one of --%s", strings.Join(names, ", --"))
		}
		idx = i
	}
	if idx < 0 {
		return 0, usagef("give one of --%s", strings.Join(names, ", --"))
	}
	return idx, nil
}

// errPartial wraps the failure of a later step of a multi-call verb with
// what the earlier steps already did.
func errPartial(done string, err error) error { return fmt.Errorf("%s, but then: %w", done, err) }
