package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/cairn-s3/cairn/node"
)

const usage = `cairn — a clustered S3-compatible object store

Usage:
  cairn server [flags]   start a node (see 'cairn server -h')
  cairn admin ...        manage users, groups, policies, service accounts, STS (see 'cairn admin -h')
  cairn bench OP ...     load-test an S3 endpoint; compare runs (see 'cairn bench -h')
  cairn version          print the version

`

// version is set at link time by the Makefile.
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "server":
		return serverCmd(args[1:], stdout, stderr)
	case "admin":
		return adminCmd(args[1:], stdout, stderr)
	case "bench":
		return benchCmd(args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "cairn", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "cairn: unknown command %q\n\n%s", args[0], usage)
	return 2
}

// envDuration reads a duration from the environment; an unparsable value
// yields def and a warning, as flag defaults cannot carry errors.
func envDuration(name string, def time.Duration) time.Duration {
	v, ok := os.LookupEnv(name)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cairn: ignoring %s=%q: %v\n", name, v, err)
		return def
	}
	return d
}

// serverCmd parses flags over CAIRN_* environment variables over defaults.
func serverCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cairn server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v, ok := os.LookupEnv(name); ok {
			return v
		}
		return def
	}
	var (
		address   = fs.String("address", env("CAIRN_ADDRESS", "127.0.0.1:9000"), "S3 listen address (CAIRN_ADDRESS)")
		dataDir   = fs.String("data-dir", env("CAIRN_DATA_DIR", "data"), "data directory: system state and default drives (CAIRN_DATA_DIR)")
		drives    = fs.String("drives", env("CAIRN_DRIVES", ""), "drive folders: a comma list and/or a {1...N} pattern, e.g. /mnt/disk{1...4} (CAIRN_DRIVES; default DATA_DIR/drive{1...4})")
		parity    = fs.String("parity", env("CAIRN_PARITY", "0"), "parity shards per erasure set, 0 = default for the set size (CAIRN_PARITY)")
		inline    = fs.String("inline-threshold", env("CAIRN_INLINE_THRESHOLD", "0"), "objects up to this many bytes live in the index record, 0 = default (CAIRN_INLINE_THRESHOLD)")
		region    = fs.String("region", env("CAIRN_REGION", "us-east-1"), "region reported to clients (CAIRN_REGION)")
		domain    = fs.String("domain", env("CAIRN_DOMAIN", ""), "serve virtual-host-style requests for BUCKET.DOMAIN (CAIRN_DOMAIN)")
		lcDay     = fs.Duration("lifecycle-day-length", envDuration("CAIRN_LIFECYCLE_DAY", 24*time.Hour), "length of a lifecycle day; shorten only for tests (CAIRN_LIFECYCLE_DAY)")
		lcEvery   = fs.Duration("lifecycle-interval", envDuration("CAIRN_LIFECYCLE_INTERVAL", time.Hour), "how often lifecycle rules are applied (CAIRN_LIFECYCLE_INTERVAL)")
		ownership = fs.String("object-ownership", env("CAIRN_OBJECT_OWNERSHIP", "ObjectWriter"), "ownership control of new buckets: ObjectWriter, BucketOwnerPreferred or BucketOwnerEnforced (CAIRN_OBJECT_OWNERSHIP)")
		accountID = fs.String("account-id", env("CAIRN_ACCOUNT_ID", node.DefaultAccountID), "12-digit account ID in IAM ARNs (CAIRN_ACCOUNT_ID)")
		userPol   = fs.String("max-user-policy", env("CAIRN_MAX_USER_POLICY", "0"), "inline user policy size limit in characters, 0 = AWS default 2048 (CAIRN_MAX_USER_POLICY)")
		groupPol  = fs.String("max-group-policy", env("CAIRN_MAX_GROUP_POLICY", "0"), "inline group policy size limit, 0 = 5120 (CAIRN_MAX_GROUP_POLICY)")
		managed   = fs.String("max-managed-policy", env("CAIRN_MAX_MANAGED_POLICY", "0"), "managed policy size limit, 0 = 6144 (CAIRN_MAX_MANAGED_POLICY)")
		tlsCert   = fs.String("tls-cert", env("CAIRN_TLS_CERT", ""), "PEM certificate: serve HTTPS (CAIRN_TLS_CERT)")
		tlsKey    = fs.String("tls-key", env("CAIRN_TLS_KEY", ""), "PEM private key of --tls-cert (CAIRN_TLS_KEY)")
		trash     = fs.Duration("trash-grace", envDuration("CAIRN_TRASH_GRACE", 0), "how long shard files of replaced or deleted versions stay readable for GETs under way, 0 = 10m; their space is freed after (CAIRN_TRASH_GRACE)")
		debugAddr = fs.String("debug-address", env("CAIRN_DEBUG_ADDRESS", ""), "serve pprof profiling endpoints (/debug/pprof/) on this address, e.g. 127.0.0.1:6060; unauthenticated, off by default (CAIRN_DEBUG_ADDRESS)")
		logLevel  = fs.String("log-level", env("CAIRN_LOG_LEVEL", "info"), "debug, info, warn or error (CAIRN_LOG_LEVEL)")
		logFormat = fs.String("log-format", env("CAIRN_LOG_FORMAT", "text"), "text or json (CAIRN_LOG_FORMAT)")
	)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "cairn server: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	cfg := node.Config{
		Address:                *address,
		DataDir:                *dataDir,
		Region:                 *region,
		AccountID:              *accountID,
		Domain:                 *domain,
		DefaultObjectOwnership: *ownership,
		LifecycleDay:           *lcDay,
		LifecycleInterval:      *lcEvery,
		MasterKey:              os.Getenv("CAIRN_MASTER_KEY"),
		TLSCert:                *tlsCert,
		TLSKey:                 *tlsKey,
		DebugAddress:           *debugAddr,
		TrashGrace:             *trash,
		LogLevel:               *logLevel,
		LogFormat:              *logFormat,
		RootUser:               os.Getenv("CAIRN_ROOT_USER"),
		RootPassword:           os.Getenv("CAIRN_ROOT_PASSWORD"),
	}
	var err error
	if cfg.Parity, err = strconv.Atoi(*parity); err != nil {
		fmt.Fprintf(stderr, "cairn server: --parity %q is not a number\n", *parity)
		return 2
	}
	if cfg.InlineThreshold, err = strconv.ParseInt(*inline, 10, 64); err != nil {
		fmt.Fprintf(stderr, "cairn server: --inline-threshold %q is not a number\n", *inline)
		return 2
	}
	for _, lim := range []struct {
		flag, value string
		dst         *int
	}{
		{"--max-user-policy", *userPol, &cfg.PolicyLimits.InlineUserPolicy},
		{"--max-group-policy", *groupPol, &cfg.PolicyLimits.InlineGroupPolicy},
		{"--max-managed-policy", *managed, &cfg.PolicyLimits.ManagedPolicy},
	} {
		if *lim.dst, err = strconv.Atoi(lim.value); err != nil || *lim.dst < 0 {
			fmt.Fprintf(stderr, "cairn server: %s %q is not a size\n", lim.flag, lim.value)
			return 2
		}
	}
	if *drives != "" {
		if cfg.Drives, err = node.ExpandDrives(*drives); err != nil {
			fmt.Fprintf(stderr, "cairn server: --drives: %v\n", err)
			return 2
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := node.Run(ctx, cfg, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "cairn server: %v\n", err)
		return 1
	}
	return 0
}
