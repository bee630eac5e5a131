package s3api

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/s3api/sigv4"
)

func testHeaders(kv ...string) *headers {
	h := &headers{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.kv = append(h.kv, headerKV{name: kv[i], lower: strings.ToLower(kv[i]), value: kv[i+1]})
	}
	return h
}

func newAuthzServer() *Server {
	return New(Config{}, Deps{Buckets: newMemBuckets(), Objects: newMemObjects(time.Now),
		Verifier: sigv4.NewVerifier(iam.NewRootCredentials(testAccessKey, testSecretKey)), Logger: slog.New(slog.DiscardHandler)})
}

func TestAuthzConditions(t *testing.T) {
	s := newAuthzServer()
	user := iam.Identity{Kind: iam.KindUser, Name: "alice"}
	now := time.Unix(1700000000, 0)
	base := map[string][]string{
		"aws:SourceIp":        {"10.1.2.3"},
		"aws:SecureTransport": {"false"},
		"aws:CurrentTime":     {"2023-11-14T22:13:20Z"},
		"aws:EpochTime":       {"1700000000"},
		"s3:signatureversion": {"AWS4-HMAC-SHA256"},
		"s3:authType":         {"REST-HEADER"},
	}
	with := func(extra map[string][]string, drop ...string) map[string][]string {
		m := map[string][]string{}
		for k, v := range base {
			m[k] = v
		}
		for _, k := range drop {
			delete(m, k)
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name  string
		ident iam.Identity
		op    Operation
		hdr   *headers
		auth  *sigv4.Auth
		tls   bool
		want  map[string][]string
	}{
		{name: "listing with prefix and delimiter", ident: user,
			op:   Operation{Kind: OpListObjectsV2, Bucket: "b", List: ListParams{Prefix: "home/", Delimiter: "/", MaxKeys: 10}},
			want: with(map[string][]string{"s3:prefix": {"home/"}, "s3:delimiter": {"/"}, "s3:max-keys": {"10"}})},
		{name: "listing without prefix has an empty s3:prefix", ident: user,
			op:   Operation{Kind: OpListObjects, Bucket: "b", List: ListParams{MaxKeys: 1000}},
			want: with(map[string][]string{"s3:prefix": {""}, "s3:max-keys": {"1000"}})},
		{name: "put with tags, acl, agent, referer over TLS", ident: user, tls: true,
			op:  Operation{Kind: OpPutObject, Bucket: "b", Key: "k"},
			hdr: testHeaders("X-Amz-Tagging", "team=blue&note=a%20b", "x-amz-acl", "private", "User-Agent", "aws-cli/2", "Referer", "https://x/"),
			want: with(map[string][]string{
				"aws:SecureTransport":      {"true"},
				"s3:RequestObjectTag/team": {"blue"},
				"s3:RequestObjectTag/note": {"a b"},
				"s3:RequestObjectTagKeys":  {"team", "note"},
				"s3:x-amz-acl":             {"private"},
				"aws:UserAgent":            {"aws-cli/2"},
				"aws:Referer":              {"https://x/"},
			})},
		{name: "versioned get, presigned", ident: user, auth: &sigv4.Auth{Presigned: true},
			op:   Operation{Kind: OpGetObject, Bucket: "b", Key: "k", VersionID: "v1"},
			want: with(map[string][]string{"s3:VersionId": {"v1"}, "s3:authType": {"REST-QUERY-STRING"}})},
		{name: "anonymous has no signature keys", ident: iam.Identity{}, auth: &sigv4.Auth{Anonymous: true},
			op:   Operation{Kind: OpGetObject, Bucket: "b", Key: "k"},
			want: with(nil, "s3:signatureversion", "s3:authType")},
		{name: "root builds nothing", ident: iam.Identity{Kind: iam.KindRoot},
			op:   Operation{Kind: OpGetObject, Bucket: "b", Key: "k"},
			want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rq := &request{ident: tc.ident, op: tc.op, hdr: tc.hdr, now: now, remoteIP: net.ParseIP("10.1.2.3"), tls: tc.tls, auth: tc.auth}
			if rq.hdr == nil {
				rq.hdr = &headers{}
			}
			if rq.auth == nil {
				rq.auth = &sigv4.Auth{}
			}
			got := s.authzRequest(rq, "s3:GetObject", tc.op.Key)
			if !reflect.DeepEqual(got.Conditions, tc.want) {
				t.Errorf("conditions\n got %q\nwant %q", got.Conditions, tc.want)
			}
			if got.Bucket != tc.op.Bucket || got.Key != tc.op.Key || got.Action != "s3:GetObject" || got.Identity.Name != tc.ident.Name {
				t.Errorf("request %+v", got)
			}
			// Built once per request: a second question reuses the map.
			again := s.authzRequest(rq, "s3:PutObject", "")
			if tc.want != nil && reflect.ValueOf(again.Conditions).Pointer() != reflect.ValueOf(got.Conditions).Pointer() {
				t.Error("conditions rebuilt for the same request")
			}
		})
	}
}

