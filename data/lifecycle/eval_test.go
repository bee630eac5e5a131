package lifecycle

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestEvaluateData runs the scripts of testdata/eval*.txt. A script is a
// sequence of blocks:
//
//	config [day=<duration>]
//	<JSON array of rules, over any number of lines>
//	<blank line>
//	eval <version args> now=<time> => <action> [rule=<id>]
//	abort key=<key> initiated=<time> now=<time> => abort rule=<id> | keep
//
// Times are RFC 3339 or a Go duration after the Unix epoch. Version args:
// key=, size=, tags=k:v,k:v, mtime=, noncurrent=<time> (the version is
// noncurrent since then), newer=<n>, marker, only.
func TestEvaluateData(t *testing.T) {
	files, err := filepath.Glob("testdata/eval*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { runEvalScript(t, f) })
	}
}

func runEvalScript(t *testing.T, path string) {
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var (
		cfg     Configuration
		day     = 24 * time.Hour
		inJSON  bool
		jsonBuf strings.Builder
		cases   int
	)
	sc := bufio.NewScanner(fh)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		where := fmt.Sprintf("%s:%d", path, n)
		if inJSON {
			if line != "" {
				jsonBuf.WriteString(line)
				continue
			}
			inJSON = false
			c, err := Decode(`{"v":1,"rules":` + jsonBuf.String() + `}`)
			if err != nil {
				t.Fatalf("%s: config: %v", where, err)
			}
			cfg = c
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cmd, rest, _ := strings.Cut(line, " ")
		switch cmd {
		case "config":
			day = 24 * time.Hour
			if v, ok := strings.CutPrefix(rest, "day="); ok {
				if day, err = time.ParseDuration(v); err != nil {
					t.Fatalf("%s: %v", where, err)
				}
			}
			inJSON = true
			jsonBuf.Reset()
		case "eval", "abort":
			args, want, ok := strings.Cut(rest, "=>")
			if !ok {
				t.Fatalf("%s: missing =>", where)
			}
			got := runEvalCase(t, where, cfg, day, cmd, strings.Fields(args))
			if got != strings.TrimSpace(want) {
				t.Errorf("%s: %s\n got: %s\nwant: %s", where, line, got, strings.TrimSpace(want))
			}
			cases++
		default:
			t.Fatalf("%s: unknown command %q", where, cmd)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cases == 0 {
		t.Fatalf("%s: no cases", path)
	}
}

func runEvalCase(t *testing.T, where string, cfg Configuration, day time.Duration, cmd string, args []string) string {
	v := Version{IsLatest: true}
	var now, initiated time.Time
	for _, a := range args {
		k, val, _ := strings.Cut(a, "=")
		var err error
		switch k {
		case "key":
			v.Key = val
		case "size":
			v.Size, err = strconv.ParseInt(val, 10, 64)
		case "tags":
			v.Tags = map[string]string{}
			for _, kv := range strings.Split(val, ",") {
				tk, tv, _ := strings.Cut(kv, ":")
				v.Tags[tk] = tv
			}
		case "mtime":
			v.ModTime, err = parseScriptTime(val)
		case "noncurrent":
			v.IsLatest = false
			v.NoncurrentSince, err = parseScriptTime(val)
		case "newer":
			v.NewerNoncurrent, err = strconv.Atoi(val)
		case "marker":
			v.DeleteMarker = true
		case "only":
			v.OnlyVersion = true
		case "now":
			now, err = parseScriptTime(val)
		case "initiated":
			initiated, err = parseScriptTime(val)
		default:
			t.Fatalf("%s: unknown argument %q", where, a)
		}
		if err != nil {
			t.Fatalf("%s: %s: %v", where, a, err)
		}
	}
	if now.IsZero() {
		t.Fatalf("%s: now= is required", where)
	}
	if cmd == "abort" {
		if rule, ok := cfg.AbortUpload(v.Key, initiated, now, day); ok {
			return "abort rule=" + rule
		}
		return "keep"
	}
	r := cfg.Evaluate(v, now, day)
	if r.Action == ActionNone {
		return "none"
	}
	return r.Action.String() + " rule=" + r.RuleID
}

func parseScriptTime(s string) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return time.Unix(0, 0).Add(d).UTC(), nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

func TestDueTime(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		t    string
		days int
		day  time.Duration
		want string
	}{
		// The AWS documentation's example: created 1/15 10:30, 3 days → 1/19 00:00.
		{"2014-01-15T10:30:00Z", 3, day, "2014-01-19T00:00:00Z"},
		{"2014-01-15T00:00:00Z", 3, day, "2014-01-18T00:00:00Z"},
		{"2014-01-15T23:59:59Z", 1, day, "2014-01-17T00:00:00Z"},
		{"1970-01-01T00:00:00.015Z", 2, 10 * time.Millisecond, "1970-01-01T00:00:00.04Z"},
		{"1969-12-30T23:00:00Z", 1, day, "1970-01-01T00:00:00Z"},
	}
	for _, tc := range tests {
		in, _ := time.Parse(time.RFC3339Nano, tc.t)
		got := DueTime(in, tc.days, tc.day).Format(time.RFC3339Nano)
		if got != tc.want {
			t.Errorf("DueTime(%s, %d, %s) = %s, want %s", tc.t, tc.days, tc.day, got, tc.want)
		}
	}
}
