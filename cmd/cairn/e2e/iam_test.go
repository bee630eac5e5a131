package e2e

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func put(t *testing.T, c *s3.Client, bucket, key string) error {
	t.Helper()
	_, err := c.PutObject(ctxT(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("data:" + key)})
	return err
}

func get(t *testing.T, c *s3.Client, bucket, key string) error {
	t.Helper()
	out, err := c.GetObject(ctxT(t), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err == nil {
		out.Body.Close()
	}
	return err
}

func list(t *testing.T, c *s3.Client, bucket, prefix, delim string) error {
	t.Helper()
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)}
	if delim != "" {
		in.Delimiter = aws.String(delim)
	}
	_, err := c.ListObjectsV2(ctxT(t), in)
	return err
}

func TestNewUserDeniedThenReadonly(t *testing.T) {
	srv := startServer(t, serverOpts{})
	root := srv.rootS3()
	_, err := root.CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String("data")})
	mustOK(t, err)
	mustOK(t, put(t, root, "data", "a.txt"))

	alice := newUser(t, srv, "alice")
	ac := srv.s3For(alice)
	// No policy, no access: every operation is refused.
	if allowed(t, get(t, ac, "data", "a.txt")) || allowed(t, put(t, ac, "data", "b.txt")) || allowed(t, list(t, ac, "data", "", "")) {
		t.Fatal("a user without a policy was allowed something")
	}
	_, err = ac.ListBuckets(ctxT(t), &s3.ListBucketsInput{})
	wantCode(t, err, "AccessDenied")
	_, err = ac.CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String("alices")})
	wantCode(t, err, "AccessDenied")

	ic := srv.iamClient(rootKeys)
	_, err = ic.AttachUserPolicy(ctxT(t), &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: policyArn("readonly")})
	mustOK(t, err)
	if !allowed(t, get(t, ac, "data", "a.txt")) || !allowed(t, list(t, ac, "data", "", "")) {
		t.Fatal("readonly does not allow reads")
	}
	if allowed(t, put(t, ac, "data", "b.txt")) {
		t.Fatal("readonly allowed a write")
	}
	_, err = ac.DeleteObject(ctxT(t), &s3.DeleteObjectInput{Bucket: aws.String("data"), Key: aws.String("a.txt")})
	wantCode(t, err, "AccessDenied")

	// The user can see itself through STS.
	who, err := srv.stsClient(alice).GetCallerIdentity(ctxT(t), &sts.GetCallerIdentityInput{})
	mustOK(t, err)
	if !strings.HasSuffix(aws.ToString(who.Arn), ":user/alice") {
		t.Fatalf("GetCallerIdentity arn = %s", aws.ToString(who.Arn))
	}
	// Detaching takes effect at once.
	_, err = ic.DetachUserPolicy(ctxT(t), &iam.DetachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: policyArn("readonly")})
	mustOK(t, err)
	if allowed(t, get(t, ac, "data", "a.txt")) {
		t.Fatal("access survived detaching the policy")
	}
	// A disabled user's keys stop working.
	_, err = ic.AttachUserPolicy(ctxT(t), &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: policyArn("readonly")})
	mustOK(t, err)
	mustOK(t, adminRun(t, srv, "user", "disable", "alice"))
	err = get(t, ac, "data", "a.txt")
	if code := errCode(err); code != "InvalidAccessKeyId" && code != "AccessDenied" {
		t.Fatalf("disabled user: %v", err)
	}
	// State survives a restart.
	mustOK(t, adminRun(t, srv, "user", "enable", "alice"))
	srv.restart(false)
	if !allowed(t, get(t, ac, "data", "a.txt")) {
		t.Fatal("user or policy lost across restart")
	}
}

