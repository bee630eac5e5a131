package e2e

import (
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
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func body(t *testing.T, c *s3.Client, bucket, key, version string) string {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	out, err := c.GetObject(ctxT(t), in)
	mustOK(t, err)
	return string(readAll(t, out.Body))
}

// TestVersioningScenario: overwrite, delete, list versions, restore an old
// version by copying it over the current one.
func TestVersioningScenario(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "ver")
	ctx := ctxT(t)
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("ver"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	mustOK(t, err)
	gv, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("ver")})
	mustOK(t, err)
	if gv.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("versioning status %q", gv.Status)
	}
	var ids []string
	for _, v := range []string{"v1", "v2", "v3"} {
		p, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ver"), Key: aws.String("doc"), Body: strings.NewReader(v)})
		mustOK(t, err)
		if aws.ToString(p.VersionId) == "" || aws.ToString(p.VersionId) == "null" {
			t.Fatalf("no version ID for %s", v)
		}
		ids = append(ids, aws.ToString(p.VersionId))
	}
	if body(t, c, "ver", "doc", "") != "v3" || body(t, c, "ver", "doc", ids[0]) != "v1" {
		t.Fatal("latest or old version reads wrong")
	}
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("ver"), Key: aws.String("doc")})
	mustOK(t, err)
	if !aws.ToBool(del.DeleteMarker) || aws.ToString(del.VersionId) == "" {
		t.Fatalf("delete did not create a marker: %+v", del)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ver"), Key: aws.String("doc")})
	wantCode(t, err, "NoSuchKey")
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ver"), Key: aws.String("doc"), VersionId: del.VersionId})
	wantCode(t, err, "MethodNotAllowed")

	lv, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("ver")})
	mustOK(t, err)
	if len(lv.Versions) != 3 || len(lv.DeleteMarkers) != 1 || !aws.ToBool(lv.DeleteMarkers[0].IsLatest) || aws.ToString(lv.Versions[0].VersionId) != ids[2] {
		t.Fatalf("versions %d markers %d", len(lv.Versions), len(lv.DeleteMarkers))
	}
	// Restore v2 by copying it over the current (deleted) state.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("ver"), Key: aws.String("doc"), CopySource: aws.String("ver/doc?versionId=" + ids[1])})
	mustOK(t, err)
	if body(t, c, "ver", "doc", "") != "v2" {
		t.Fatal("restore did not bring back v2")
	}
	// Deleting a specific version removes it for good.
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("ver"), Key: aws.String("doc"), VersionId: aws.String(ids[0])})
	mustOK(t, err)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ver"), Key: aws.String("doc"), VersionId: aws.String(ids[0])})
	if code := errCode(err); code != "NoSuchVersion" && code != "NoSuchKey" {
		t.Fatalf("deleted version: %v", err)
	}
	// Suspended: writes replace the null version, older versions stay.
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("ver"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	mustOK(t, err)
	for _, v := range []string{"n1", "n2"} {
		p, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ver"), Key: aws.String("doc"), Body: strings.NewReader(v)})
		mustOK(t, err)
		if id := aws.ToString(p.VersionId); id != "" && id != "null" {
			t.Fatalf("suspended put got version %s", id)
		}
	}
	lv, err = c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("ver")})
	mustOK(t, err)
	nulls := 0
	for _, v := range lv.Versions {
		if aws.ToString(v.VersionId) == "null" {
			nulls++
		}
	}
	if nulls != 1 || body(t, c, "ver", "doc", ids[2]) != "v3" {
		t.Fatalf("suspended: %d null versions", nulls)
	}
}

func TestObjectLockRefusesDeletes(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := srv.rootS3()
	ctx := ctxT(t)
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("vault"), ObjectLockEnabledForBucket: aws.Bool(true)})
	mustOK(t, err)
	_, err = c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String("vault"),
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled,
			Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(1)}}}})
	mustOK(t, err)
	p, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vault"), Key: aws.String("ledger"), Body: strings.NewReader("entry")})
	mustOK(t, err)
	ret, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("vault"), Key: aws.String("ledger")})
	mustOK(t, err)
	if ret.Retention.Mode != types.ObjectLockRetentionModeGovernance {
		t.Fatalf("default retention not applied: %+v", ret.Retention)
	}
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vault"), Key: aws.String("ledger"), VersionId: p.VersionId})
	wantCode(t, err, "AccessDenied")
	// A legal hold blocks even a governance bypass.
	_, err = c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("vault"), Key: aws.String("ledger"),
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}})
	mustOK(t, err)
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vault"), Key: aws.String("ledger"), VersionId: p.VersionId, BypassGovernanceRetention: aws.Bool(true)})
	wantCode(t, err, "AccessDenied")
	_, err = c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("vault"), Key: aws.String("ledger"),
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOff}})
	mustOK(t, err)
	// COMPLIANCE cannot be bypassed or shortened.
	until := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	_, err = c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String("vault"), Key: aws.String("ledger"), BypassGovernanceRetention: aws.Bool(true),
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeCompliance, RetainUntilDate: aws.Time(until)}})
	mustOK(t, err)
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vault"), Key: aws.String("ledger"), VersionId: p.VersionId, BypassGovernanceRetention: aws.Bool(true)})
	wantCode(t, err, "AccessDenied")
	_, err = c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String("vault"), Key: aws.String("ledger"),
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeCompliance, RetainUntilDate: aws.Time(until.Add(-time.Hour))}})
	if errCode(err) == "" {
		t.Fatal("COMPLIANCE retention was shortened")
	}
	// A delete without a version ID only adds a marker; the version survives.
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vault"), Key: aws.String("ledger")})
	mustOK(t, err)
	if body(t, c, "vault", "ledger", aws.ToString(p.VersionId)) != "entry" {
		t.Fatal("locked version lost")
	}
	// Governance without bypass on a plain new object.
	p2, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vault"), Key: aws.String("gov"), Body: strings.NewReader("g")})
	mustOK(t, err)
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("vault"), Key: aws.String("gov"), VersionId: p2.VersionId, BypassGovernanceRetention: aws.Bool(true)})
	mustOK(t, err)
}

