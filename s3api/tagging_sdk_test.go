package s3api

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/cairn-s3/cairn/iam"
)

func tagSet(kv ...string) []s3types.Tag {
	var ts []s3types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		ts = append(ts, s3types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return ts
}

func tagMap(ts []s3types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func TestObjectTaggingSDK(t *testing.T) {
	ss := startStoreServer(t, iam.RootOnly{})
	c := ss.client(t)
	ctx := context.Background()
	ss.createBucket(t, "tags", "Enabled")
	v1 := aws.ToString(putString(t, c, "tags", "k", "one").VersionId)
	v2 := aws.ToString(putString(t, c, "tags", "k", "two").VersionId)

	get := func(vid string) (map[string]string, string) {
		t.Helper()
		in := &s3.GetObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k")}
		if vid != "" {
			in.VersionId = aws.String(vid)
		}
		out, err := c.GetObjectTagging(ctx, in)
		if err != nil {
			t.Fatalf("GetObjectTagging @%s: %v", vid, err)
		}
		return tagMap(out.TagSet), aws.ToString(out.VersionId)
	}
	if tags, vid := get(""); len(tags) != 0 || vid != v2 {
		t.Fatalf("new object tags %v @%s", tags, vid)
	}
	put, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k"),
		Tagging: &s3types.Tagging{TagSet: tagSet("a", "1", "é x", "<&>")}})
	if err != nil || aws.ToString(put.VersionId) != v2 {
		t.Fatalf("PutObjectTagging: %+v %v", put, err)
	}
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k"), VersionId: aws.String(v1),
		Tagging: &s3types.Tagging{TagSet: tagSet("old", "yes")}}); err != nil {
		t.Fatalf("PutObjectTagging v1: %v", err)
	}
	if tags, _ := get(""); !maps.Equal(tags, map[string]string{"a": "1", "é x": "<&>"}) {
		t.Fatalf("latest tags %v", tags)
	}
	if tags, vid := get(v1); !maps.Equal(tags, map[string]string{"old": "yes"}) || vid != v1 {
		t.Fatalf("v1 tags %v @%s", tags, vid)
	}
	// Tags do not change the data or the version.
	if body, out := getString(t, c, "tags", "k", ""); body != "two" || aws.ToString(out.VersionId) != v2 {
		t.Fatalf("object after tagging %q @%s", body, aws.ToString(out.VersionId))
	}
	if _, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k")}); err != nil {
		t.Fatalf("DeleteObjectTagging: %v", err)
	}
	if tags, _ := get(""); len(tags) != 0 {
		t.Fatalf("tags after delete %v", tags)
	}
	if tags, _ := get(v1); len(tags) != 1 {
		t.Fatalf("v1 tags after deleting the latest's %v", tags)
	}

	var eleven []string
	for i := range 11 {
		eleven = append(eleven, fmt.Sprintf("k%d", i), "v")
	}
	bad := []struct {
		name string
		tags []s3types.Tag
		code string
	}{
		{"too many", tagSet(eleven...), "InvalidTag"},
		{"aws prefix", tagSet("aws:x", "1"), "InvalidTag"},
		{"duplicate", tagSet("a", "1", "a", "2"), "InvalidTag"},
	}
	for _, b := range bad {
		_, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k"), Tagging: &s3types.Tagging{TagSet: b.tags}})
		if apiCode(err) != b.code {
			t.Errorf("%s: %v, want %s", b.name, err, b.code)
		}
	}
	if _, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("missing")}); apiCode(err) != "NoSuchKey" {
		t.Errorf("tags of a missing key: %v", err)
	}
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("missing"), Tagging: &s3types.Tagging{TagSet: tagSet("a", "1")}}); apiCode(err) != "NoSuchKey" {
		t.Errorf("tagging a missing key: %v", err)
	}
	// A delete marker has no tags.
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("tags"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k"), VersionId: del.VersionId, Tagging: &s3types.Tagging{TagSet: tagSet("a", "1")}}); apiCode(err) != "MethodNotAllowed" {
		t.Errorf("tagging a delete marker: %v", err)
	}
	if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k"), Tagging: &s3types.Tagging{TagSet: tagSet("a", "1")}}); apiCode(err) != "NoSuchKey" {
		t.Errorf("tagging a deleted key: %v", err)
	}
}