// BenchmarkAuthzContext measures building the authorization question of
// a user's ListObjectsV2 request (the costliest context: listing keys,
// headers, time, address).
func BenchmarkAuthzContext(b *testing.B) {
	s := newAuthzServer()
	rq := &request{
		ident:    iam.Identity{Kind: iam.KindUser, Name: "alice"},
		op:       Operation{Kind: OpListObjectsV2, Bucket: "shared", List: ListParams{Prefix: "alice/", Delimiter: "/", MaxKeys: 1000}},
		hdr:      testHeaders("Host", "s3.local", "User-Agent", "aws-sdk-go-v2/1.0", "X-Amz-Date", "20231114T221320Z", "Authorization", "AWS4-HMAC-SHA256 ..."),
		now:      time.Unix(1700000000, 0),
		remoteIP: net.ParseIP("192.168.10.20"),
		auth:     &sigv4.Auth{},
	}
	b.ReportAllocs()
	var sink iam.Request
	for b.Loop() {
		rq.condsDone, rq.conds = false, nil
		sink = s.authzRequest(rq, "s3:ListBucket", "")
	}
	if sink.Conditions["s3:prefix"][0] != "alice/" {
		b.Fatal(sink.Conditions)
	}
}

// TestAuthzEndToEnd runs real S3 requests of a user whose policy uses the
// request context (the Relayer "root of shared" rule), stamps POSIX IDs,
// and logs denials with the deciding statement.
func TestAuthzEndToEnd(t *testing.T) {
	ts := startIAMServer(t, true)
	ctx := context.Background()
	f := ts.fake
	uid, gid := uint32(1500), uint32(150)
	if _, err := f.CreateUser(ctx, CreateUserInput{UserName: "dave", PosixUID: &uid, PosixGID: &gid}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.CreateAccessKey(ctx, CreateAccessKeyInput{UserName: "dave", AccessKeyID: "dave", SecretAccessKey: "dave-password"}); err != nil {
		t.Fatal(err)
	}
	policy := `{"Version":"2012-10-17","Statement":[
	 {"Sid":"Root","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::shared",
	  "Condition":{"StringEquals":{"s3:prefix":[""],"s3:delimiter":["/"]}}},
	 {"Sid":"Own","Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::shared/${aws:username}/*"},
	 {"Sid":"NoBackup","Effect":"Deny","Action":"s3:PutObject","Resource":"*","Condition":{"StringLike":{"aws:UserAgent":"*backup-bot*"}}}]}`
	if err := f.PutInlinePolicy(ctx, EntityRef{Kind: EntityUser, Name: "dave"}, "home", policy); err != nil {
		t.Fatal(err)
	}
	rootS3 := s3.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, ""), RetryMaxAttempts: 1},
		func(o *s3.Options) { o.BaseEndpoint, o.UsePathStyle = aws.String(ts.url), true })
	if _, err := rootS3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shared")}); err != nil {
		t.Fatal(err)
	}
	dave := s3.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("dave", "dave-password", ""), RetryMaxAttempts: 1},
		func(o *s3.Options) { o.BaseEndpoint, o.UsePathStyle = aws.String(ts.url), true })

	if _, err := dave.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("shared"), Delimiter: aws.String("/")}); err != nil {
		t.Errorf("root listing with delimiter: %v", err)
	}
	if _, err := dave.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("shared")}); apiCode(err) != "AccessDenied" {
		t.Errorf("listing without delimiter: %v", err)
	}
	if _, err := dave.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("shared"), Prefix: aws.String("eve/"), Delimiter: aws.String("/")}); apiCode(err) != "AccessDenied" {
		t.Errorf("listing another prefix: %v", err)
	}
	if _, err := dave.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("dave/a"), Body: bytes.NewReader([]byte("x"))}); err != nil {
		t.Fatalf("PutObject in own folder: %v", err)
	}
	o, err := ts.objects.get("shared", "dave/a")
	if err != nil || o.info.PosixUID == nil || *o.info.PosixUID != uid || o.info.PosixGID == nil || *o.info.PosixGID != gid {
		t.Errorf("POSIX identity not stamped: %+v %v", o.info, err)
	}
	if _, err := dave.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("eve/a"), Body: bytes.NewReader([]byte("x"))}); apiCode(err) != "AccessDenied" {
		t.Errorf("PutObject in another folder: %v", err)
	}
	_, err = dave.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("dave/b"), Body: bytes.NewReader([]byte("x"))},
		func(o *s3.Options) { o.AppID = "backup-bot" })
	if apiCode(err) != "AccessDenied" {
		t.Errorf("PutObject by the denied user agent: %v", err)
	}
}

type fixedDecision iam.Decision

func (d fixedDecision) Authorize(iam.Request) iam.Decision { return iam.Decision(d) }

// A denial is AccessDenied for the client and, at debug level, an
// explanation naming the deciding policy and statement for the operator.
func TestAccessDeniedLogged(t *testing.T) {
	var buf bytes.Buffer
	s := New(Config{}, Deps{
		Buckets: newMemBuckets(), Objects: newMemObjects(time.Now),
		Verifier:   sigv4.NewVerifier(iam.NewRootCredentials(testAccessKey, testSecretKey)),
		Authorizer: fixedDecision{Reason: "explicitly denied", Policy: "group:devs/inline:fence", Statement: "NoDelete"},
		Logger:     slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	rq := &request{id: "R1", ident: iam.Identity{Kind: iam.KindUser, Name: "alice"}, op: Operation{Kind: OpDeleteObject, Bucket: "b", Key: "k"},
		hdr: &headers{}, auth: &sigv4.Auth{}}
	err := s.authorize(rq, "s3:DeleteObject", "k")
	if e := toS3Error(err); e == nil || e.Code != ErrAccessDenied || strings.Contains(e.message(), "fence") {
		t.Fatalf("error %v", err)
	}
	for _, want := range []string{"level=DEBUG", "policy=group:devs/inline:fence", "statement=NoDelete", `reason="explicitly denied"`, "principal=alice"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log lacks %s: %s", want, buf.String())
		}
	}
}
