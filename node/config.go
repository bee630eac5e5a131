package node

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/s3api"
)

// Config is everything a node needs to start. Zero values mean defaults.
type Config struct {
	// Address is the S3 listen address.
	Address string
	// DataDir holds the system folder and, by default, the drive folders.
	DataDir string
	// Drives are the drive folders; empty means DataDir/drive1 … drive4.
	Drives []string
	// Parity is the number of parity shards per erasure set; 0 = default for
	// the set size.
	Parity int
	// InlineThreshold is the largest object stored inside the index record;
	// 0 = the data plane's default.
	InlineThreshold int64
	// RootUser and RootPassword come from CAIRN_ROOT_USER/CAIRN_ROOT_PASSWORD.
	RootUser     string
	RootPassword string
	// Region is reported by GetBucketLocation and accepted in signatures.
	Region string
	// Domain enables virtual-host-style requests ("<bucket>.<Domain>").
	Domain string
	// LifecycleDay is how long a lifecycle "day" lasts (tests shorten it);
	// LifecycleInterval is how often the lifecycle worker scans.
	LifecycleDay      time.Duration
	LifecycleInterval time.Duration
	// DefaultObjectOwnership is the ownership control of new buckets:
	// ObjectWriter (ACLs active), BucketOwnerPreferred or BucketOwnerEnforced.
	DefaultObjectOwnership string
	// AccountID is the 12-digit account shown in IAM ARNs.
	AccountID string
	// MasterKey (64 hex digits, CAIRN_MASTER_KEY) seals secrets in the
	// control-plane state; empty means DATA_DIR/system/master.key.
	MasterKey string
	// PolicyLimits overrides the AWS policy size limits.
	PolicyLimits iam.Limits
	// TLSCert and TLSKey are PEM files; when both are set the S3 port
	// serves HTTPS only.
	TLSCert string
	TLSKey  string
	// TrashGrace is how long the shard files of replaced or deleted
	// versions stay readable for GETs already under way; 0 = the data
	// plane's default (10 minutes). Disk space they hold is freed after it.
	TrashGrace time.Duration
	// DebugAddress, when set, serves Go's pprof endpoints there
	// (unauthenticated: keep it on loopback).
	DebugAddress string
	// LogLevel is debug, info, warn or error; LogFormat is text or json.
	LogLevel  string
	LogFormat string
}

// DefaultAccountID is the account in IAM ARNs unless configured. ARNs with
// an empty account field mean the same account.
const DefaultAccountID = "000000000000"

// DefaultDriveCount is the number of drive folders made when none are named.
const DefaultDriveCount = 4

// WithDefaults returns c with every unset field filled in.
func (c Config) WithDefaults() Config {
	if c.Address == "" {
		c.Address = "127.0.0.1:9000"
	}
	if c.DataDir == "" {
		c.DataDir = "data"
	}
	if len(c.Drives) == 0 {
		for i := 1; i <= DefaultDriveCount; i++ {
			c.Drives = append(c.Drives, filepath.Join(c.DataDir, fmt.Sprintf("drive%d", i)))
		}
	}
	if c.Parity == 0 {
		c.Parity = data.DefaultParity(len(c.Drives))
	}
	if c.LogLevel == "" {
		c.LogLevel = "info"
	}
	if c.LifecycleDay == 0 {
		c.LifecycleDay = 24 * time.Hour
	}
	if c.LifecycleInterval == 0 {
		c.LifecycleInterval = time.Hour
	}
	if c.DefaultObjectOwnership == "" {
		c.DefaultObjectOwnership = s3api.OwnershipObjectWriter
	}
	if c.AccountID == "" {
		c.AccountID = DefaultAccountID
	}
	if c.LogFormat == "" {
		c.LogFormat = "text"
	}
	return c
}

