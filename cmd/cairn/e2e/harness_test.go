package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
)

const (
	rootUser     = "cairnadmin"
	rootPassword = "cairn-secret-key-for-tests"
)

var cairnBin string

func TestMain(m *testing.M) {
	// The machine sets AWS_CA_BUNDLE; SDK clients with a custom HTTP client
	// fail to load it, and these tests speak plain HTTP anyway.
	os.Unsetenv("AWS_CA_BUNDLE")
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	cairnBin = os.Getenv("CAIRN_BIN")
	if cairnBin == "" {
		dir, err := os.MkdirTemp("", "cairn-e2e-bin")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		cairnBin = filepath.Join(dir, "cairn")
		build := exec.Command("go", "build", "-o", cairnBin, "github.com/cairn-s3/cairn/cmd/cairn")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build cairn:", err)
			return 1
		}
	}
	return m.Run()
}

// syncBuffer collects a process's output for assertions while it runs.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is one running `cairn server` process.
type server struct {
	t       *testing.T
	dataDir string
	addr    string
	args    []string
	env     []string
	tls     *tlsFiles
	cmd     *exec.Cmd
	out     *syncBuffer
	exited  chan struct{}
	waitErr error
}

type serverOpts struct {
	dataDir string   // default: a new temp dir
	args    []string // extra flags
	env     []string // extra environment; root credentials are set unless noRootEnv
	// noRootEnv leaves CAIRN_ROOT_* unset so the server generates credentials.
	noRootEnv bool
	// tls serves HTTPS with a self-signed certificate.
	tls bool
}

func startServer(t *testing.T, o serverOpts) *server {
	t.Helper()
	if o.dataDir == "" {
		o.dataDir = t.TempDir()
	}
	s := &server{t: t, dataDir: o.dataDir, addr: freeAddr(t), args: o.args, env: o.env}
	if o.tls {
		s.tls = newTLSFiles(t)
		s.args = append(s.args, "--tls-cert", s.tls.cert, "--tls-key", s.tls.key)
	}
	if !o.noRootEnv {
		s.env = append(s.env, "CAIRN_ROOT_USER="+rootUser, "CAIRN_ROOT_PASSWORD="+rootPassword)
	}
	s.start()
	t.Cleanup(func() { s.kill() })
	return s
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start launches the process and waits until it is ready.
func (s *server) start() {
	s.t.Helper()
	if err := s.launch(); err != nil {
		s.t.Fatal(err)
	}
	if err := s.waitReady(60 * time.Second); err != nil {
		s.t.Fatalf("server not ready: %v\n--- server output ---\n%s", err, s.out.String())
	}
}

func (s *server) launch() error {
	args := append([]string{"server", "--address", s.addr, "--data-dir", s.dataDir, "--log-level", "debug"}, s.args...)
	s.cmd = exec.Command(cairnBin, args...)
	s.cmd.Env = append(filteredEnv(), s.env...)
	s.out = &syncBuffer{}
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	s.exited = make(chan struct{})
	if err := s.cmd.Start(); err != nil {
		return err
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	return nil
}

// filteredEnv is the test's environment without Cairn settings, so a
// developer's shell cannot change what a test starts.
func filteredEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CAIRN_") {
			env = append(env, kv)
		}
	}
	return env
}

func (s *server) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("process exited: %v", s.waitErr)
		default:
		}
		resp, err := s.httpClient().Get(s.url() + "/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %v", timeout)
}

func (s *server) url() string {
	if s.tls != nil {
		return "https://" + s.addr
	}
	return "http://" + s.addr
}

// httpClient trusts the server's certificate when it serves TLS.
func (s *server) httpClient() *http.Client {
	if s.tls == nil {
		return &http.Client{Timeout: 5 * time.Minute}
	}
	return &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.tls.pool}}}
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop() {
	s.t.Helper()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		if s.waitErr != nil {
			s.t.Fatalf("server exited uncleanly after SIGTERM: %v\n%s", s.waitErr, s.out.String())
		}
	case <-time.After(30 * time.Second):
		s.t.Fatalf("server did not exit 30 s after SIGTERM\n%s", s.out.String())
	}
	s.cmd = nil
}

// kill ends the process with SIGKILL, as a crash would.
func (s *server) kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// restart stops the process (cleanly unless crash) and starts it again on
// the same data directory and address.
func (s *server) restart(crash bool) {
	s.t.Helper()
	if crash {
		s.kill()
	} else {
		s.stop()
	}
	s.start()
}

func (s *server) drives() []string {
	var d []string
	for i := 1; i <= 4; i++ {
		d = append(d, filepath.Join(s.dataDir, fmt.Sprintf("drive%d", i)))
	}
	return d
}

// s3Client is an aws-sdk-go-v2 client for the given key pair.
func (s *server) s3Client(accessKey, secretKey string, optFns ...func(*s3.Options)) *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint: aws.String(s.url()),
		Region:       "us-east-1",
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, secretKey, ""),
		HTTPClient:   s.httpClient(),
	}, optFns...)
}

func (s *server) rootS3() *s3.Client { return s.s3Client(rootUser, rootPassword) }

func (s *server) minio(t *testing.T) *minio.Client {
	t.Helper()
	c, err := minio.New(s.addr, &minio.Options{
		Creds:     miniocreds.NewStaticV4(rootUser, rootPassword, ""),
		Secure:    s.tls != nil,
		Region:    "us-east-1",
		Transport: s.httpClient().Transport,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
