package s3api

import (
	"crypto/tls"
	"net"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// Timeouts on connections.
//
// fasthttp's ReadTimeout and WriteTimeout bound a whole request or response,
// which a multi-gigabyte object cannot meet, and with them unset fasthttp
// waits forever for a request's header. Cairn instead wraps each accepted
// connection so that:
//   - the request header (from its first byte, or from accept for a new
//     connection) must arrive within HeaderTimeout; this includes the up
//     to 8 KiB of body fasthttp reads before it calls the handler;
//   - afterwards every read and every write must make progress within
//     ProgressTimeout (a stalled client is dropped, a slow one is not);
//   - between requests fasthttp's own IdleTimeout applies: a deadline
//     fasthttp sets explicitly always wins over the progress deadline.
//
// The handler finds its connection through ctx.Conn() to end the header
// phase, which is why Serve must get the raw (or TLS) listener and
// fasthttp's own per-IP limiting (which rewraps connections) is not used.
type deadlineListener struct {
	net.Listener
	header, progress time.Duration
}

func (l *deadlineListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	dc := &deadlineConn{Conn: c, progress: l.progress, header: l.header}
	dc.startHeader(time.Now())
	if tc, ok := c.(tlsConn); ok {
		// Keep the TLS methods visible: fasthttp finds a TLS connection
		// (ctx.IsTLS, aws:SecureTransport) by asserting them.
		return &tlsDeadlineConn{deadlineConn: dc, tls: tc}, nil
	}
	return dc, nil
}

// tlsConn is what fasthttp looks for to recognise a TLS connection.
type tlsConn interface {
	Handshake() error
	ConnectionState() tls.ConnectionState
}

type tlsDeadlineConn struct {
	*deadlineConn
	tls tlsConn
}

func (c *tlsDeadlineConn) Handshake() error                     { return c.tls.Handshake() }
func (c *tlsDeadlineConn) ConnectionState() tls.ConnectionState { return c.tls.ConnectionState() }

// headerTimed is implemented by the connections deadlineListener returns
// (plain and TLS).
type headerTimed interface {
	startHeader(time.Time)
	headerDone()
}

type deadlineConn struct {
	net.Conn
	header, progress time.Duration

	// All fields below hold UnixNano times, 0 = unset. fasthttp serves a
	// connection from one goroutine, but Shutdown may set deadlines from
	// another, hence atomics.
	explicitRead  atomic.Int64 // deadline fasthttp set itself
	explicitWrite atomic.Int64
	headerBy      atomic.Int64 // the current request's header deadline
}

func (c *deadlineConn) startHeader(now time.Time) {
	if c.header > 0 {
		c.headerBy.Store(now.Add(c.header).UnixNano())
	}
}

// headerDone is called when the handler starts: the header has arrived.
func (c *deadlineConn) headerDone() { c.headerBy.Store(0) }

func (c *deadlineConn) Read(p []byte) (int, error) {
	now := time.Now()
	var d int64
	if e := c.explicitRead.Load(); e != 0 {
		d = e
	} else {
		if c.progress > 0 {
			d = now.Add(c.progress).UnixNano()
		}
		if h := c.headerBy.Load(); h != 0 && (d == 0 || h < d) {
			d = h
		}
	}
	if err := c.Conn.SetReadDeadline(unixNano(d)); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

func (c *deadlineConn) Write(p []byte) (int, error) {
	d := c.explicitWrite.Load()
	if d == 0 && c.progress > 0 {
		d = time.Now().Add(c.progress).UnixNano()
	}
	if err := c.Conn.SetWriteDeadline(unixNano(d)); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

func (c *deadlineConn) SetDeadline(t time.Time) error {
	c.explicitRead.Store(nanoOf(t))
	c.explicitWrite.Store(nanoOf(t))
	return c.Conn.SetDeadline(t)
}

func (c *deadlineConn) SetReadDeadline(t time.Time) error {
	c.explicitRead.Store(nanoOf(t))
	return c.Conn.SetReadDeadline(t)
}

func (c *deadlineConn) SetWriteDeadline(t time.Time) error {
	c.explicitWrite.Store(nanoOf(t))
	return c.Conn.SetWriteDeadline(t)
}

func nanoOf(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func unixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// connState restarts the header deadline when a keep-alive connection
// receives the first byte of its next request.
func connState(c net.Conn, st fasthttp.ConnState) {
	if st != fasthttp.StateActive {
		return
	}
	if dc, ok := c.(headerTimed); ok {
		dc.startHeader(time.Now())
	}
}
