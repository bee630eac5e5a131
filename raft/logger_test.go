package raft

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
)

func TestHCLogToSlog(t *testing.T) {
	var buf bytes.Buffer
	base := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	l := newHCLog(base, "raft")
	tests := []struct {
		log  func()
		want []string // substrings of the one line logged; nil: nothing
	}{
		{func() { l.Info("entering leader state", "leader", "n1") }, []string{"level=INFO", `msg="entering leader state"`, "logger=raft", "leader=n1"}},
		{func() { l.Warn("w") }, []string{"level=WARN", "msg=w"}},
		{func() { l.Error("e", "error", "boom") }, []string{"level=ERROR", "error=boom"}},
		{func() { l.Debug("d") }, []string{"level=DEBUG"}},
		{func() { l.Trace("t") }, nil}, // below the handler's level
		{func() { l.Info("initial configuration", "servers", hclog.Fmt("%+v", []int{1, 2})) }, []string{`servers="[1 2]"`}},
		{func() { l.Named("snapshot").Info("s") }, []string{"logger=raft.snapshot"}},
		{func() { l.With("term", 3).Named("x").Info("w") }, []string{"term=3", "logger=raft.x"}},
		{func() { l.ResetNamed("other").Info("r") }, []string{"logger=other"}},
		{func() {
			l.StandardLogger(&hclog.StandardLoggerOptions{InferLevels: true}).Print("[WARN] raft: old style")
		}, []string{"level=WARN", `msg="raft: old style"`}},
	}
	for i, tc := range tests {
		buf.Reset()
		tc.log()
		out := buf.String()
		if tc.want == nil {
			if out != "" {
				t.Errorf("case %d: logged %q, want nothing", i, out)
			}
			continue
		}
		if strings.Count(out, "\n") != 1 {
			t.Errorf("case %d: %d lines: %q", i, strings.Count(out, "\n"), out)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("case %d: %q lacks %q", i, out, w)
			}
		}
	}
	if !l.IsDebug() || l.IsTrace() || l.GetLevel() != hclog.Debug {
		t.Errorf("IsDebug %v IsTrace %v GetLevel %v", l.IsDebug(), l.IsTrace(), l.GetLevel())
	}
}
