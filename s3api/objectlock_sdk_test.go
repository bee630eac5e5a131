package s3api

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cairn-s3/cairn/iam"
)

// denyActions allows everything except the listed actions.
type denyActions map[string]bool

func (d denyActions) Authorize(r iam.Request) iam.Decision {
	if d[r.Action] {
		return iam.Decision{Reason: "denied by test"}
	}
	return iam.Decision{Allowed: true, Reason: "allowed by test"}
}

func putLocked(t *testing.T, c *s3.Client, bucket, key string, mode s3types.ObjectLockMode, until time.Time) string {
	t.Helper()
	out, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: strings.NewReader("locked"), ObjectLockMode: mode, ObjectLockRetainUntilDate: aws.Time(until)})
	if err != nil {
		t.Fatalf("PutObject %s with %s lock: %v", key, mode, err)
	}
	return aws.ToString(out.VersionId)
}

func TestObjectLockSDK(t *testing.T) {
	ss := startStoreServer(t, iam.RootOnly{})
	c := ss.client(t)
	ctx := context.Background()
	const bkt = "locked"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bkt), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatalf("CreateBucket with object lock: %v", err)
	}
	if gv, _ := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bkt)}); gv.Status != s3types.BucketVersioningStatusEnabled {
		t.Fatalf("object-lock bucket versioning %q", gv.Status)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bkt),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}}); apiCode(err) != "InvalidBucketState" {
		t.Fatalf("suspending an object-lock bucket: %v", err)
	}
	lc, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(bkt)})
	if err != nil || lc.ObjectLockConfiguration.ObjectLockEnabled != s3types.ObjectLockEnabledEnabled || lc.ObjectLockConfiguration.Rule != nil {
		t.Fatalf("GetObjectLockConfiguration: %+v %v", lc, err)
	}
	hour := time.Now().Add(time.Hour).UTC().Truncate(time.Second)

	// GOVERNANCE: a plain delete adds a marker; removing the version needs
	// the bypass.
	g := putLocked(t, c, bkt, "gov", s3types.ObjectLockModeGovernance, hour)
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bkt), Key: aws.String("gov")})
	if err != nil || h.ObjectLockMode != s3types.ObjectLockModeGovernance || h.ObjectLockRetainUntilDate == nil || !h.ObjectLockRetainUntilDate.Equal(hour) ||
		h.ObjectLockLegalHoldStatus != s3types.ObjectLockLegalHoldStatusOff {
		t.Fatalf("HEAD lock headers: %+v %v", h, err)
	}
	if d, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("gov")}); err != nil || !aws.ToBool(d.DeleteMarker) {
		t.Fatalf("delete without version: %+v %v", d, err)
	}
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("gov"), VersionId: aws.String(g)})
	if apiCode(err) != "AccessDenied" || !strings.Contains(err.Error(), "object lock") {
		t.Fatalf("deleting a GOVERNANCE version: %v", err)
	}
	if _, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String(bkt), Key: aws.String("gov"), VersionId: aws.String(g),
		Retention: &s3types.ObjectLockRetention{Mode: s3types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(hour.Add(-time.Minute))}}); apiCode(err) != "AccessDenied" {
		t.Fatalf("shortening GOVERNANCE without bypass: %v", err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("gov"), VersionId: aws.String(g), BypassGovernanceRetention: aws.Bool(true)}); err != nil {
		t.Fatalf("deleting a GOVERNANCE version with bypass: %v", err)
	}

	// COMPLIANCE: nobody removes it; it can only be extended.
	cv := putLocked(t, c, bkt, "comp", s3types.ObjectLockModeCompliance, hour)
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("comp"), VersionId: aws.String(cv), BypassGovernanceRetention: aws.Bool(true)}); apiCode(err) != "AccessDenied" {
		t.Fatalf("deleting a COMPLIANCE version with bypass: %v", err)
	}
	do, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bkt), BypassGovernanceRetention: aws.Bool(true),
		Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{{Key: aws.String("comp"), VersionId: aws.String(cv)}}}})
	if err != nil || len(do.Errors) != 1 || aws.ToString(do.Errors[0].Code) != "AccessDenied" {
		t.Fatalf("DeleteObjects of a COMPLIANCE version: %+v %v", do, err)
	}
	if _, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String(bkt), Key: aws.String("comp"), BypassGovernanceRetention: aws.Bool(true),
		Retention: &s3types.ObjectLockRetention{Mode: s3types.ObjectLockRetentionModeCompliance, RetainUntilDate: aws.Time(hour.Add(-time.Minute))}}); apiCode(err) != "AccessDenied" {
		t.Fatalf("shortening COMPLIANCE: %v", err)
	}
	if _, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String(bkt), Key: aws.String("comp"),
		Retention: &s3types.ObjectLockRetention{Mode: s3types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(hour.Add(time.Hour))}}); apiCode(err) != "AccessDenied" {
		t.Fatalf("COMPLIANCE to GOVERNANCE: %v", err)
	}
	later := hour.Add(24 * time.Hour)
	if _, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String(bkt), Key: aws.String("comp"),
		Retention: &s3types.ObjectLockRetention{Mode: s3types.ObjectLockRetentionModeCompliance, RetainUntilDate: aws.Time(later)}}); err != nil {
		t.Fatalf("extending COMPLIANCE: %v", err)
	}
	gr, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String(bkt), Key: aws.String("comp"), VersionId: aws.String(cv)})
	if err != nil || gr.Retention.Mode != s3types.ObjectLockRetentionModeCompliance || !aws.ToTime(gr.Retention.RetainUntilDate).Equal(later) {
		t.Fatalf("GetObjectRetention: %+v %v", gr, err)
	}

	// Legal hold: protects until released, whatever the retention.
	hv := aws.ToString(putString(t, c, bkt, "held", "x").VersionId)
	if _, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String(bkt), Key: aws.String("held")}); apiCode(err) != "NoSuchObjectLockConfiguration" {
		t.Fatalf("retention of an unprotected version: %v", err)
	}
	if _, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String(bkt), Key: aws.String("held"),
		LegalHold: &s3types.ObjectLockLegalHold{Status: s3types.ObjectLockLegalHoldStatusOn}}); err != nil {
		t.Fatalf("PutObjectLegalHold: %v", err)
	}
	if lh, err := c.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: aws.String(bkt), Key: aws.String("held"), VersionId: aws.String(hv)}); err != nil || lh.LegalHold.Status != s3types.ObjectLockLegalHoldStatusOn {
		t.Fatalf("GetObjectLegalHold: %+v %v", lh, err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("held"), VersionId: aws.String(hv), BypassGovernanceRetention: aws.Bool(true)}); apiCode(err) != "AccessDenied" {
		t.Fatalf("deleting a held version: %v", err)
	}
	if _, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String(bkt), Key: aws.String("held"),
		LegalHold: &s3types.ObjectLockLegalHold{Status: s3types.ObjectLockLegalHoldStatusOff}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("held"), VersionId: aws.String(hv)}); err != nil {
		t.Fatalf("deleting a released version: %v", err)
	}
	// Legal hold header on PUT.
	lv, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bkt), Key: aws.String("held2"), Body: strings.NewReader("x"),
		ObjectLockLegalHoldStatus: s3types.ObjectLockLegalHoldStatusOn})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("held2"), VersionId: lv.VersionId}); apiCode(err) != "AccessDenied" {
		t.Fatalf("deleting a version held from PUT: %v", err)
	}

	// Default retention applies to versions written without lock headers.
	if _, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String(bkt),
		ObjectLockConfiguration: &s3types.ObjectLockConfiguration{ObjectLockEnabled: s3types.ObjectLockEnabledEnabled,
			Rule: &s3types.ObjectLockRule{DefaultRetention: &s3types.DefaultRetention{Mode: s3types.ObjectLockRetentionModeGovernance, Days: aws.Int32(2)}}}}); err != nil {
		t.Fatalf("PutObjectLockConfiguration: %v", err)
	}
	lc, err = c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(bkt)})
	if err != nil || lc.ObjectLockConfiguration.Rule == nil || aws.ToInt32(lc.ObjectLockConfiguration.Rule.DefaultRetention.Days) != 2 ||
		lc.ObjectLockConfiguration.Rule.DefaultRetention.Mode != s3types.ObjectLockRetentionModeGovernance {
		t.Fatalf("GetObjectLockConfiguration after put: %+v %v", lc, err)
	}
	before := time.Now()
	dv := aws.ToString(putString(t, c, bkt, "dflt", "x").VersionId)
	gr, err = c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String(bkt), Key: aws.String("dflt")})
	if err != nil || gr.Retention.Mode != s3types.ObjectLockRetentionModeGovernance {
		t.Fatalf("default retention: %+v %v", gr, err)
	}
	if u := aws.ToTime(gr.Retention.RetainUntilDate); u.Before(before.Add(47*time.Hour)) || u.After(time.Now().Add(49*time.Hour)) {
		t.Fatalf("default retain-until %v", u)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bkt), Key: aws.String("dflt"), VersionId: aws.String(dv)}); apiCode(err) != "AccessDenied" {
		t.Fatalf("deleting a default-retained version: %v", err)
	}
	// Explicit headers win over the default.
	ev := putLocked(t, c, bkt, "explicit", s3types.ObjectLockModeCompliance, hour)
	if gr, _ := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String(bkt), Key: aws.String("explicit"), VersionId: aws.String(ev)}); gr == nil || gr.Retention.Mode != s3types.ObjectLockRetentionModeCompliance {
		t.Fatalf("explicit retention overridden: %+v", gr)
	}

	// Header and body errors.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bkt), Key: aws.String("x"), Body: strings.NewReader("x"), ObjectLockMode: s3types.ObjectLockModeGovernance})
	if apiCode(err) != "InvalidArgument" {
		t.Fatalf("mode without date: %v", err)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bkt), Key: aws.String("x"), Body: strings.NewReader("x"),
		ObjectLockMode: s3types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(time.Now().Add(-time.Hour))})
	if apiCode(err) != "InvalidArgument" {
		t.Fatalf("date in the past: %v", err)
	}

	// A bucket without object lock.
	ss.createBucket(t, "plain", "Enabled")
	putString(t, c, "plain", "k", "x")
	if _, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("plain"), Key: aws.String("k")}); apiCode(err) != "InvalidRequest" ||
		!strings.Contains(err.Error(), "Bucket is missing Object Lock Configuration") {
		t.Fatalf("retention in a plain bucket: %v", err)
	}
	if _, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String("plain"), Key: aws.String("k"),
		LegalHold: &s3types.ObjectLockLegalHold{Status: s3types.ObjectLockLegalHoldStatusOn}}); apiCode(err) != "InvalidRequest" {
		t.Fatalf("legal hold in a plain bucket: %v", err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("plain"), Key: aws.String("k"), Body: strings.NewReader("x"),
		ObjectLockLegalHoldStatus: s3types.ObjectLockLegalHoldStatusOn}); apiCode(err) != "InvalidRequest" {
		t.Fatalf("lock header in a plain bucket: %v", err)
	}
	if _, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String("plain")}); apiCode(err) != "ObjectLockConfigurationNotFoundError" {
		t.Fatalf("lock configuration of a plain bucket: %v", err)
	}
	if _, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String("plain"),
		ObjectLockConfiguration: &s3types.ObjectLockConfiguration{ObjectLockEnabled: s3types.ObjectLockEnabledEnabled}}); apiCode(err) != "InvalidBucketState" {
		t.Fatalf("enabling object lock later: %v", err)
	}
}

