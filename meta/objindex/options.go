package objindex

import (
	"fmt"
	"log/slog"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// Options tune one index. The zero value is a good default for an object
// store drive: a few tens of MB of memory per DB instead of badger's hundreds.
type Options struct {
	// Logger receives badger's warnings and errors. Nil discards them.
	Logger *slog.Logger
	// MemTableSize defaults to 8 MiB; NumMemtables to 2.
	MemTableSize int64
	NumMemtables int
	// BlockCacheSize defaults to 8 MiB, IndexCacheSize to 4 MiB.
	BlockCacheSize int64
	IndexCacheSize int64
	// ValueThreshold: values larger than this go to the value log. Defaults
	// to 1 KiB, so records stay in the LSM tree and inline shard bytes do not.
	ValueThreshold int64
	// NoSync turns off fsync on commit. Only for tests and benchmarks.
	NoSync bool
	// GCInterval is how often the value log is garbage-collected; zero
	// means 10 minutes, negative disables it.
	GCInterval time.Duration
}

func (o Options) badger(dir string) badger.Options {
	if o.MemTableSize <= 0 {
		o.MemTableSize = 8 << 20
	}
	if o.NumMemtables <= 0 {
		o.NumMemtables = 2
	}
	if o.BlockCacheSize <= 0 {
		o.BlockCacheSize = 8 << 20
	}
	if o.IndexCacheSize <= 0 {
		o.IndexCacheSize = 4 << 20
	}
	if o.ValueThreshold <= 0 {
		o.ValueThreshold = 1 << 10
	}
	return badger.DefaultOptions(dir).
		WithLogger(badgerLogger{o.Logger}).
		WithSyncWrites(!o.NoSync).
		WithMemTableSize(o.MemTableSize).
		WithNumMemtables(o.NumMemtables).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(6).
		WithBaseTableSize(2 << 20).
		WithBaseLevelSize(8 << 20).
		WithBlockCacheSize(o.BlockCacheSize).
		WithIndexCacheSize(o.IndexCacheSize).
		WithValueThreshold(o.ValueThreshold).
		// Small value-log files: every synced commit msyncs the whole
		// mapping of the current file, and with 64 MiB files a 30 s run of
		// 4 KiB PUTs slowed from 1,700 to 800 objects/s as it filled; with
		// 16 MiB it held 1,500–2,000 (README, Performance).
		WithValueLogFileSize(16 << 20).
		WithNumCompactors(2).
		WithNumGoroutines(2).
		WithCompression(options.None).
		WithMetricsEnabled(false).
		// Writers of one key are serialized by Index.locks, so badger's
		// conflict tracking would only cost memory.
		WithDetectConflicts(false)
}

// badgerLogger forwards badger's warnings and errors to slog and drops its
// chatty info/debug lines.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	if b.l != nil {
		b.l.Error(fmt.Sprintf(f, a...), "component", "badger")
	}
}

func (b badgerLogger) Warningf(f string, a ...any) {
	if b.l != nil {
		b.l.Warn(fmt.Sprintf(f, a...), "component", "badger")
	}
}

func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}
