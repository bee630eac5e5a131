package meta

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// BadgerOptions returns badger options for a small, durable control-plane
// DB in dir: badger's defaults reserve hundreds of MiB per DB (64 MiB
// memtables ×5, a 256 MiB block cache, 1 GiB value-log files), which is
// absurd for kilobytes to megabytes of buckets and IAM records. Writes are
// synced: an acknowledged command must survive a crash. Badger's own log
// lines go to logger (nil discards them), demoted one level because badger
// is chatty at Info.
//
// The raft package uses the same options for its log store.
func BadgerOptions(dir string, logger *slog.Logger) badger.Options {
	return badger.DefaultOptions(dir).
		WithSyncWrites(true).
		WithMemTableSize(8 << 20).
		WithNumMemtables(2).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(8).
		WithBaseTableSize(2 << 20).
		WithBaseLevelSize(8 << 20).
		WithBlockCacheSize(4 << 20).
		WithIndexCacheSize(2 << 20).
		WithValueLogFileSize(64 << 20).
		WithNumCompactors(2).
		WithNumGoroutines(2).
		WithCompression(options.None).
		WithMetricsEnabled(false).
		WithDetectConflicts(false). // one writer per DB; conflict tracking is pure cost
		WithLogger(badgerLogger{log: orDiscard(logger)})
}

func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// badgerLogger routes badger's printf-style logging into slog.
type badgerLogger struct{ log *slog.Logger }

func (b badgerLogger) emit(level slog.Level, format string, args []any) {
	ctx := context.Background()
	if !b.log.Enabled(ctx, level) {
		return
	}
	msg := strings.TrimRight(fmt.Sprintf(format, args...), "\n")
	b.log.Log(ctx, level, msg, "component", "badger")
}

func (b badgerLogger) Errorf(f string, a ...any)   { b.emit(slog.LevelError, f, a) }
func (b badgerLogger) Warningf(f string, a ...any) { b.emit(slog.LevelWarn, f, a) }
func (b badgerLogger) Infof(f string, a ...any)    { b.emit(slog.LevelDebug, f, a) }
func (b badgerLogger) Debugf(f string, a ...any)   { b.emit(slog.LevelDebug-4, f, a) }