// TestGovernanceBypassNeedsPermission: the bypass header alone is not
// enough; the caller needs s3:BypassGovernanceRetention.
func TestGovernanceBypassNeedsPermission(t *testing.T) {
	ss := startStoreServer(t, denyActions{"s3:BypassGovernanceRetention": true})
	c := ss.client(t)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("gbypass"), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	v := putLocked(t, c, "gbypass", "k", s3types.ObjectLockModeGovernance, time.Now().Add(time.Hour))
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("gbypass"), Key: aws.String("k"), VersionId: aws.String(v), BypassGovernanceRetention: aws.Bool(true)}); apiCode(err) != "AccessDenied" {
		t.Fatalf("bypass without permission: %v", err)
	}
	if _, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String("gbypass"), Key: aws.String("k"), BypassGovernanceRetention: aws.Bool(true),
		Retention: &s3types.ObjectLockRetention{}}); apiCode(err) != "AccessDenied" {
		t.Fatalf("removing retention without permission: %v", err)
	}
	// An unprotected version is deleted whatever the header.
	u := aws.ToString(putString(t, c, "gbypass", "free", "x").VersionId)
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("gbypass"), Key: aws.String("free"), VersionId: aws.String(u), BypassGovernanceRetention: aws.Bool(true)}); err != nil {
		t.Fatalf("deleting an unprotected version: %v", err)
	}
}