func TestLifecycleExpires(t *testing.T) {
	srv := startServer(t, serverOpts{args: []string{"--lifecycle-day-length", "1s", "--lifecycle-interval", "300ms"}})
	c := newBucket(t, srv, "lcy")
	ctx := ctxT(t)
	for _, k := range []string{"tmp/a", "tmp/b", "keep/c"} {
		mustOK(t, put(t, c, "lcy", k))
	}
	_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("lcy"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{
			ID: aws.String("expire-tmp"), Status: types.ExpirationStatusEnabled,
			Filter:     &types.LifecycleRuleFilter{Prefix: aws.String("tmp/")},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)},
		}}}})
	mustOK(t, err)
	got, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcy")})
	mustOK(t, err)
	if len(got.Rules) != 1 || aws.ToString(got.Rules[0].ID) != "expire-tmp" {
		t.Fatalf("lifecycle round trip: %+v", got.Rules)
	}
	waitFor(t, 30*time.Second, "lifecycle expiry of tmp/", func() bool {
		out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lcy")})
		return err == nil && len(out.Contents) == 1 && aws.ToString(out.Contents[0].Key) == "keep/c"
	})
}

// TestBrowserUploadsAndCORS uses curl as a browser would: a CORS preflight
// and a POST form upload signed with a policy.
func TestBrowserUploadsAndCORS(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	srv := startServer(t, serverOpts{})
	c := newBucket(t, srv, "web")
	ctx := ctxT(t)
	_, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("web"), CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{{AllowedOrigins: []string{"https://app.example.com"}, AllowedMethods: []string{"GET", "PUT", "POST"},
			AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(600)}}}})
	mustOK(t, err)
	pre := exec.Command("curl", "-s", "-i", "-X", "OPTIONS", srv.url()+"/web/photo.jpg",
		"-H", "Origin: https://app.example.com", "-H", "Access-Control-Request-Method: PUT", "-H", "Access-Control-Request-Headers: content-type")
	out, err := pre.CombinedOutput()
	mustOK(t, err)
	low := strings.ToLower(string(out))
	if !strings.Contains(low, "200 ok") || !strings.Contains(low, "access-control-allow-origin: https://app.example.com") || !strings.Contains(low, "access-control-max-age: 600") {
		t.Fatalf("preflight:\n%s", out)
	}
	bad := exec.Command("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "OPTIONS", srv.url()+"/web/photo.jpg",
		"-H", "Origin: https://evil.example.com", "-H", "Access-Control-Request-Method: PUT")
	code, _ := bad.Output()
	if string(code) != "403" {
		t.Fatalf("preflight from a foreign origin: %s", code)
	}

	// A POST form upload: policy + SigV4 form signature, file field last.
	form := newPostForm(t, "web", "uploads/", time.Now().Add(10*time.Minute))
	file := filepath.Join(t.TempDir(), "hello.txt")
	mustOK(t, os.WriteFile(file, []byte("hello from a browser"), 0o644))
	args := []string{"-s", "-o", "-", "-w", "\n%{http_code}", srv.url() + "/web"}
	for _, kv := range form {
		args = append(args, "-F", kv[0]+"="+kv[1])
	}
	args = append(args, "-F", "key=uploads/${filename}", "-F", "success_action_status=201", "-F", "file=@"+file)
	post := exec.Command("curl", args...)
	res, err := post.CombinedOutput()
	mustOK(t, err)
	if !strings.HasSuffix(strings.TrimSpace(string(res)), "201") || !strings.Contains(string(res), "<Key>uploads/hello.txt</Key>") {
		t.Fatalf("POST upload:\n%s", res)
	}
	if body(t, c, "web", "uploads/hello.txt", "") != "hello from a browser" {
		t.Fatal("POSTed object content wrong")
	}
	// The same form outside the policy's key prefix is refused.
	args[len(args)-5] = "key=elsewhere/${filename}"
	res, _ = exec.Command("curl", args...).CombinedOutput()
	if !strings.HasSuffix(strings.TrimSpace(string(res)), "403") {
		t.Fatalf("POST outside the policy: %s", res)
	}
}

func TestVirtualHostAddressing(t *testing.T) {
	srv := startServer(t, serverOpts{args: []string{"--domain", "s3.cairn.test"}})
	c := newBucket(t, srv, "vhs")
	mustOK(t, put(t, c, "vhs", "dir/file.txt"))
	// Virtual-host style: the bucket is in the Host header.
	req, _ := http.NewRequest(http.MethodGet, srv.url()+"/dir/file.txt", nil)
	req.Host = "vhs.s3.cairn.test"
	signV4(t, req, rootUser, rootPassword, nil)
	resp, err := http.DefaultClient.Do(req)
	mustOK(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "data:dir/file.txt" {
		t.Fatalf("virtual-host GET: %d %s", resp.StatusCode, b)
	}
	// Path style keeps working on the same port.
	if body(t, c, "vhs", "dir/file.txt", "") != "data:dir/file.txt" {
		t.Fatal("path style broke")
	}
}