// relayerPolicy is the home-folder policy of ../shared/seeds/004_*.
const relayerPolicy = `{
"Version": "2012-10-17",
"Statement": [
{"Sid": "AllowUsersOwnBucketAccess", "Effect": "Allow",
 "Action": ["s3:PutObject","s3:DeleteObject","s3:GetObject","s3:ListBucket"],
 "Resource": ["arn:aws:s3:::${aws:username}/*"]},
{"Sid": "AllowGroupToSeeBucketListInTheConsole", "Effect": "Allow",
 "Action": ["s3:GetBucketLocation","s3:ListAllMyBuckets"], "Resource": ["arn:aws:s3:::*"]},
{"Sid": "AllowRootLevelListingOfTheBucket", "Effect": "Allow", "Action": ["s3:ListBucket"],
 "Resource": ["arn:aws:s3:::shared"],
 "Condition": {"StringEquals": {"s3:delimiter": ["/"], "s3:prefix": [""]}}},
{"Sid": "AllowListBucketOfASpecificUserPrefix", "Effect": "Allow", "Action": ["s3:ListBucket"],
 "Resource": ["arn:aws:s3:::shared"],
 "Condition": {"StringLike": {"s3:prefix": ["${aws:username}/*"]}}},
{"Sid": "AllowReadAccessToOtherSharedFolders", "Effect": "Allow",
 "Action": ["s3:GetObject","s3:ListBucket"], "Resource": ["arn:aws:s3:::shared/*"]},
{"Sid": "AllowUserSpecificActionsOnlyInTheSpecificUserPrefix", "Effect": "Allow",
 "Action": ["s3:DeleteObject","s3:GetObject","s3:PutObject"],
 "Resource": ["arn:aws:s3:::shared/${aws:username}/*"]}
]}`

