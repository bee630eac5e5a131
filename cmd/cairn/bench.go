package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cairn-s3/cairn/bench"
)

const benchUsage = `cairn bench — load generator for any S3 endpoint (path style)

Usage:
  cairn bench OP [flags]          OP: put, get, stat, delete, list, multipart, mixed
  cairn bench compare A.json B.json

Examples:
  cairn bench put --size 4KiB --concurrency 16 --duration 30s
  cairn bench get --size 1MiB --objects 200 --json get-1m.json
  cairn bench mixed --mix put=20,get=70,stat=5,delete=5 --size 4KiB:1MiB
  cairn bench list --bucket big --prefix data/ --objects 0 --delimiter /

Flags:
`

// benchCmd runs `cairn bench`.
func benchCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, benchUsage)
		newBenchFlags(stderr).fs.PrintDefaults()
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "compare" {
		return benchCompare(args[1:], stdout, stderr)
	}
	op, err := bench.ParseOp(args[0])
	if err != nil {
		fmt.Fprintf(stderr, "cairn bench: %v\n", err)
		return 2
	}
	f := newBenchFlags(stderr)
	if err := f.fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if f.fs.NArg() > 0 {
		fmt.Fprintf(stderr, "cairn bench: unexpected argument %q\n", f.fs.Arg(0))
		return 2
	}
	cfg, err := f.config(op)
	if err != nil {
		fmt.Fprintf(stderr, "cairn bench: %v\n", err)
		return 2
	}
	jsonToStdout := *f.jsonOut == "-"
	if isTerminal(stdout) && !jsonToStdout {
		cfg.Progress = stdout
	}
	cfg.Log = stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "cairn bench: %v\n", err)
		return 1
	}
	if jsonToStdout {
		if err := rep.WriteJSON(stdout); err != nil {
			fmt.Fprintf(stderr, "cairn bench: %v\n", err)
			return 1
		}
	} else {
		_ = rep.WriteText(stdout)
	}
	if *f.jsonOut != "" && !jsonToStdout {
		if err := writeReportFile(*f.jsonOut, rep); err != nil {
			fmt.Fprintf(stderr, "cairn bench: %v\n", err)
			return 1
		}
	}
	return 0
}

type benchFlags struct {
	fs                                             *flag.FlagSet
	endpoint, accessKey, secretKey, region, bucket *string
	prefix, mix, size, partSize, delimiter, keys   *string
	jsonOut                                        *string
	concurrency, objects, maxKeys                  *int
	ops                                            *int64
	duration, warmup                               *time.Duration
	keep                                           *bool
}

func newBenchFlags(stderr io.Writer) *benchFlags {
	fs := flag.NewFlagSet("cairn bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v, ok := os.LookupEnv(name); ok {
			return v
		}
		return def
	}
	f := &benchFlags{fs: fs}
	f.endpoint = fs.String("endpoint", env("CAIRN_ENDPOINT", "http://127.0.0.1:9000"), "S3 endpoint URL (CAIRN_ENDPOINT)")
	f.accessKey = fs.String("access-key", env("CAIRN_ACCESS_KEY", ""), "access key (CAIRN_ACCESS_KEY)")
	f.secretKey = fs.String("secret-key", env("CAIRN_SECRET_KEY", ""), "secret key (CAIRN_SECRET_KEY)")
	f.region = fs.String("region", env("CAIRN_REGION", "us-east-1"), "signing region (CAIRN_REGION)")
	f.bucket = fs.String("bucket", "cairn-bench", "bucket, created if missing")
	f.prefix = fs.String("prefix", "", "key prefix (default: cairn-bench/RANDOM/, unique per run)")
	f.mix = fs.String("mix", bench.DefaultMix, "operation weights of 'mixed'")
	f.size = fs.String("size", "4KiB", "object size, fixed (4KiB) or uniform between two (4KiB:1MiB)")
	f.partSize = fs.String("part-size", "5MiB", "part size of 'multipart'")
	f.delimiter = fs.String("delimiter", "", "delimiter of 'list' pages")
	f.keys = fs.String("keys", "random", "key order: random or sequential")
	f.jsonOut = fs.String("json", "", "write the JSON report to this file ('-': stdout, instead of the text report)")
	f.concurrency = fs.Int("concurrency", 16, "concurrent requests")
	f.objects = fs.Int("objects", -1, "objects uploaded before get/stat/delete/list/mixed (-1: up to 1,000 and 1 GiB; 0 for list: use what is there)")
	f.maxKeys = fs.Int("max-keys", 1000, "keys per 'list' page")
	f.ops = fs.Int64("ops", 0, "stop after this many measured operations (0: until --duration)")
	f.duration = fs.Duration("duration", 30*time.Second, "measured run time (0 with --ops: no time limit)")
	f.warmup = fs.Duration("warmup", 0, "run this long before measuring")
	f.keep = fs.Bool("keep", false, "keep the objects written (default: delete what the run created)")
	return f
}