// Validate reports the first configuration error in words an operator can act on.
func (c Config) Validate() error {
	if c.TrashGrace < 0 {
		return fmt.Errorf("trash grace %v is negative", c.TrashGrace)
	}
	n := len(c.Drives)
	if n < 1 || n > 16 {
		return fmt.Errorf("an erasure set needs 1 to 16 drives, got %d", n)
	}
	if c.Parity < 0 || c.Parity >= n && n > 1 || n == 1 && c.Parity != 0 {
		return fmt.Errorf("parity %d is impossible with %d drives: need 0 <= parity < drives (and data shards >= parity)", c.Parity, n)
	}
	if n-c.Parity < c.Parity {
		return fmt.Errorf("parity %d exceeds data shards %d with %d drives: at most %d parity", c.Parity, n-c.Parity, n, n/2)
	}
	seen := map[string]bool{}
	for _, d := range c.Drives {
		abs, err := filepath.Abs(d)
		if err != nil {
			return fmt.Errorf("drive %q: %w", d, err)
		}
		if seen[abs] {
			return fmt.Errorf("drive %q is listed twice", d)
		}
		seen[abs] = true
	}
	if (c.RootUser == "") != (c.RootPassword == "") {
		return errors.New("set both CAIRN_ROOT_USER and CAIRN_ROOT_PASSWORD, or neither")
	}
	if c.RootUser != "" {
		if len(c.RootUser) < 3 {
			return errors.New("CAIRN_ROOT_USER must be at least 3 characters")
		}
		if len(c.RootPassword) < 8 {
			return errors.New("CAIRN_ROOT_PASSWORD must be at least 8 characters")
		}
	}
	if c.LifecycleDay < time.Millisecond || c.LifecycleInterval < time.Millisecond {
		return fmt.Errorf("lifecycle day length and interval must be positive durations")
	}
	if !s3api.ValidObjectOwnership(c.DefaultObjectOwnership) {
		return fmt.Errorf("object ownership %q: want ObjectWriter, BucketOwnerPreferred or BucketOwnerEnforced", c.DefaultObjectOwnership)
	}
	if len(c.AccountID) != 12 || strings.Trim(c.AccountID, "0123456789") != "" {
		return fmt.Errorf("account ID %q must be 12 digits", c.AccountID)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("set both --tls-cert and --tls-key, or neither")
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		return err
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("log format %q: want text or json", c.LogFormat)
	}
	return nil
}

var ellipsis = regexp.MustCompile(`\{(\d+)\.\.\.(\d+)\}`)

// ExpandDrives turns a drive specification into folder paths. The spec is a
// comma- or space-separated list whose items may hold one `{a...b}` range:
// "/mnt/disk{1...4}" is /mnt/disk1 … /mnt/disk4.
func ExpandDrives(spec string) ([]string, error) {
	var out []string
	for _, item := range strings.FieldsFunc(spec, func(r rune) bool { return r == ',' || r == ' ' }) {
		m := ellipsis.FindStringSubmatchIndex(item)
		if m == nil {
			if strings.ContainsAny(item, "{}") {
				return nil, fmt.Errorf("drive pattern %q: want {FIRST...LAST}", item)
			}
			out = append(out, item)
			continue
		}
		lo, _ := strconv.Atoi(item[m[2]:m[3]])
		hi, _ := strconv.Atoi(item[m[4]:m[5]])
		if hi < lo || hi-lo >= 64 {
			return nil, fmt.Errorf("drive pattern %q: range must be ascending and hold at most 64 drives", item)
		}
		prefix, suffix := item[:m[0]], item[m[1]:]
		if strings.ContainsAny(prefix+suffix, "{}") {
			return nil, fmt.Errorf("drive pattern %q: only one {FIRST...LAST} range is allowed", item)
		}
		for i := lo; i <= hi; i++ {
			out = append(out, prefix+strconv.Itoa(i)+suffix)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no drives given")
	}
	return out, nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("log level %q: want debug, info, warn or error", s)
	}
	return l, nil
}