func TestRelayerHomeFolderPolicy(t *testing.T) {
	srv := startServer(t, serverOpts{})
	root := srv.rootS3()
	for _, b := range []string{"alice", "bobby", "shared"} {
		_, err := root.CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String(b)})
		mustOK(t, err)
	}
	mustOK(t, put(t, root, "shared", "alice/hello.txt"))
	mustOK(t, put(t, root, "shared", "bobby/notes.txt"))
	mustOK(t, put(t, root, "bobby", "private.txt"))

	ic := srv.iamClient(rootKeys)
	pol, err := ic.CreatePolicy(ctxT(t), &iam.CreatePolicyInput{PolicyName: aws.String("home-folders"), PolicyDocument: aws.String(relayerPolicy)})
	mustOK(t, err)
	_, err = ic.CreateGroup(ctxT(t), &iam.CreateGroupInput{GroupName: aws.String("staff")})
	mustOK(t, err)
	_, err = ic.AttachGroupPolicy(ctxT(t), &iam.AttachGroupPolicyInput{GroupName: aws.String("staff"), PolicyArn: pol.Policy.Arn})
	mustOK(t, err)
	users := map[string]*s3.Client{}
	for _, u := range []string{"alice", "bobby"} {
		users[u] = srv.s3For(newUser(t, srv, u))
		_, err = ic.AddUserToGroup(ctxT(t), &iam.AddUserToGroupInput{GroupName: aws.String("staff"), UserName: aws.String(u)})
		mustOK(t, err)
	}
	alice := users["alice"]

	type check struct {
		what string
		err  error
		want bool
	}
	checks := []check{
		// Each user has read/write (and listing) in the bucket named after it…
		{"alice puts in own bucket", put(t, alice, "alice", "doc.txt"), true},
		{"alice gets from own bucket", get(t, alice, "alice", "doc.txt"), true},
		{"alice lists own bucket", list(t, alice, "alice", "", ""), true},
		// …and nobody else's.
		{"alice gets from bobby's bucket", get(t, alice, "bobby", "private.txt"), false},
		{"alice puts in bobby's bucket", put(t, alice, "bobby", "x.txt"), false},
		{"alice lists bobby's bucket", list(t, alice, "bobby", "", ""), false},
		// In shared: list the root, read everything, write only her folder.
		{"alice lists shared root", list(t, alice, "shared", "", "/"), true},
		{"alice lists her shared folder", list(t, alice, "shared", "alice/", "/"), true},
		{"alice lists bobby's shared folder", list(t, alice, "shared", "bobby/", "/"), true},
		{"alice reads bobby's shared file", get(t, alice, "shared", "bobby/notes.txt"), true},
		{"alice writes her shared folder", put(t, alice, "shared", "alice/new.txt"), true},
		{"alice writes bobby's shared folder", put(t, alice, "shared", "bobby/evil.txt"), false},
		{"alice writes the shared root", put(t, alice, "shared", "top.txt"), false},
		{"bobby writes his shared folder", put(t, users["bobby"], "shared", "bobby/mine.txt"), true},
	}
	_, err = alice.ListBuckets(ctxT(t), &s3.ListBucketsInput{})
	checks = append(checks, check{"alice lists all buckets", err, true})
	for _, c := range checks {
		if got := allowed(t, c.err); got != c.want {
			t.Errorf("%s: allowed=%v, want %v (%v)", c.what, got, c.want, c.err)
		}
	}

	// The simulator names the statement that decided.
	out, err := adminOutput(t, srv, rootKeys, "policy", "simulate", "--user", "alice", "--action", "s3:PutObject",
		"--resource", "arn:aws:s3:::shared/alice/new.txt")
	mustOK(t, err)
	if !strings.Contains(out, "allowed") || !strings.Contains(out, "AllowUserSpecificActionsOnlyInTheSpecificUserPrefix") {
		t.Fatalf("simulate did not name the deciding statement:\n%s", out)
	}
	out, err = adminOutput(t, srv, rootKeys, "policy", "simulate", "--user", "alice", "--action", "s3:PutObject",
		"--resource", "arn:aws:s3:::shared/bobby/evil.txt")
	mustOK(t, err)
	if !strings.Contains(strings.ToLower(out), "implicitdeny") {
		t.Fatalf("simulate of a denied write:\n%s", out)
	}
	// Denials are explained in the debug log.
	if log := srv.out.String(); !strings.Contains(log, "access denied") || !strings.Contains(log, "bobby/evil.txt") {
		t.Fatal("the denied write was not logged with its explanation")
	}

	// Disabling the group removes what it granted at once. (Alice still
	// reads doc.txt: she wrote it, so its ACL makes her its owner, as in S3;
	// the bucket belongs to root.)
	mustOK(t, adminRun(t, srv, "group", "disable", "staff"))
	if allowed(t, list(t, alice, "alice", "", "")) || allowed(t, put(t, alice, "alice", "more.txt")) || allowed(t, get(t, alice, "shared", "bobby/notes.txt")) {
		t.Fatal("a disabled group still grants access")
	}
	mustOK(t, adminRun(t, srv, "group", "enable", "staff"))
	if !allowed(t, list(t, alice, "alice", "", "")) || !allowed(t, get(t, alice, "shared", "bobby/notes.txt")) {
		t.Fatal("re-enabling the group did not restore access")
	}
}

