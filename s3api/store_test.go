package s3api

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/meta"
	"github.com/cairn-s3/cairn/meta/objindex"
)

// newTestStore opens a real object layer over 4 fresh drive folders
// (default parity) for the tests of features the in-memory fake does not
// implement (multipart, versions, conditional writes, metadata updates).
// It is closed when the test ends, after any server started later.
func newTestStore(t testing.TB) *data.Store {
	t.Helper()
	root := t.TempDir()
	paths := make([]string, 4)
	for i := range paths {
		paths[i] = filepath.Join(root, fmt.Sprintf("d%d", i))
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := data.Open(paths,
		// Durability is not under test: no fsync, no background GC.
		data.LocalOptions{Logger: quiet, Index: objindex.Options{NoSync: true, GCInterval: -1}},
		data.Options{Logger: quiet, NoBackgroundHeal: true})
	if err != nil {
		t.Fatalf("data.Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("closing store: %v", err)
		}
	})
	return s
}

// storeServer is a test server backed by a real data.Store and the
// in-memory memBuckets.
type storeServer struct {
	*testServer
	store *data.Store
}

// startStoreServer starts a Server on 127.0.0.1:0 over newTestStore and
// memBuckets (ts.buckets), authorizing with authz (iam.RootOnly{} for
// signed SDK clients, allowAll{} for unsigned raw requests).
func startStoreServer(t *testing.T, authz iam.Authorizer) *storeServer {
	return startStoreServerCfg(t, Config{HostID: "test"}, authz)
}

// startStoreServerCfg is startStoreServer with a Config.
func startStoreServerCfg(t *testing.T, cfg Config, authz iam.Authorizer) *storeServer {
	t.Helper()
	st := newTestStore(t)
	ts := startServerObjs(t, cfg, authz, func(*memObjects) Objects { return st })
	return &storeServer{testServer: ts, store: st}
}

// createBucket adds a bucket directly to memBuckets (no request), owned by
// the root test credential, with the given versioning status ("" = never
// enabled).
func (ss *storeServer) createBucket(t *testing.T, name, versioning string) {
	t.Helper()
	err := ss.buckets.CreateBucket(context.Background(), meta.Bucket{
		Name: name, Created: time.Now(), Versioning: versioning,
		Owner: iam.CanonicalID("root:" + testAccessKey), OwnerName: "root",
	})
	if err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
}

// client returns an aws-sdk-go-v2 client signed with the root test
// credential (path style, no retries).
func (ss *storeServer) client(t *testing.T) *s3.Client {
	return ss.awsClient(t, testSecretKey)
}

func TestStoreServerSmoke(t *testing.T) {
	ss := startStoreServer(t, iam.RootOnly{})
	ss.createBucket(t, "plain", "")
	c := ss.client(t)
	ctx := context.Background()
	body := "hello store"
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("plain"), Key: aws.String("k"), Body: strings.NewReader(body)}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("plain"), Key: aws.String("k")})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	got, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil || string(got) != body {
		t.Fatalf("GetObject body %q %v", got, err)
	}
	info, err := ss.store.StatObject(ctx, "plain", "k", data.GetOptions{})
	if err != nil || info.Size != int64(len(body)) {
		t.Fatalf("StatObject %+v %v", info, err)
	}
}
