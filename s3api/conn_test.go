package s3api

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/meta"
	"github.com/cairn-s3/cairn/s3api/sigv4"
)

func TestHeaderTimeout(t *testing.T) {
	ts := startServerCfg(t, Config{HeaderTimeout: 300 * time.Millisecond, ProgressTimeout: 5 * time.Second}, allowAll{})
	// A header trickling in byte by byte keeps making progress but must
	// still be complete within HeaderTimeout.
	rc := dialRaw(t, ts.addr)
	start := time.Now()
	req := "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("s", 100)
	var err error
	for i := 0; i < len(req) && err == nil; i++ {
		_, err = rc.c.Write([]byte{req[i]})
		time.Sleep(20 * time.Millisecond)
	}
	if !rc.closedByPeer() && err == nil {
		t.Fatal("slow header was not cut off")
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("cut off after %v", d)
	}

	// An idle new connection is closed too.
	rc2 := dialRaw(t, ts.addr)
	if !rc2.closedByPeer() {
		t.Error("idle new connection was kept open")
	}

	// A normal request right after connecting works.
	rc3 := dialRaw(t, ts.addr)
	if r := rc3.do("GET /health/live HTTP/1.1\r\nHost: x\r\n", nil, false); r.status != 200 {
		t.Errorf("status %d", r.status)
	}
}

func TestProgressTimeout(t *testing.T) {
	// Margins are wide: CI runs this on 2 loaded cores under -race.
	ts := startServerCfg(t, Config{HeaderTimeout: 2 * time.Second, ProgressTimeout: 1500 * time.Millisecond}, allowAll{})
	seedBucket(ts, "raw")

	// A slow body that keeps moving is accepted even though the whole
	// transfer takes several times ProgressTimeout.
	rc := dialRaw(t, ts.addr)
	const n = 12
	if _, err := fmt.Fprintf(rc.c, "PUT /raw/slow HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", n*10000); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if _, err := rc.c.Write([]byte(strings.Repeat("x", 10000))); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if r := rc.read(false); r.status != 200 {
		t.Fatalf("slow upload: %d %s", r.status, r.body)
	}

	// A body that stalls is cut off and nothing is stored.
	rc2 := dialRaw(t, ts.addr)
	if _, err := fmt.Fprintf(rc2.c, "PUT /raw/stalled HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n%s", strings.Repeat("x", 20000)); err != nil {
		t.Fatal(err)
	}
	rc2.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, _ := io.ReadAll(rc2.br)
	if strings.HasPrefix(string(b), "HTTP/1.1 200") {
		t.Fatalf("stalled upload succeeded: %q", b)
	}
	if _, ok := ts.objects.m["raw"]["stalled"]; ok {
		t.Error("stalled upload was stored")
	}
}

// Shutdown lets an in-flight request finish.
func TestShutdownDrains(t *testing.T) {
	ts := startServerWith(t, allowAll{})
	seedBucket(ts, "raw")
	rc := dialRaw(t, ts.addr)
	if _, err := fmt.Fprintf(rc.c, "PUT /raw/inflight HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n\r\n%s", strings.Repeat("x", 10000)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the handler is now reading the body
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done <- ts.srv.Shutdown(ctx)
	}()
	time.Sleep(200 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned before the request finished: %v", err)
	default:
	}
	if _, err := rc.c.Write([]byte(strings.Repeat("x", 10000))); err != nil {
		t.Fatal(err)
	}
	if r := rc.read(false); r.status != 200 {
		t.Errorf("in-flight request: %d %s", r.status, r.body)
	}
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if _, ok := ts.objects.m["raw"]["inflight"]; !ok {
		t.Error("in-flight object not stored")
	}
}

func selfSignedTLS(t *testing.T) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

// Over TLS the handler still ends the header phase: a body upload that
// lasts longer than HeaderTimeout is not cut off.
func TestTLSSlowBody(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	objs := newMemObjects(time.Now)
	bks := newMemBuckets()
	bks.m["raw"] = meta.Bucket{Name: "raw"}
	srv := New(Config{HeaderTimeout: time.Second, ProgressTimeout: 3 * time.Second}, Deps{
		Buckets: bks, Objects: objs, Verifier: sigv4.NewVerifier(iam.NewRootCredentials("a", "b")), Authorizer: allowAll{},
	})
	go srv.Serve(tls.NewListener(ln, selfSignedTLS(t)))
	defer srv.Shutdown(context.Background())

	c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rc := &rawConn{t: t, c: c, br: bufio.NewReader(c)}
	// fasthttp reads up to 8 KiB of body before the handler starts (that
	// much counts as header time); the rest trickles in.
	if _, err := fmt.Fprintf(c, "PUT /raw/slow HTTP/1.1\r\nHost: x\r\nContent-Length: 10008\r\n\r\n%s", strings.Repeat("x", 10000)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 8; i++ {
		time.Sleep(300 * time.Millisecond) // 2.4 s in all: far past HeaderTimeout
		if _, err := c.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	if r := rc.read(false); r.status != 200 {
		t.Fatalf("slow TLS upload: %d %s", r.status, r.body)
	}
	if r := rc.do("GET /raw/slow HTTP/1.1\r\nHost: x\r\n", nil, false); r.status != 200 || len(r.body) != 10008 {
		t.Errorf("GET over TLS: %d %q", r.status, r.body)
	}
}