func TestPolicyValidation(t *testing.T) {
	srv := startServer(t, serverOpts{})
	ic := srv.iamClient(rootKeys)
	tests := []struct {
		name, doc, code, msg string
	}{
		{"not json", `{"Version":`, "MalformedPolicyDocument", ""},
		{"unknown action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"*"}]}`, "MalformedPolicyDocument", "s3:GetObjekt"},
		{"bad effect", `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:GetObject","Resource":"*"}]}`, "MalformedPolicyDocument", "Effect"},
		{"bad arn", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3"}]}`, "MalformedPolicyDocument", "arn:aws:s3"},
		{"bad operator", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringSorta":{"s3:prefix":"a"}}}]}`, "MalformedPolicyDocument", "StringSorta"},
		{"too large", `{"Version":"2012-10-17","Statement":[` + strings.Repeat(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-with-a-long-name/*"},`, 90) + `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, "LimitExceeded", ""},
	}
	for _, tc := range tests {
		_, err := ic.CreatePolicy(ctxT(t), &iam.CreatePolicyInput{PolicyName: aws.String("p-" + strings.ReplaceAll(tc.name, " ", "-")), PolicyDocument: aws.String(tc.doc)})
		if errCode(err) != tc.code || (tc.msg != "" && !strings.Contains(err.Error(), tc.msg)) {
			t.Errorf("%s: %v, want %s mentioning %q", tc.name, err, tc.code, tc.msg)
		}
	}
	pols, err := ic.ListPolicies(ctxT(t), &iam.ListPoliciesInput{Scope: "Local"})
	mustOK(t, err)
	for _, p := range pols.Policies {
		if strings.HasPrefix(aws.ToString(p.PolicyName), "p-") {
			t.Errorf("rejected policy %s was stored", aws.ToString(p.PolicyName))
		}
	}
	// The inline user limit (2,048) is smaller than the managed one.
	_, err = ic.CreateUser(ctxT(t), &iam.CreateUserInput{UserName: aws.String("carol")})
	mustOK(t, err)
	big := `{"Version":"2012-10-17","Statement":[` + strings.Repeat(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},`, 40) + `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	_, err = ic.PutUserPolicy(ctxT(t), &iam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
	wantCode(t, err, "LimitExceeded")
	// Names with spaces, short keys and secrets are refused.
	_, err = ic.CreateUser(ctxT(t), &iam.CreateUserInput{UserName: aws.String("has space")})
	if errCode(err) == "" {
		t.Fatal("a user name with a space was accepted")
	}
	if err := adminRun(t, srv, "user", "create", "dave", "--password", "short"); err == nil {
		t.Fatal("a secret shorter than 8 characters was accepted")
	}
}

func TestServiceAccounts(t *testing.T) {
	srv := startServer(t, serverOpts{})
	root := srv.rootS3()
	for _, b := range []string{"open", "closed"} {
		_, err := root.CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String(b)})
		mustOK(t, err)
	}
	ic := srv.iamClient(rootKeys)
	parent := newUser(t, srv, "svcowner")
	_, err := ic.AttachUserPolicy(ctxT(t), &iam.AttachUserPolicyInput{UserName: aws.String("svcowner"), PolicyArn: policyArn("readwrite")})
	mustOK(t, err)

	narrow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::open/*"}]}`
	out, err := adminOutput(t, srv, parent, "svcacct", "create", "--name", "uploader", "--policy", narrow, "--json")
	mustOK(t, err)
	sa := keyPair{ak: jsonField(t, out, "AccessKeyId"), sk: jsonField(t, out, "SecretAccessKey")}
	sc := srv.s3For(sa)
	if !allowed(t, put(t, sc, "open", "x")) || !allowed(t, get(t, sc, "open", "x")) {
		t.Fatal("service account cannot do what both it and its parent allow")
	}
	if allowed(t, put(t, sc, "closed", "x")) {
		t.Fatal("service account exceeded its own policy")
	}
	if !allowed(t, put(t, srv.s3For(parent), "closed", "x")) {
		t.Fatal("parent lost access")
	}
	// Root cannot manage another user's service accounts.
	if _, err := adminOutput(t, srv, rootKeys, "svcacct", "list"); err == nil {
		t.Fatal("root listed another user's service accounts")
	}
	// A disabled parent takes its service accounts down with it.
	mustOK(t, adminRun(t, srv, "user", "disable", "svcowner"))
	if err := get(t, sc, "open", "x"); err == nil {
		t.Fatal("service account works while its parent is disabled")
	}
}

func TestAssumeRoleAndRevocation(t *testing.T) {
	srv := startServer(t, serverOpts{})
	root := srv.rootS3()
	for _, b := range []string{"alpha", "beta"} {
		_, err := root.CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String(b)})
		mustOK(t, err)
		mustOK(t, put(t, root, b, "obj"))
	}
	ic := srv.iamClient(rootKeys)
	user := newUser(t, srv, "worker")
	_, err := ic.AttachUserPolicy(ctxT(t), &iam.AttachUserPolicyInput{UserName: aws.String("worker"), PolicyArn: policyArn("readwrite")})
	mustOK(t, err)

	// AssumeRole on the caller's own user (the WEKA form) with a session
	// policy narrower than the user: only reads of alpha.
	session := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::alpha/*"}]}`
	ar, err := srv.stsClient(user).AssumeRole(ctxT(t), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam:::user/worker"), RoleSessionName: aws.String("batch"),
		Policy: aws.String(session), DurationSeconds: aws.Int32(900),
	})
	mustOK(t, err)
	cr := ar.Credentials
	if exp := aws.ToTime(cr.Expiration); exp.Before(time.Now().Add(14*time.Minute)) || exp.After(time.Now().Add(16*time.Minute)) {
		t.Fatalf("expiration %v, want ~15 minutes", exp)
	}
	tmp := keyPair{ak: *cr.AccessKeyId, sk: *cr.SecretAccessKey, token: *cr.SessionToken}
	tc := srv.s3For(tmp)
	if !allowed(t, get(t, tc, "alpha", "obj")) {
		t.Fatal("session cannot do what its policy allows")
	}
	if allowed(t, get(t, tc, "beta", "obj")) || allowed(t, put(t, tc, "alpha", "new")) {
		t.Fatal("session policy did not narrow the user's permissions")
	}
	who, err := srv.stsClient(tmp).GetCallerIdentity(ctxT(t), &sts.GetCallerIdentityInput{})
	mustOK(t, err)
	if aws.ToString(who.Arn) == "" {
		t.Fatal("no caller identity for a session")
	}
	// A tampered token is refused.
	bad := tmp
	bad.token = tmp.token[:len(tmp.token)-4] + "AAAA"
	if err := get(t, srv.s3For(bad), "alpha", "obj"); errCode(err) == "" {
		t.Fatalf("tampered token accepted: %v", err)
	}

	// GetSessionToken carries the user's full permissions.
	gs, err := srv.stsClient(user).GetSessionToken(ctxT(t), &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	mustOK(t, err)
	st := keyPair{ak: *gs.Credentials.AccessKeyId, sk: *gs.Credentials.SecretAccessKey, token: *gs.Credentials.SessionToken}
	if !allowed(t, put(t, srv.s3For(st), "beta", "via-session")) {
		t.Fatal("GetSessionToken credentials lack the user's permissions")
	}

	// A role with a trust policy naming the user.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam:::user/worker"]},"Action":"sts:AssumeRole"}]}`
	_, err = ic.CreateRole(ctxT(t), &iam.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(trust)})
	mustOK(t, err)
	_, err = ic.AttachRolePolicy(ctxT(t), &iam.AttachRolePolicyInput{RoleName: aws.String("reader"), PolicyArn: policyArn("readonly")})
	mustOK(t, err)
	rr, err := srv.stsClient(user).AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam:::role/reader"), RoleSessionName: aws.String("r1")})
	mustOK(t, err)
	rk := keyPair{ak: *rr.Credentials.AccessKeyId, sk: *rr.Credentials.SecretAccessKey, token: *rr.Credentials.SessionToken}
	if !allowed(t, get(t, srv.s3For(rk), "beta", "obj")) || allowed(t, put(t, srv.s3For(rk), "beta", "no")) {
		t.Fatal("role session does not have exactly the role's permissions")
	}
	other := newUser(t, srv, "stranger")
	_, err = srv.stsClient(other).AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam:::role/reader"), RoleSessionName: aws.String("xx")})
	wantCode(t, err, "AccessDenied")
	_, err = srv.stsClient(user).AssumeRole(ctxT(t), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam:::role/reader"), RoleSessionName: aws.String("xx"), DurationSeconds: aws.Int32(60)})
	if errCode(err) == "" {
		t.Fatal("DurationSeconds below 900 accepted")
	}

	// revoke-sessions: the next request with an old token is refused; the
	// user's long-term key keeps working.
	mustOK(t, adminRun(t, srv, "user", "revoke-sessions", "worker"))
	for _, k := range []keyPair{tmp, st} {
		err := get(t, srv.s3For(k), "alpha", "obj")
		if code := errCode(err); code != "InvalidToken" && code != "ExpiredToken" && code != "InvalidAccessKeyId" && code != "AccessDenied" {
			t.Fatalf("revoked session still works: %v", err)
		}
	}
	if !allowed(t, get(t, srv.s3For(user), "alpha", "obj")) {
		t.Fatal("revoking sessions broke the user's own key")
	}
	// Deleting the user invalidates everything it was issued.
	fresh, err := srv.stsClient(user).GetSessionToken(ctxT(t), &sts.GetSessionTokenInput{})
	mustOK(t, err)
	mustOK(t, adminRun(t, srv, "user", "delete", "worker", "--force"))
	fk := keyPair{ak: *fresh.Credentials.AccessKeyId, sk: *fresh.Credentials.SecretAccessKey, token: *fresh.Credentials.SessionToken}
	if err := get(t, srv.s3For(fk), "alpha", "obj"); err == nil {
		t.Fatal("session of a deleted user still works")
	}
}

// TestSecretsEncryptedAtRest looks for a user's secret in every file under
// the data directory.
func TestSecretsEncryptedAtRest(t *testing.T) {
	srv := startServer(t, serverOpts{})
	k := newUser(t, srv, "secretive")
	srv.stop()
	found := ""
	walkFiles(t, srv.dataDir, func(path string, b []byte) {
		if strings.Contains(string(b), k.sk) {
			found = path
		}
	})
	if found != "" {
		t.Fatalf("secret key stored in plaintext in %s", found)
	}
	srv.start()
	if strings.Contains(srv.out.String(), k.sk) {
		t.Fatal("secret key in the server log")
	}
}

func walkFiles(t *testing.T, dir string, fn func(path string, b []byte)) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	mustOK(t, err)
	for _, e := range entries {
		p := dir + "/" + e.Name()
		if e.IsDir() {
			walkFiles(t, p, fn)
			continue
		}
		b, err := os.ReadFile(p)
		if err == nil {
			fn(p, b)
		}
	}
}

// TestPosixIdentityStamped: a user's POSIX uid/gid is shown on the user and
// stamped on every object version it writes.
func TestPosixIdentityStamped(t *testing.T) {
	srv := startServer(t, serverOpts{})
	root := srv.rootS3()
	_, err := root.CreateBucket(ctxT(t), &s3.CreateBucketInput{Bucket: aws.String("posix")})
	mustOK(t, err)
	mustOK(t, adminRun(t, srv, "user", "create", "pat", "--password", "pat-secret-1", "--posix-uid", "1001", "--posix-gid", "100"))
	mustOK(t, adminRun(t, srv, "policy", "attach", "readwrite", "--user", "pat"))
	out, err := adminOutput(t, srv, rootKeys, "user", "get", "pat", "--json")
	mustOK(t, err)
	if !strings.Contains(out, "1001") || !strings.Contains(out, "100") {
		t.Fatalf("user get does not show the POSIX ids:\n%s", out)
	}
	pat := keyPair{ak: "pat", sk: "pat-secret-1"}
	mustOK(t, put(t, srv.s3For(pat), "posix", "file.txt"))
	mustOK(t, put(t, root, "posix", "by-root.txt"))
	for key, want := range map[string][2]string{"file.txt": {"1001", "100"}, "by-root.txt": {"", ""}} {
		req, _ := http.NewRequest(http.MethodHead, srv.url()+"/posix/"+key, nil)
		signV4(t, req, rootUser, rootPassword, nil)
		resp, err := http.DefaultClient.Do(req)
		mustOK(t, err)
		resp.Body.Close()
		if got := [2]string{resp.Header.Get("X-Cairn-Posix-Uid"), resp.Header.Get("X-Cairn-Posix-Gid")}; got != want {
			t.Errorf("%s: posix uid/gid %v, want %v", key, got, want)
		}
	}
}
