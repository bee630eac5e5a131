package s3api

import (
	"context"
	"log/slog"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/cairn-s3/cairn/s3api/sigv4"
)

type iamTestServer struct {
	url     string
	fake    *fakeIAM
	buckets *memBuckets
	objects *memObjects
}

// startIAMServer serves the S3, IAM and STS APIs on 127.0.0.1:0 with the
// fake identity service as IAM, authorizer and credential store.
func startIAMServer(t *testing.T, withIAM bool) *iamTestServer {
	t.Helper()
	t.Setenv("AWS_CA_BUNDLE", "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := &iamTestServer{url: "http://" + ln.Addr().String(), fake: newFakeIAM(), buckets: newMemBuckets(), objects: newMemObjects(time.Now)}
	level := slog.LevelWarn
	if testing.Verbose() {
		level = slog.LevelDebug
	}
	deps := Deps{
		Buckets:    ts.buckets,
		Objects:    ts.objects,
		Verifier:   sigv4.NewVerifier(LiveDirectory(ts.fake.Directory)),
		Authorizer: LiveDirectory(ts.fake.Directory),
		Logger:     slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: level})),
	}
	if withIAM {
		deps.IAM = ts.fake
	}
	srv := New(Config{HostID: "test"}, deps)
	serveUntilCleanup(t, srv, ln)
	return ts
}

func (ts *iamTestServer) config(ak, sk, token string) aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(ak, sk, token),
		RetryMaxAttempts: 1,
	}
}

func (ts *iamTestServer) iamClient(ak, sk, token string) *awsiam.Client {
	return awsiam.NewFromConfig(ts.config(ak, sk, token), func(o *awsiam.Options) { o.BaseEndpoint = aws.String(ts.url) })
}

func (ts *iamTestServer) stsClient(ak, sk, token string) *sts.Client {
	return sts.NewFromConfig(ts.config(ak, sk, token), func(o *sts.Options) { o.BaseEndpoint = aws.String(ts.url) })
}

