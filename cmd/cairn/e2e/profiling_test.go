package e2e

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestProfilingEndpoints: pprof is served only with --debug-address, on its
// own listener, and a CPU profile taken under S3 load is a real profile.
// Without the flag neither port answers /debug/pprof/.
func TestProfilingEndpoints(t *testing.T) {
	get := func(url string) (int, []byte) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}

	plain := startServer(t, serverOpts{})
	if code, body := get(plain.url() + "/debug/pprof/"); code == http.StatusOK || bytes.Contains(body, []byte("goroutine")) {
		t.Fatalf("S3 port serves pprof: %d %.200s", code, body)
	}

	debug := freeAddr(t)
	s := startServer(t, serverOpts{args: []string{"--debug-address", debug}})
	base := "http://" + debug + "/debug/pprof/"
	if code, body := get(base); code != http.StatusOK || !strings.Contains(string(body), "goroutine") {
		t.Fatalf("pprof index: %d %.200s", code, body)
	}
	if code, body := get(base + "heap?debug=1"); code != http.StatusOK || !strings.Contains(string(body), "heap profile") {
		t.Fatalf("heap profile: %d %.200s", code, body)
	}
	if code, _ := get(s.url() + "/debug/pprof/"); code == http.StatusOK {
		t.Fatal("the S3 port serves pprof too")
	}

	// Load while the CPU profile records.
	c := s.rootS3()
	if _, err := c.CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String("prof")}); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		body := randBytes(256<<10, 1)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := c.PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String("prof"), Key: aws.String("k"), Body: bytes.NewReader(body)}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	start := time.Now()
	code, prof := get(base + "profile?seconds=1")
	close(stop)
	<-done
	if code != http.StatusOK || len(prof) < 2 || prof[0] != 0x1f || prof[1] != 0x8b {
		t.Fatalf("CPU profile: %d, %d bytes, not gzip", code, len(prof))
	}
	if el := time.Since(start); el < time.Second {
		t.Fatalf("a 1 s CPU profile came back after %v", el)
	}
}
