package s3api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/s3api/sigv4"
)

// Defaults of Config fields left zero.
const (
	DefaultRegion          = "us-east-1"
	DefaultMaxObjectSize   = 5 << 30 // S3's single-PUT limit
	DefaultReadBufferSize  = 64 << 10
	DefaultWriteBufferSize = 64 << 10
	DefaultIdleTimeout     = 60 * time.Second
	DefaultHeaderTimeout   = 30 * time.Second
	DefaultProgressTimeout = 2 * time.Minute
)

// Config is the S3 server's tunable behaviour. Zero values take defaults.
type Config struct {
	// Region is this endpoint's region: the LocationConstraint accepted at
	// bucket creation besides "" (and us-east-1), and the region reported
	// for buckets created without one.
	Region string
	// Domain enables virtual-host-style requests: Host "<bucket>.<Domain>"
	// addresses <bucket>. Empty: path style only.
	Domain string
	// HostID identifies this node in x-amz-id-2 (e.g. the node ID).
	HostID string
	// MaxObjectSize is the largest single PUT body (EntityTooLarge above).
	MaxObjectSize int64
	// ReadBufferSize bounds the request header (fasthttp answers 431 above).
	ReadBufferSize  int
	WriteBufferSize int
	// IdleTimeout is how long a keep-alive connection may wait for its
	// next request.
	IdleTimeout time.Duration
	// HeaderTimeout is how long a request's header may take to arrive.
	HeaderTimeout time.Duration
	// ProgressTimeout is how long a body read or a response write may make
	// no progress before the connection is dropped. There is deliberately
	// no whole-request timeout: large objects take as long as they take.
	ProgressTimeout time.Duration
	// Concurrency limits concurrent connections (0: fasthttp default).
	Concurrency int
	// DefaultObjectOwnership is the object ownership rule of buckets
	// created without an x-amz-object-ownership header: ObjectWriter
	// (default; ACLs active), BucketOwnerPreferred or BucketOwnerEnforced
	// (ACLs disabled). Any other value is treated as ObjectWriter.
	DefaultObjectOwnership string
}

