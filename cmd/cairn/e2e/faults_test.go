package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
)

// faultObjects writes a mix of inline and erasure-coded objects and returns
// their contents by key.
func faultObjects(t *testing.T, c *s3.Client, bucket string) map[string][]byte {
	t.Helper()
	objs := map[string][]byte{}
	for i, n := range []int{0, 10, 100 << 10, 1 << 20, 3<<20 + 5, 9 << 20} {
		key := fmt.Sprintf("obj-%d", n)
		objs[key] = randBytes(n, int64(100+i))
		_, err := c.PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(objs[key])})
		mustOK(t, err)
	}
	return objs
}

func verifyObjects(t *testing.T, c *s3.Client, bucket string, objs map[string][]byte, what string) {
	t.Helper()
	for key, want := range objs {
		get, err := c.GetObject(ctxT(t), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("%s: GET %s: %v", what, key, err)
		}
		sameBytes(t, readAll(t, get.Body), want, what+": "+key)
	}
	list, err := c.ListObjectsV2(ctxT(t), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	mustOK(t, err)
	if len(list.Contents) != len(objs) {
		t.Fatalf("%s: listed %d objects, want %d", what, len(list.Contents), len(objs))
	}
}

func wipe(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	mustOK(t, err)
	for _, e := range entries {
		mustOK(t, os.RemoveAll(filepath.Join(dir, e.Name())))
	}
}

// TestWipeTwoDrives loses half the drives (the parity count), then, once the
// wiped drives were refilled by healing, loses the other half.
func TestWipeTwoDrives(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "wipe")
	objs := faultObjects(t, c, "wipe")
	d := srv.drives()

	srv.stop()
	wipe(t, d[0])
	wipe(t, d[2])
	srv.start()
	verifyObjects(t, c, "wipe", objs, "drives 1 and 3 wiped")

	// The start formats the empty drives and heals them; reads heal too.
	waitFor(t, 60*time.Second, "healing of the wiped drives", func() bool {
		return strings.Contains(srv.out.String(), "heal") && shardBytes(d[0]) > 0 && shardBytes(d[2]) > 0
	})
	srv.stop()
	wipe(t, d[1])
	wipe(t, d[3])
	srv.start()
	verifyObjects(t, c, "wipe", objs, "drives 2 and 4 wiped after healing")
}

// TestWipeDrivesWhileRunning removes two drives' contents under a live
// server: reads keep working from the remaining drives.
func TestWipeDrivesWhileRunning(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "live")
	objs := faultObjects(t, c, "live")
	d := srv.drives()
	wipe(t, d[1])
	wipe(t, d[3])
	verifyObjects(t, c, "live", objs, "two drives wiped under a live server")
}

// TestCorruptShard flips bytes in every shard file of one drive: GETs return
// the right data and the corruption is logged.
func TestCorruptShard(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "rot")
	objs := faultObjects(t, c, "rot")
	srv.stop()
	files := shardFiles(srv.drives()[0])
	if len(files) == 0 {
		t.Fatal("no shard files found on drive 1")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		mustOK(t, err)
		for i := len(b) / 3; i < len(b)/3+16 && i < len(b); i++ {
			b[i] ^= 0xA5
		}
		mustOK(t, os.WriteFile(f, b, 0o644))
	}
	srv.start()
	verifyObjects(t, c, "rot", objs, "corrupted shards on drive 1")
	if out := strings.ToLower(srv.out.String()); !strings.Contains(out, "bitrot") && !strings.Contains(out, "corrupt") {
		t.Fatalf("corruption was not logged:\n%s", srv.out.String())
	}
}

// TestKillDuringUpload crashes the server in the middle of a large upload:
// after restart that object is absent (or complete), and every acknowledged
// object is intact.
func TestKillDuringUpload(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "crash")
	objs := faultObjects(t, c, "crash")

	const size = 200 << 20
	pr, pw := io.Pipe()
	go func() {
		_, _ = io.Copy(pw, &patternReader{n: size})
		pw.Close()
	}()
	errc := make(chan error, 1)
	mc := srv.minio(t)
	go func() {
		// minio-go streams a non-seekable body with signed chunks.
		_, err := mc.PutObject(context.Background(), "crash", "partial", pr, size, minio.PutObjectOptions{DisableMultipart: true})
		errc <- err
	}()
	// Let a good part of the body reach the drives, then crash.
	waitFor(t, 60*time.Second, "upload in flight", func() bool { return shardBytes(srv.drives()[0]) > 20<<20 })
	srv.kill()
	pr.CloseWithError(fmt.Errorf("server killed"))
	uploadErr := <-errc

	srv.start()
	head, err := c.HeadObject(ctxT(t), &s3.HeadObjectInput{Bucket: aws.String("crash"), Key: aws.String("partial")})
	switch {
	case err == nil:
		if uploadErr != nil && aws.ToInt64(head.ContentLength) != size {
			t.Fatalf("a partial object is visible: %d bytes", aws.ToInt64(head.ContentLength))
		}
	case errCode(err) != "NotFound":
		t.Fatalf("HEAD after crash: %v", err)
	}
	verifyObjects(t, c, "crash", objs, "after kill -9")
}

// shardFiles lists the files on a drive that hold object shards: everything
// but the drive's format file and its badger index.
func shardFiles(drive string) []string {
	var out []string
	filepath.WalkDir(drive, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		name := d.Name()
		switch {
		case name == "format.json", strings.HasSuffix(name, ".sst"), strings.HasSuffix(name, ".vlog"),
			strings.HasSuffix(name, ".mem"), name == "MANIFEST", name == "KEYREGISTRY", name == "DISCARD", name == "LOCK":
			return nil
		}
		if info, err := d.Info(); err == nil && info.Size() > 64<<10 {
			out = append(out, path)
		}
		return nil
	})
	return out
}

func shardBytes(drive string) int64 {
	var n int64
	for _, f := range shardFiles(drive) {
		if st, err := os.Stat(f); err == nil {
			n += st.Size()
		}
	}
	return n
}

func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// rssBytes is the resident set size of a process, from /proc.
func rssBytes(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	mustOK(t, err)
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmRSS")
	return 0
}
