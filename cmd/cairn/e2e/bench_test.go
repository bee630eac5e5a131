package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cairn-s3/cairn/bench"
)

// TestBenchPutGetCompare drives `cairn bench` against a real server: a put
// run and a get run with JSON reports, then `cairn bench compare`.
func TestBenchPutGetCompare(t *testing.T) {
	s := startServer(t, serverOpts{})
	dir := t.TempDir()
	// The bucket exists beforehand, so the runs must leave it (and only it).
	if _, err := s.rootS3().CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String("benche2e")}); err != nil {
		t.Fatal(err)
	}
	runBench := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(cairnBin, append([]string{"bench"}, args...)...)
		cmd.Env = append(filteredEnv(), "CAIRN_ENDPOINT="+s.url(), "CAIRN_ACCESS_KEY="+rootUser, "CAIRN_SECRET_KEY="+rootPassword)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("cairn bench %v: %v\n%s\n--- server ---\n%s", args, err, out, s.out.String())
		}
		return string(out)
	}
	check := func(path, op string) *bench.Report {
		t.Helper()
		r, err := bench.ReadReportFile(path)
		if err != nil {
			t.Fatal(err)
		}
		o := r.Op(op)
		if o == nil {
			t.Fatalf("%s report has no %s entry: %+v", op, op, r.Ops)
		}
		if o.Ops <= 0 || o.OpsPerSec <= 0 || o.Bytes != o.Ops*4096 {
			t.Errorf("%s: %d ops, %.1f ops/s, %d bytes", op, o.Ops, o.OpsPerSec, o.Bytes)
		}
		if o.Errors != 0 {
			t.Errorf("%s: %d errors %v", op, o.Errors, o.ErrorCodes)
		}
		l := o.Latency
		if !(l.Min > 0 && l.Min <= l.P50 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.P999 && l.P999 <= l.Max && l.Max < 30000) {
			t.Errorf("%s: latency percentiles not ordered or absurd: %+v", op, l)
		}
		if r.Signing.Count < uint64(o.Ops) {
			t.Errorf("%s: %d signatures for %d operations", op, r.Signing.Count, o.Ops)
		}
		return r
	}
	putJSON, getJSON := filepath.Join(dir, "put.json"), filepath.Join(dir, "get.json")
	out := runBench("put", "--duration", "2s", "--concurrency", "4", "--bucket", "benche2e", "--json", putJSON)
	if !strings.Contains(out, "p99.9 ms") {
		t.Errorf("no text report:\n%s", out)
	}
	check(putJSON, "put")
	runBench("get", "--duration", "2s", "--concurrency", "4", "--bucket", "benche2e", "--objects", "50", "--json", getJSON)
	g := check(getJSON, "get")
	if ttfb := g.Op("get").TTFB; ttfb == nil || ttfb.Count == 0 || ttfb.P50 > g.Op("get").Latency.P50+0.01 {
		t.Errorf("get ttfb %+v against latency %+v", ttfb, g.Op("get").Latency)
	}

	// Without --keep both runs deleted what they wrote.
	objs, err := s.rootS3().ListObjectsV2(ctxT(t), &s3.ListObjectsV2Input{Bucket: aws.String("benche2e")})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs.Contents) != 0 {
		t.Errorf("%d objects left after the runs", len(objs.Contents))
	}

	cmp := runBench("compare", putJSON, getJSON)
	if !strings.Contains(cmp, "put→get") || !strings.Contains(cmp, "ops/s") || !strings.Contains(cmp, "x") {
		t.Errorf("compare output:\n%s", cmp)
	}
	t.Logf("compare:\n%s", cmp)
	if _, err := os.Stat(putJSON); err != nil {
		t.Fatal(err)
	}
}
