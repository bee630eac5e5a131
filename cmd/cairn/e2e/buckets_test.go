package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
)

func TestBuckets(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := srv.rootS3()
	ctx := ctxT(t)

	for _, name := range []string{"alpha", "beta.with.dots", "gamma-1"} {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
		mustOK(t, err)
	}
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("alpha")})
	wantCode(t, err, "BucketAlreadyOwnedByYou")

	for _, bad := range []string{"ab", "UPPER", "has_underscore", "-leading", "trailing-", "192.168.1.1", "double..dot", "xn--punycode", strings.Repeat("a", 64)} {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bad)})
		if code := errCode(err); code != "InvalidBucketName" {
			t.Errorf("CreateBucket(%q) code = %q (%v), want InvalidBucketName", bad, code, err)
		}
	}

	list, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	mustOK(t, err)
	var names []string
	for _, b := range list.Buckets {
		names = append(names, *b.Name)
		if b.CreationDate == nil || b.CreationDate.IsZero() {
			t.Errorf("bucket %s has no creation date", *b.Name)
		}
	}
	if strings.Join(names, ",") != "alpha,beta.with.dots,gamma-1" {
		t.Fatalf("ListBuckets = %v", names)
	}
	if list.Owner == nil || list.Owner.ID == nil || len(*list.Owner.ID) != 64 {
		t.Fatalf("ListBuckets owner = %+v, want a 64-hex canonical ID", list.Owner)
	}

	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("alpha")})
	mustOK(t, err)
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("missing")})
	wantCode(t, err, "NotFound")

	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("alpha")})
	mustOK(t, err)
	if loc.LocationConstraint != "" {
		t.Errorf("us-east-1 bucket location = %q, want empty", loc.LocationConstraint)
	}
	// One endpoint serves one region: another region's constraint is refused,
	// as AWS does, and a node configured for eu-west-1 accepts its own.
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket:                    aws.String("in-eu"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1},
	})
	if code := errCode(err); code != "InvalidLocationConstraint" && code != "IllegalLocationConstraintException" {
		t.Fatalf("foreign LocationConstraint: %v", err)
	}
	eu := startServer(t, serverOpts{args: []string{"--region", "eu-west-1"}})
	ec := eu.s3Client(rootUser, rootPassword, func(o *s3.Options) { o.Region = "eu-west-1" })
	_, err = ec.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket:                    aws.String("in-eu"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1},
	})
	mustOK(t, err)
	loc, err = ec.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("in-eu")})
	mustOK(t, err)
	if loc.LocationConstraint != types.BucketLocationConstraintEuWest1 {
		t.Errorf("location = %q, want eu-west-1", loc.LocationConstraint)
	}

	// A bucket with an object cannot be deleted; an empty one can.
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("alpha"), Key: aws.String("k"), Body: strings.NewReader("x")})
	mustOK(t, err)
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")})
	wantCode(t, err, "BucketNotEmpty")
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("alpha"), Key: aws.String("k")})
	mustOK(t, err)
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")})
	mustOK(t, err)
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("alpha")})
	wantCode(t, err, "NoSuchBucket")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("alpha"), Key: aws.String("k"), Body: strings.NewReader("x")})
	wantCode(t, err, "NoSuchBucket")

	// minio-go sees the same state.
	mc := srv.minio(t)
	exists, err := mc.BucketExists(ctx, "gamma-1")
	if err != nil || !exists {
		t.Fatalf("minio BucketExists(gamma-1) = %v, %v", exists, err)
	}
	mustOK(t, mc.MakeBucket(ctx, "from-minio", minio.MakeBucketOptions{}))
	mustOK(t, mc.RemoveBucket(ctx, "from-minio"))

	// Buckets survive a restart.
	srv.restart(false)
	list, err = c.ListBuckets(ctx, &s3.ListBucketsInput{})
	mustOK(t, err)
	if len(list.Buckets) != 2 || *list.Buckets[0].Name != "beta.with.dots" {
		t.Fatalf("after restart: %d buckets, want beta.with.dots and gamma-1", len(list.Buckets))
	}
}

func TestUnknownOperationIsNotImplemented(t *testing.T) {
	srv := startServer(t, serverOpts{})
	c := srv.rootS3()
	ctx := ctxT(t)
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	mustOK(t, err)
	_, err = c.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String("bkt")})
	wantCode(t, err, "NotImplemented")
}

func TestHealthAndRequestIDs(t *testing.T) {
	srv := startServer(t, serverOpts{})
	for _, path := range []string{"/health/live", "/health/ready"} {
		resp, err := http.Get(srv.url() + path)
		mustOK(t, err)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s = %d", path, resp.StatusCode)
		}
	}
	// Every response, success or error, carries a request ID.
	for _, path := range []string{"/", "/nosuchbucket", "/health/live"} {
		resp, err := http.Get(srv.url() + path)
		mustOK(t, err)
		resp.Body.Close()
		if resp.Header.Get("x-amz-request-id") == "" {
			t.Errorf("GET %s: no x-amz-request-id", path)
		}
	}
}
