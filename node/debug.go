package node

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// debugServer serves Go's profiling endpoints (/debug/pprof/...) on their
// own listener. It exists only when the operator asks for it
// (--debug-address): the endpoints have no authentication, reveal memory
// contents through heap profiles, and a CPU profile costs the node CPU, so
// they never share the S3 port and are off by default.
type debugServer struct {
	srv *http.Server
	ln  net.Listener
}

func startDebug(addr string, log *slog.Logger) (*debugServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("debug listener on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	d := &debugServer{
		// WriteTimeout stays unset: a CPU profile or trace answers after
		// the seconds it was asked to record.
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second},
		ln:  ln,
	}
	if host, _, err := net.SplitHostPort(ln.Addr().String()); err == nil {
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			log.Warn("profiling endpoints are reachable beyond this host and have no authentication", "address", ln.Addr().String())
		}
	}
	go func() {
		if err := d.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("debug server stopped", "err", err)
		}
	}()
	log.Info("profiling endpoints enabled", "url", "http://"+ln.Addr().String()+"/debug/pprof/")
	return d, nil
}

// Addr is the address the debug server listens on.
func (d *debugServer) Addr() string { return d.ln.Addr().String() }

func (d *debugServer) Close() error { return d.srv.Close() }
