package raft

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"strings"

	"github.com/hashicorp/go-hclog"
)

// hclogSlog is an hclog.Logger writing to slog, so hashicorp/raft's logs
// join the process's structured log. Levels map one to one (Trace becomes
// slog Debug-4); the slog handler decides what is shown, so SetLevel is
// ignored. The logger name ("raft", "raft.snapshot"...) goes in a "logger"
// attribute.
type hclogSlog struct {
	log     *slog.Logger
	name    string
	implied []any
}

func newHCLog(l *slog.Logger, name string) hclog.Logger {
	return &hclogSlog{log: l, name: name}
}

func slogLevel(l hclog.Level) slog.Level {
	switch l {
	case hclog.Trace:
		return slog.LevelDebug - 4
	case hclog.Debug:
		return slog.LevelDebug
	case hclog.Warn:
		return slog.LevelWarn
	case hclog.Error:
		return slog.LevelError
	default: // Info, NoLevel
		return slog.LevelInfo
	}
}

func (h *hclogSlog) Log(level hclog.Level, msg string, args ...any) {
	if level == hclog.Off {
		return
	}
	lvl := slogLevel(level)
	ctx := context.Background()
	if !h.log.Enabled(ctx, lvl) {
		return
	}
	out := make([]any, 0, len(args)+2)
	if h.name != "" {
		out = append(out, "logger", h.name)
	}
	for _, a := range args {
		// hclog.Fmt defers formatting to the logger; do it here.
		if f, ok := a.(hclog.Format); ok && len(f) > 0 {
			if format, ok := f[0].(string); ok {
				a = fmt.Sprintf(format, f[1:]...)
			}
		}
		out = append(out, a)
	}
	h.log.Log(ctx, lvl, msg, out...)
}

func (h *hclogSlog) Trace(msg string, args ...any) { h.Log(hclog.Trace, msg, args...) }
func (h *hclogSlog) Debug(msg string, args ...any) { h.Log(hclog.Debug, msg, args...) }
func (h *hclogSlog) Info(msg string, args ...any)  { h.Log(hclog.Info, msg, args...) }
func (h *hclogSlog) Warn(msg string, args ...any)  { h.Log(hclog.Warn, msg, args...) }
func (h *hclogSlog) Error(msg string, args ...any) { h.Log(hclog.Error, msg, args...) }

func (h *hclogSlog) enabled(l hclog.Level) bool {
	return h.log.Enabled(context.Background(), slogLevel(l))
}

func (h *hclogSlog) IsTrace() bool { return h.enabled(hclog.Trace) }
func (h *hclogSlog) IsDebug() bool { return h.enabled(hclog.Debug) }
func (h *hclogSlog) IsInfo() bool  { return h.enabled(hclog.Info) }
func (h *hclogSlog) IsWarn() bool  { return h.enabled(hclog.Warn) }
func (h *hclogSlog) IsError() bool { return h.enabled(hclog.Error) }

func (h *hclogSlog) ImpliedArgs() []any { return h.implied }

func (h *hclogSlog) With(args ...any) hclog.Logger {
	return &hclogSlog{
		log:     h.log.With(args...),
		name:    h.name,
		implied: append(append([]any(nil), h.implied...), args...),
	}
}

func (h *hclogSlog) Name() string { return h.name }

func (h *hclogSlog) Named(name string) hclog.Logger {
	n := name
	if h.name != "" {
		n = h.name + "." + name
	}
	return &hclogSlog{log: h.log, name: n, implied: h.implied}
}

func (h *hclogSlog) ResetNamed(name string) hclog.Logger {
	return &hclogSlog{log: h.log, name: name, implied: h.implied}
}

func (h *hclogSlog) SetLevel(hclog.Level) {}

func (h *hclogSlog) GetLevel() hclog.Level {
	for _, l := range []hclog.Level{hclog.Trace, hclog.Debug, hclog.Info, hclog.Warn, hclog.Error} {
		if h.enabled(l) {
			return l
		}
	}
	return hclog.Off
}

func (h *hclogSlog) StandardLogger(opts *hclog.StandardLoggerOptions) *log.Logger {
	return log.New(h.StandardWriter(opts), "", 0)
}

func (h *hclogSlog) StandardWriter(opts *hclog.StandardLoggerOptions) io.Writer {
	w := &stdWriter{h: h, level: hclog.Info}
	if opts != nil {
		w.infer = opts.InferLevels || opts.InferLevelsWithTimestamp
		if opts.ForceLevel != hclog.NoLevel {
			w.level, w.infer = opts.ForceLevel, false
		}
	}
	return w
}

// stdWriter turns lines written by a standard *log.Logger into records,
// inferring the level from a "[ERROR]"-style prefix when asked.
type stdWriter struct {
	h     *hclogSlog
	level hclog.Level
	infer bool
}

func (w *stdWriter) Write(p []byte) (int, error) {
	msg := strings.TrimRight(string(p), "\r\n")
	level := w.level
	if w.infer {
		for _, pl := range []struct {
			prefix string
			level  hclog.Level
		}{
			{"[TRACE]", hclog.Trace}, {"[DEBUG]", hclog.Debug}, {"[INFO]", hclog.Info},
			{"[WARN]", hclog.Warn}, {"[ERROR]", hclog.Error}, {"[ERR]", hclog.Error},
		} {
			if _, rest, ok := strings.Cut(msg, pl.prefix); ok {
				level, msg = pl.level, strings.TrimSpace(rest)
				break
			}
		}
	}
	w.h.Log(level, msg)
	return len(p), nil
}
