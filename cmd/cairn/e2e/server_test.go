package e2e

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
)

func TestGeneratedRootCredentialsPrintedOnce(t *testing.T) {
	srv := startServer(t, serverOpts{noRootEnv: true})
	out := srv.out.String()
	ak, sk := field(out, "AccessKey:"), field(out, "SecretKey:")
	if len(ak) < 16 || len(sk) < 32 {
		t.Fatalf("generated credentials not printed:\n%s", out)
	}
	c := srv.s3Client(ak, sk)
	_, err := c.CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	mustOK(t, err)
	srv.restart(false)
	if strings.Contains(srv.out.String(), sk) {
		t.Fatal("the secret was printed again on restart")
	}
	_, err = c.HeadBucket(ctxT(t), &s3.HeadBucketInput{Bucket: aws.String("bkt")})
	mustOK(t, err)
	// The secret is printed for the operator but never reaches a log record.
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, sk) && (strings.Contains(line, "level=") || strings.Contains(line, `"level"`)) {
			t.Fatalf("secret in a log record: %s", line)
		}
	}
}

// field returns the word after label in s.
func field(s, label string) string {
	i := strings.Index(s, label)
	if i < 0 {
		return ""
	}
	f := strings.Fields(s[i+len(label):])
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

func TestForeignDriveRefused(t *testing.T) {
	a := startServer(t, serverOpts{})
	b := startServer(t, serverOpts{})
	a.stop()
	b.stop()
	// Give b one of a's drives.
	mixed := strings.Join([]string{a.drives()[0], b.drives()[1], b.drives()[2], b.drives()[3]}, ",")
	cmd := exec.Command(cairnBin, "server", "--address", freeAddr(t), "--data-dir", b.dataDir, "--drives", mixed)
	cmd.Env = append(filteredEnv(), "CAIRN_ROOT_USER="+rootUser, "CAIRN_ROOT_PASSWORD="+rootPassword)
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("server with a foreign drive kept running")
	}
	if err == nil || !strings.Contains(string(out), "another deployment") || !strings.Contains(string(out), a.drives()[0]) {
		t.Fatalf("want a refusal naming the foreign drive, got err=%v:\n%s", err, out)
	}
}

func TestFlagsAndDrivePattern(t *testing.T) {
	dir := t.TempDir()
	pattern := filepath.Join(dir, "disk{1...6}")
	srv := startServer(t, serverOpts{args: []string{"--drives", pattern, "--parity", "2"}})
	c := newBucket(t, srv, "six")
	body := randBytes(2<<20, 3)
	_, err := c.PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String("six"), Key: aws.String("k"), Body: strings.NewReader(string(body))})
	mustOK(t, err)
	for i := 1; i <= 6; i++ {
		if _, err := os.Stat(filepath.Join(dir, "disk"+string(rune('0'+i)), "format.json")); err != nil {
			t.Fatalf("drive %d not formatted: %v", i, err)
		}
	}
	// Two of six drives lost (parity 2): still readable.
	srv.stop()
	for _, i := range []string{"2", "5"} {
		mustOK(t, os.RemoveAll(filepath.Join(dir, "disk"+i)))
		mustOK(t, os.MkdirAll(filepath.Join(dir, "disk"+i), 0o755))
	}
	srv.start()
	get, err := c.GetObject(ctxT(t), &s3.GetObjectInput{Bucket: aws.String("six"), Key: aws.String("k")})
	mustOK(t, err)
	sameBytes(t, readAll(t, get.Body), body, "6-drive object after losing 2")

	bad := exec.Command(cairnBin, "server", "--drives", "a{1...4}", "--parity", "3", "--data-dir", t.TempDir())
	bad.Env = filteredEnv()
	bad.Dir = t.TempDir()
	out, err := bad.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "parity") {
		t.Fatalf("parity 3 of 4 accepted: %v %s", err, out)
	}
}

// TestGracefulShutdownDrains sends SIGTERM while an upload is in flight: the
// upload completes and the process exits cleanly.
func TestGracefulShutdownDrains(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "drain")
	const size = 24 << 20
	pr, pw := io.Pipe()
	go func() {
		r := &patternReader{n: size}
		buf := make([]byte, 1<<20)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				if _, werr := pw.Write(buf[:n]); werr != nil {
					return
				}
				time.Sleep(40 * time.Millisecond) // ~1 s for the whole body
			}
			if err != nil {
				pw.Close()
				return
			}
		}
	}()
	done := make(chan error, 1)
	mc := srv.minio(t)
	go func() {
		_, err := mc.PutObject(context.Background(), "drain", "slow", pr, size, minio.PutObjectOptions{DisableMultipart: true})
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)
	srv.stop() // fails the test on an unclean exit
	if err := <-done; err != nil {
		t.Fatalf("in-flight upload failed during shutdown: %v", err)
	}
	srv.start()
	head, err := c.HeadObject(ctxT(t), &s3.HeadObjectInput{Bucket: aws.String("drain"), Key: aws.String("slow")})
	mustOK(t, err)
	if aws.ToString(head.ETag) != `"`+patternMD5(size)+`"` {
		t.Fatalf("drained upload has ETag %s", aws.ToString(head.ETag))
	}
	// After shutdown nothing listens: a new connection is refused.
	srv.stop()
	if _, err := http.Get(srv.url() + "/health/live"); err == nil {
		t.Fatal("server still answering after SIGTERM")
	}
}