func TestBucketTaggingSDK(t *testing.T) {
	ss := startStoreServer(t, iam.RootOnly{})
	c := ss.client(t)
	ctx := context.Background()
	ss.createBucket(t, "btags", "")
	if _, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("btags")}); apiCode(err) != "NoSuchTagSet" {
		t.Fatalf("GetBucketTagging of an untagged bucket: %v", err)
	}
	var fifty []string
	for i := range 50 {
		fifty = append(fifty, fmt.Sprintf("key-%02d", i), fmt.Sprint(i))
	}
	if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("btags"), Tagging: &s3types.Tagging{TagSet: tagSet(fifty...)}}); err != nil {
		t.Fatalf("PutBucketTagging of 50 tags: %v", err)
	}
	out, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("btags")})
	if err != nil || len(out.TagSet) != 50 || tagMap(out.TagSet)["key-07"] != "7" {
		t.Fatalf("GetBucketTagging: %d tags %v", len(out.TagSet), err)
	}
	if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("btags"), Tagging: &s3types.Tagging{TagSet: tagSet(append(fifty, "one-more", "x")...)}}); apiCode(err) != "InvalidTag" {
		t.Fatalf("51 bucket tags: %v", err)
	}
	if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("btags"), Tagging: &s3types.Tagging{TagSet: tagSet("env", "prod")}}); err != nil {
		t.Fatal(err)
	}
	if out, _ := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("btags")}); !maps.Equal(tagMap(out.TagSet), map[string]string{"env": "prod"}) {
		t.Fatalf("replaced tags %v", tagMap(out.TagSet))
	}
	if b, _ := ss.buckets.Bucket("btags"); b.Configs["tagging"] != `{"env":"prod"}` {
		t.Fatalf("stored encoding %q", b.Configs["tagging"])
	}
	if _, err := c.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String("btags")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("btags")}); apiCode(err) != "NoSuchTagSet" {
		t.Fatalf("after DeleteBucketTagging: %v", err)
	}
	if _, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("nope")}); apiCode(err) != "NoSuchBucket" {
		t.Fatalf("missing bucket: %v", err)
	}
}