func (c Config) withDefaults() Config {
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.MaxObjectSize <= 0 {
		c.MaxObjectSize = DefaultMaxObjectSize
	}
	if c.ReadBufferSize <= 0 {
		c.ReadBufferSize = DefaultReadBufferSize
	}
	if c.WriteBufferSize <= 0 {
		c.WriteBufferSize = DefaultWriteBufferSize
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.HeaderTimeout <= 0 {
		c.HeaderTimeout = DefaultHeaderTimeout
	}
	if c.ProgressTimeout <= 0 {
		c.ProgressTimeout = DefaultProgressTimeout
	}
	c.Domain = strings.ToLower(strings.TrimSuffix(c.Domain, "."))
	if !ValidObjectOwnership(c.DefaultObjectOwnership) {
		c.DefaultObjectOwnership = OwnershipObjectWriter
	}
	return c
}

// Health reports liveness and readiness for the health endpoints. A nil
// error means healthy; an error's text is the (short) reason shown.
type Health interface {
	Live() error
	Ready() error
}

// Deps are the Server's collaborators.
type Deps struct {
	Buckets  Buckets
	Objects  Objects
	Verifier *sigv4.Verifier
	// Authorizer decides every request; nil means iam.RootOnly. When it
	// also implements iam.ConditionKeyUsage, object versions are read
	// before authorization (for s3:ExistingObjectTag/<k>) only for callers
	// whose policies use those keys; otherwise for every non-root caller.
	Authorizer iam.Authorizer
	// IAM serves the IAM and STS query APIs (POST / routed by the
	// credential scope's service); nil answers them NotImplemented.
	IAM IAM
	// Health backs /health/live and /health/ready; nil means always healthy.
	Health Health
	// Logger receives one record per request; nil discards.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Server is the S3 API over fasthttp.
type Server struct {
	cfg    Config
	deps   Deps
	router router
	log    *slog.Logger
	now    func() time.Time
	hs     *fasthttp.Server
	stats  *metrics
	// clock shares aws:CurrentTime strings among requests (authz.go).
	clock clockCache
	// keyUsage is deps.Authorizer's answer to which condition keys its
	// policies use (authz_tags.go); nil when it cannot say.
	keyUsage iam.ConditionKeyUsage
	// access caches each bucket's compiled policy, decoded ACL, ownership
	// and public access block (authz_resource.go); names indexes the
	// current Directory's principals for ACL grantees (acl_names.go).
	access accessCache
	names  principalCache

	// idBase and idSeq generate request IDs unique to this process.
	idBase uint64
	idSeq  atomic.Uint64
	hostID []byte

	// base is the parent context of every request. It is cancelled only
	// when a graceful shutdown runs out of time, never by a client.
	base       context.Context
	cancelBase context.CancelFunc
}

// New returns a Server. Buckets, Objects and Verifier are required.
func New(cfg Config, deps Deps) *Server {
	if deps.Buckets == nil || deps.Objects == nil || deps.Verifier == nil {
		panic("s3api.New: Buckets, Objects and Verifier are required")
	}
	cfg = cfg.withDefaults()
	if deps.Authorizer == nil {
		deps.Authorizer = iam.RootOnly{}
	}
	if deps.Health == nil {
		deps.Health = alwaysHealthy{}
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	var seed [8]byte
	_, _ = rand.Read(seed[:])
	hid := sha256.Sum256([]byte("cairn-host-id\x00" + cfg.HostID))
	s := &Server{
		cfg:    cfg,
		deps:   deps,
		router: router{domain: cfg.Domain},
		log:    deps.Logger,
		now:    deps.Now,
		stats:  &metrics{},
		idBase: binary.BigEndian.Uint64(seed[:]),
		hostID: hid[:12],
	}
	s.keyUsage, _ = deps.Authorizer.(iam.ConditionKeyUsage)
	s.base, s.cancelBase = context.WithCancel(context.Background())
	s.hs = &fasthttp.Server{
		Handler:                       s.handle,
		ErrorHandler:                  s.handleConnError,
		ConnState:                     connState,
		Name:                          "Cairn",
		Concurrency:                   cfg.Concurrency,
		ReadBufferSize:                cfg.ReadBufferSize,
		WriteBufferSize:               cfg.WriteBufferSize,
		IdleTimeout:                   cfg.IdleTimeout,
		MaxRequestBodySize:            int(min(cfg.MaxObjectSize, int64(^uint(0)>>1))),
		StreamRequestBody:             true,
		DisablePreParseMultipartForm:  true,
		DisableHeaderNamesNormalizing: true,
		NoDefaultContentType:          true,
		CloseOnShutdown:               true,
		Logger:                        fasthttpLogger{deps.Logger},
	}
	return s
}

// Serve accepts connections on ln until Shutdown. For HTTPS pass a
// tls.NewListener: TLS connections are recognised as such.
func (s *Server) Serve(ln net.Listener) error {
	return s.hs.Serve(&deadlineListener{Listener: ln, header: s.cfg.HeaderTimeout, progress: s.cfg.ProgressTimeout})
}

// ListenAndServe listens on addr (host:port) and serves until Shutdown.
func (s *Server) ListenAndServe(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("s3api: listen %s: %w", addr, err)
	}
	return s.Serve(ln)
}

// Shutdown stops accepting connections and waits for in-flight requests
// to finish. When ctx ends first, the requests still running are cancelled
// and ctx's error is returned.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.hs.ShutdownWithContext(ctx)
	if err != nil {
		s.cancelBase()
	}
	return err
}

// nextRequestID returns a 16-hex-digit ID, like AWS's.
func (s *Server) nextRequestID() string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], s.idBase+s.idSeq.Add(1))
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// hostID2 is the x-amz-id-2 value for a request.
func (s *Server) hostID2(requestID string) string {
	b := make([]byte, 0, len(s.hostID)+len(requestID))
	b = append(b, s.hostID...)
	b = append(b, requestID...)
	return base64.StdEncoding.EncodeToString(b)
}

// handleConnError answers requests fasthttp could not parse.
func (s *Server) handleConnError(fctx *fasthttp.RequestCtx, err error) {
	code := ErrInvalidRequest
	var (
		ne net.Error
		sb *fasthttp.ErrSmallBuffer
	)
	switch {
	case errors.As(err, &sb):
		code = ErrRequestHeaderSectionTooLarge
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		code = ErrEntityTooLarge
	case errors.As(err, &ne) && ne.Timeout():
		code = ErrRequestTimeout
	}
	id := s.nextRequestID()
	e := &Error{Code: code, Err: err}
	fctx.Response.Header.Set("x-amz-request-id", id)
	fctx.Response.Header.Set("x-amz-id-2", s.hostID2(id))
	fctx.SetStatusCode(e.Status())
	fctx.Response.Header.SetContentType("application/xml")
	fctx.SetBody(errorBody(e, "", id, s.hostID2(id)))
	fctx.SetConnectionClose()
	s.stats.record(OpUnknown, e.Status(), 0, 0)
	level := slog.LevelWarn
	if code == ErrRequestTimeout {
		level = slog.LevelDebug // idle and abandoned connections are routine
	}
	s.log.Log(context.Background(), level, "s3 malformed request", "request_id", id, "remote", fctx.RemoteAddr().String(), "code", code.spec().Code, "err", err.Error())
}

type alwaysHealthy struct{}

func (alwaysHealthy) Live() error  { return nil }
func (alwaysHealthy) Ready() error { return nil }

// fasthttpLogger routes fasthttp's own messages to slog.
type fasthttpLogger struct{ l *slog.Logger }

func (f fasthttpLogger) Printf(format string, args ...any) {
	f.l.Debug("fasthttp: " + fmt.Sprintf(format, args...))
}