func (f *benchFlags) config(op bench.Op) (bench.Config, error) {
	cfg := bench.Config{
		Client: bench.ClientConfig{Endpoint: *f.endpoint, AccessKey: *f.accessKey, SecretKey: *f.secretKey, Region: *f.region},
		Bucket: *f.bucket, Prefix: *f.prefix, Op: op, Concurrency: *f.concurrency,
		Ops: *f.ops, Duration: *f.duration, Warmup: *f.warmup, Objects: *f.objects,
		Keep: *f.keep, ListDelimiter: *f.delimiter, ListMaxKeys: *f.maxKeys,
	}
	if cfg.Client.AccessKey == "" || cfg.Client.SecretKey == "" {
		return cfg, errors.New("no credentials: set --access-key/--secret-key or CAIRN_ACCESS_KEY/CAIRN_SECRET_KEY")
	}
	if cfg.Prefix == "" {
		cfg.Prefix = randomPrefix()
	}
	if cfg.Ops > 0 && !flagSet(f.fs, "duration") {
		cfg.Duration = 0
	}
	if cfg.Concurrency < 1 {
		return cfg, fmt.Errorf("--concurrency %d: want at least 1", cfg.Concurrency)
	}
	var err error
	if cfg.Size, err = bench.ParseSize(*f.size); err != nil {
		return cfg, fmt.Errorf("--size: %w", err)
	}
	if cfg.PartSize, err = bench.ParseBytes(*f.partSize); err != nil {
		return cfg, fmt.Errorf("--part-size: %w", err)
	}
	if op == bench.OpMixed {
		if cfg.Mix, err = bench.ParseMix(*f.mix); err != nil {
			return cfg, fmt.Errorf("--mix: %w", err)
		}
	}
	switch *f.keys {
	case "random":
	case "sequential":
		cfg.Sequential = true
	default:
		return cfg, fmt.Errorf("--keys %q: want random or sequential", *f.keys)
	}
	return cfg, nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func writeReportFile(path string, rep *bench.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := rep.WriteJSON(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// benchCompare prints B/A for every figure of two JSON reports.
func benchCompare(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 {
		fmt.Fprintln(stderr, "usage: cairn bench compare A.json B.json")
		return 2
	}
	a, err := bench.ReadReportFile(args[0])
	if err != nil {
		fmt.Fprintf(stderr, "cairn bench compare: %v\n", err)
		return 1
	}
	b, err := bench.ReadReportFile(args[1])
	if err != nil {
		fmt.Fprintf(stderr, "cairn bench compare: %v\n", err)
		return 1
	}
	if err := bench.WriteCompare(stdout, a, b); err != nil {
		fmt.Fprintf(stderr, "cairn bench compare: %v\n", err)
		return 1
	}
	return 0
}

// isTerminal reports whether w is a character device, i.e. a terminal.
func isTerminal(w io.Writer) bool {
	file, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := file.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func randomPrefix() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "cairn-bench/" + hex.EncodeToString(b[:]) + "/"
}