func TestLifecycleConfigSDK(t *testing.T) {
	ss := startStoreServer(t, iam.RootOnly{})
	c := ss.client(t)
	ctx := context.Background()
	ss.createBucket(t, "lcycle", "Enabled")
	if _, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcycle")}); apiCode(err) != "NoSuchLifecycleConfiguration" {
		t.Fatalf("no configuration: %v", err)
	}
	date := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	rules := []s3types.LifecycleRule{
		{ID: aws.String("logs"), Status: s3types.ExpirationStatusEnabled,
			Filter:     &s3types.LifecycleRuleFilter{Prefix: aws.String("logs/")},
			Expiration: &s3types.LifecycleExpiration{Days: aws.Int32(30)}},
		{ID: aws.String("old"), Status: s3types.ExpirationStatusEnabled,
			Filter: &s3types.LifecycleRuleFilter{And: &s3types.LifecycleRuleAndOperator{Prefix: aws.String("tmp/"),
				Tags: tagSet("kind", "scratch"), ObjectSizeGreaterThan: aws.Int64(10)}},
			NoncurrentVersionExpiration: &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(7), NewerNoncurrentVersions: aws.Int32(3)}},
		{ID: aws.String("dated"), Status: s3types.ExpirationStatusDisabled,
			Filter:     &s3types.LifecycleRuleFilter{Tag: &s3types.Tag{Key: aws.String("t"), Value: aws.String("v")}},
			Expiration: &s3types.LifecycleExpiration{Date: &date}},
		{ID: aws.String("cleanup"), Status: s3types.ExpirationStatusEnabled,
			Filter:                         &s3types.LifecycleRuleFilter{Prefix: aws.String("")},
			Expiration:                     &s3types.LifecycleExpiration{ExpiredObjectDeleteMarker: aws.Bool(true)},
			AbortIncompleteMultipartUpload: &s3types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(2)}},
	}
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("lcycle"),
		LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: rules}}); err != nil {
		t.Fatalf("PutBucketLifecycleConfiguration: %v", err)
	}
	out, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcycle")})
	if err != nil || len(out.Rules) != 4 {
		t.Fatalf("GetBucketLifecycleConfiguration: %+v %v", out, err)
	}
	r0, r1, r2, r3 := out.Rules[0], out.Rules[1], out.Rules[2], out.Rules[3]
	if aws.ToString(r0.ID) != "logs" || aws.ToString(r0.Filter.Prefix) != "logs/" || aws.ToInt32(r0.Expiration.Days) != 30 || r0.Status != s3types.ExpirationStatusEnabled {
		t.Errorf("rule 0 %+v", r0)
	}
	if r1.Filter.And == nil || aws.ToString(r1.Filter.And.Prefix) != "tmp/" || tagMap(r1.Filter.And.Tags)["kind"] != "scratch" ||
		aws.ToInt64(r1.Filter.And.ObjectSizeGreaterThan) != 10 || aws.ToInt32(r1.NoncurrentVersionExpiration.NoncurrentDays) != 7 ||
		aws.ToInt32(r1.NoncurrentVersionExpiration.NewerNoncurrentVersions) != 3 {
		t.Errorf("rule 1 %+v", r1)
	}
	if r2.Status != s3types.ExpirationStatusDisabled || r2.Filter.Tag == nil || aws.ToString(r2.Filter.Tag.Key) != "t" || r2.Expiration.Date == nil || !r2.Expiration.Date.Equal(date) {
		t.Errorf("rule 2 %+v", r2)
	}
	if !aws.ToBool(r3.Expiration.ExpiredObjectDeleteMarker) || aws.ToInt32(r3.AbortIncompleteMultipartUpload.DaysAfterInitiation) != 2 {
		t.Errorf("rule 3 %+v", r3)
	}

	// Invalid configurations are refused and leave the stored one alone.
	bad := []struct {
		name  string
		rules []s3types.LifecycleRule
		code  string
	}{
		{"no action", []s3types.LifecycleRule{{ID: aws.String("x"), Status: s3types.ExpirationStatusEnabled, Filter: &s3types.LifecycleRuleFilter{Prefix: aws.String("")}}}, "InvalidRequest"},
		{"zero days", []s3types.LifecycleRule{{Status: s3types.ExpirationStatusEnabled, Filter: &s3types.LifecycleRuleFilter{Prefix: aws.String("")}, Expiration: &s3types.LifecycleExpiration{Days: aws.Int32(0)}}}, "InvalidArgument"},
		{"duplicate ids", []s3types.LifecycleRule{rules[0], rules[0]}, "InvalidArgument"},
	}
	for _, b := range bad {
		_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("lcycle"),
			LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: b.rules}})
		if apiCode(err) != b.code {
			t.Errorf("%s: %v, want %s", b.name, err, b.code)
		}
	}
	if out, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcycle")}); err != nil || len(out.Rules) != 4 {
		t.Fatalf("configuration after refused puts: %v", err)
	}
	if _, err := c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: aws.String("lcycle")}); err != nil {
		t.Fatalf("DeleteBucketLifecycle: %v", err)
	}
	if _, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lcycle")}); apiCode(err) != "NoSuchLifecycleConfiguration" {
		t.Fatalf("after delete: %v", err)
	}
}