const (
	policyIAMRead = `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}]}`
	policyAssume  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::123456789012:role/*"}]}`
	trustAlice    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/alice"},"Action":"sts:AssumeRole"}]}`
	policyS3Get   = `{"Version":"2012-10-17","Statement":[{"Sid":"GetB","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
)

// TestIAMWithSDK drives the IAM and STS handlers with aws-sdk-go-v2's own
// clients: request encoding, response parsing and error codes are theirs.
func TestIAMWithSDK(t *testing.T) {
	ts := startIAMServer(t, true)
	ctx := context.Background()
	root := ts.iamClient(testAccessKey, testSecretKey, "")

	// Users and errors.
	cu, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if aws.ToString(cu.User.Arn) != "arn:aws:iam::123456789012:user/alice" || cu.User.CreateDate == nil || aws.ToString(cu.User.Path) != "/" {
		t.Errorf("CreateUser: %+v", cu.User)
	}
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("alice")}); apiCode(err) != "EntityAlreadyExists" {
		t.Errorf("CreateUser again: %v", err)
	}
	if _, err := root.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("nobody")}); apiCode(err) != "NoSuchEntity" {
		t.Errorf("GetUser nobody: %v", err)
	}
	lu, err := root.ListUsers(ctx, &awsiam.ListUsersInput{MaxItems: aws.Int32(5)})
	if err != nil || len(lu.Users) != 1 || lu.IsTruncated {
		t.Fatalf("ListUsers: %+v %v", lu, err)
	}

	// Access keys, including the WEKA convenience form.
	ak, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil || aws.ToString(ak.AccessKey.SecretAccessKey) == "" || ak.AccessKey.Status != iamtypes.StatusTypeActive {
		t.Fatalf("CreateAccessKey: %+v %v", ak, err)
	}
	aliceKey, aliceSecret := aws.ToString(ak.AccessKey.AccessKeyId), aws.ToString(ak.AccessKey.SecretAccessKey)
	lk, err := root.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{UserName: aws.String("alice")})
	if err != nil || len(lk.AccessKeyMetadata) != 1 || aws.ToString(lk.AccessKeyMetadata[0].AccessKeyId) != aliceKey {
		t.Fatalf("ListAccessKeys: %+v %v", lk, err)
	}
	if _, err := root.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("alice")}); apiCode(err) != "DeleteConflict" {
		t.Errorf("DeleteUser with keys: %v", err)
	}

	// A new user may do nothing; GetCallerIdentity needs no permission.
	alice := ts.iamClient(aliceKey, aliceSecret, "")
	aliceSTS := ts.stsClient(aliceKey, aliceSecret, "")
	if _, err := alice.ListUsers(ctx, &awsiam.ListUsersInput{}); apiCode(err) != "AccessDenied" {
		t.Errorf("alice ListUsers without policy: %v", err)
	}
	who, err := aliceSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:iam::123456789012:user/alice" || aws.ToString(who.Account) != testAccount ||
		aws.ToString(who.UserId) != aws.ToString(cu.User.UserId) {
		t.Fatalf("GetCallerIdentity: %+v %v", who, err)
	}

	// Managed policies: validation, attach, read back.
	if _, err := root.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Statement":`)}); apiCode(err) != "MalformedPolicyDocument" {
		t.Errorf("CreatePolicy malformed: %v", err)
	}
	cp, err := root.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("iamread"), PolicyDocument: aws.String(policyIAMRead)})
	if err != nil {
		t.Fatalf("CreatePolicy: %v", err)
	}
	polARN := aws.ToString(cp.Policy.Arn)
	if polARN != "arn:aws:iam::123456789012:policy/iamread" {
		t.Errorf("policy ARN %s", polARN)
	}
	if _, err := root.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(polARN)}); err != nil {
		t.Fatalf("AttachUserPolicy: %v", err)
	}
	if _, err := alice.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Errorf("alice ListUsers with iamread: %v", err)
	}
	if _, err := alice.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("mallory")}); apiCode(err) != "AccessDenied" {
		t.Errorf("alice CreateUser: %v", err)
	}
	gp, err := root.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(polARN)})
	if err != nil || aws.ToInt32(gp.Policy.AttachmentCount) != 1 || aws.ToString(gp.Policy.DefaultVersionId) != "v1" {
		t.Errorf("GetPolicy: %+v %v", gp, err)
	}
	pv, err := root.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(polARN), VersionId: aws.String("v1")})
	if err != nil {
		t.Fatalf("GetPolicyVersion: %v", err)
	}
	if doc, _ := url.QueryUnescape(aws.ToString(pv.PolicyVersion.Document)); doc != policyIAMRead {
		t.Errorf("policy document %q", doc)
	}
	lp, err := root.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal})
	if err != nil || len(lp.Policies) != 1 {
		t.Errorf("ListPolicies Local: %+v %v", lp, err)
	}
	lap, err := root.ListAttachedUserPolicies(ctx, &awsiam.ListAttachedUserPoliciesInput{UserName: aws.String("alice")})
	if err != nil || len(lap.AttachedPolicies) != 1 || aws.ToString(lap.AttachedPolicies[0].PolicyArn) != polARN {
		t.Errorf("ListAttachedUserPolicies: %+v %v", lap, err)
	}
	if _, err := root.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String("not-an-arn")}); apiCode(err) != "InvalidInput" {
		t.Errorf("DeletePolicy bad ARN: %v", err)
	}

	// Inline policies.
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("assume"), PolicyDocument: aws.String(policyAssume)}); err != nil {
		t.Fatalf("PutUserPolicy: %v", err)
	}
	gup, err := root.GetUserPolicy(ctx, &awsiam.GetUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("assume")})
	if err != nil {
		t.Fatalf("GetUserPolicy: %v", err)
	}
	if doc, _ := url.QueryUnescape(aws.ToString(gup.PolicyDocument)); doc != policyAssume {
		t.Errorf("inline document %q", doc)
	}
	lup, err := root.ListUserPolicies(ctx, &awsiam.ListUserPoliciesInput{UserName: aws.String("alice")})
	if err != nil || len(lup.PolicyNames) != 1 || lup.PolicyNames[0] != "assume" {
		t.Errorf("ListUserPolicies: %+v %v", lup, err)
	}

	// Groups.
	if _, err := root.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("devs")}); err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	if _, err := root.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}); err != nil {
		t.Fatalf("AddUserToGroup: %v", err)
	}
	gg, err := root.GetGroup(ctx, &awsiam.GetGroupInput{GroupName: aws.String("devs")})
	if err != nil || len(gg.Users) != 1 || aws.ToString(gg.Users[0].UserName) != "alice" || aws.ToString(gg.Group.Arn) != "arn:aws:iam::123456789012:group/devs" {
		t.Errorf("GetGroup: %+v %v", gg, err)
	}
	gfu, err := root.ListGroupsForUser(ctx, &awsiam.ListGroupsForUserInput{UserName: aws.String("alice")})
	if err != nil || len(gfu.Groups) != 1 {
		t.Errorf("ListGroupsForUser: %+v %v", gfu, err)
	}
	if _, err := root.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("g"), PolicyDocument: aws.String(policyS3Get)}); err != nil {
		t.Errorf("PutGroupPolicy: %v", err)
	}
	if _, err := root.DeleteGroup(ctx, &awsiam.DeleteGroupInput{GroupName: aws.String("devs")}); apiCode(err) != "DeleteConflict" {
		t.Errorf("DeleteGroup with members: %v", err)
	}
	if _, err := root.RemoveUserFromGroup(ctx, &awsiam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}); err != nil {
		t.Errorf("RemoveUserFromGroup: %v", err)
	}
	lg, err := root.ListGroups(ctx, &awsiam.ListGroupsInput{})
	if err != nil || len(lg.Groups) != 1 {
		t.Errorf("ListGroups: %+v %v", lg, err)
	}

	// Roles and STS.
	cr, err := root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(trustAlice)})
	if err != nil {
		t.Fatalf("CreateRole: %v", err)
	}
	if _, err := root.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("reader"), PolicyArn: aws.String(polARN)}); err != nil {
		t.Errorf("AttachRolePolicy: %v", err)
	}
	gr, err := root.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("reader")})
	if err != nil || aws.ToInt32(gr.Role.MaxSessionDuration) != 3600 {
		t.Errorf("GetRole: %+v %v", gr, err)
	} else if doc, _ := url.QueryUnescape(aws.ToString(gr.Role.AssumeRolePolicyDocument)); doc != trustAlice {
		t.Errorf("trust document %q", doc)
	}
	ar, err := aliceSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: cr.Role.Arn, RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	if aws.ToString(ar.AssumedRoleUser.Arn) != "arn:aws:sts::123456789012:assumed-role/reader/s1" ||
		time.Until(aws.ToTime(ar.Credentials.Expiration)) > 901*time.Second {
		t.Errorf("AssumeRole: %+v %+v", ar.AssumedRoleUser, ar.Credentials)
	}
	if _, err := aliceSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: cr.Role.Arn, RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(7200)}); apiCode(err) != "ValidationError" {
		t.Errorf("AssumeRole beyond MaxSessionDuration: %v", err)
	}
	rc := ar.Credentials
	roleSTS := ts.stsClient(aws.ToString(rc.AccessKeyId), aws.ToString(rc.SecretAccessKey), aws.ToString(rc.SessionToken))
	rwho, err := roleSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(rwho.Arn) != "arn:aws:sts::123456789012:assumed-role/reader/s1" {
		t.Errorf("role GetCallerIdentity: %+v %v", rwho, err)
	}
	roleIAM := ts.iamClient(aws.ToString(rc.AccessKeyId), aws.ToString(rc.SecretAccessKey), aws.ToString(rc.SessionToken))
	if _, err := roleIAM.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Errorf("role session ListUsers (iamread on the role): %v", err)
	}
	// bob is not trusted by the role's trust policy, even with
	// sts:AssumeRole in his own policies.
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("assume"), PolicyDocument: aws.String(policyAssume)}); err != nil {
		t.Fatal(err)
	}
	// The WEKA form (user name as access key) is a Cairn extension the
	// SDK cannot send.
	if r := (rawQuery{service: "iam", ak: testAccessKey, sk: testSecretKey, form: form("Action", "CreateAccessKey",
		"UserName", "bob", "AccessKeyId", "bob", "SecretAccessKey", "bob-password")}).do(t, ts.url); r.status != 200 {
		t.Fatalf("CreateAccessKey (WEKA form): %d %s", r.status, r.body)
	}
	bobSTS := ts.stsClient("bob", "bob-password", "")
	if _, err := bobSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: cr.Role.Arn, RoleSessionName: aws.String("bs")}); apiCode(err) != "AccessDenied" {
		t.Errorf("bob AssumeRole: %v", err)
	}
	rootSTS := ts.stsClient(testAccessKey, testSecretKey, "")
	// The WEKA self form: alice assumes herself, with a session policy.
	self, err := aliceSTS.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam:::user/alice"), RoleSessionName: aws.String("me"),
		Policy: aws.String(policyS3Get),
	})
	if err != nil {
		t.Fatalf("AssumeRole self: %v", err)
	}
	sc := self.Credentials
	selfWho, err := ts.stsClient(aws.ToString(sc.AccessKeyId), aws.ToString(sc.SecretAccessKey), aws.ToString(sc.SessionToken)).
		GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(selfWho.Arn) != "arn:aws:iam::123456789012:user/alice" {
		t.Errorf("self session GetCallerIdentity: %+v %v", selfWho, err)
	}
	if _, err := aliceSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam:::user/bob"), RoleSessionName: aws.String("xx")}); apiCode(err) != "AccessDenied" {
		t.Errorf("AssumeRole as another user: %v", err)
	}
	st, err := aliceSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(1200)})
	if err != nil || aws.ToString(st.Credentials.SessionToken) == "" {
		t.Errorf("GetSessionToken: %+v %v", st, err)
	}
	if _, err := rootSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{}); apiCode(err) != "AccessDenied" {
		t.Errorf("root GetSessionToken: %v", err)
	}

	// The simulator names the deciding statement.
	sim, err := root.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
		PolicySourceArn: cu.User.Arn,
		ActionNames:     []string{"iam:ListUsers", "iam:CreateUser"},
	})
	if err != nil || len(sim.EvaluationResults) != 2 {
		t.Fatalf("SimulatePrincipalPolicy: %+v %v", sim, err)
	}
	r0, r1 := sim.EvaluationResults[0], sim.EvaluationResults[1]
	if r0.EvalDecision != iamtypes.PolicyEvaluationDecisionTypeAllowed || len(r0.MatchedStatements) != 1 ||
		aws.ToString(r0.MatchedStatements[0].SourcePolicyId) != "user:alice/iamread" {
		t.Errorf("simulate ListUsers: %+v", r0)
	}
	if r1.EvalDecision != iamtypes.PolicyEvaluationDecisionTypeImplicitDeny || len(r1.MatchedStatements) != 0 {
		t.Errorf("simulate CreateUser: %+v", r1)
	}

	// Updates and deletes.
	if _, err := root.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(aliceKey), Status: iamtypes.StatusTypeInactive}); err != nil {
		t.Errorf("UpdateAccessKey: %v", err)
	}
	if _, err := alice.ListUsers(ctx, &awsiam.ListUsersInput{}); apiCode(err) != "InvalidClientTokenId" {
		t.Errorf("inactive key: %v", err)
	}
	if _, err := root.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(polARN)}); err != nil {
		t.Errorf("DetachUserPolicy: %v", err)
	}
	if _, err := root.DeleteUserPolicy(ctx, &awsiam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("assume")}); err != nil {
		t.Errorf("DeleteUserPolicy: %v", err)
	}
	if _, err := root.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(aliceKey)}); err != nil {
		t.Errorf("DeleteAccessKey: %v", err)
	}
	if _, err := root.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("alice")}); err != nil {
		t.Errorf("DeleteUser: %v", err)
	}
	if _, err := root.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("reader")}); err != nil {
		t.Errorf("DeleteRole: %v", err)
	}
	if _, err := roleSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); apiCode(err) != "InvalidClientTokenId" {
		t.Errorf("session of a deleted role: %v", err)
	}
}

// Without an IAM service the query APIs answer NotImplemented in their
// own error format.
func TestIAMDisabled(t *testing.T) {
	ts := startIAMServer(t, false)
	_, err := ts.iamClient(testAccessKey, testSecretKey, "").ListUsers(context.Background(), &awsiam.ListUsersInput{})
	if apiCode(err) != "NotImplemented" {
		t.Errorf("ListUsers without IAM: %v", err)
	}
}
