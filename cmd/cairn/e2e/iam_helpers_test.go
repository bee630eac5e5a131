package e2e

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// keyPair is a set of credentials, temporary when token is set.
type keyPair struct{ ak, sk, token string }

func (s *server) iamClient(k keyPair) *iam.Client {
	return iam.New(iam.Options{
		BaseEndpoint: aws.String(s.url()),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(k.ak, k.sk, k.token),
		HTTPClient:   s.httpClient(),
	})
}

func (s *server) stsClient(k keyPair) *sts.Client {
	return sts.New(sts.Options{
		BaseEndpoint: aws.String(s.url()),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(k.ak, k.sk, k.token),
		HTTPClient:   s.httpClient(),
	})
}

func (s *server) s3For(k keyPair) *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint: aws.String(s.url()),
		Region:       "us-east-1",
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(k.ak, k.sk, k.token),
		HTTPClient:   s.httpClient(),
	})
}

var rootKeys = keyPair{ak: rootUser, sk: rootPassword}

// newUser creates a user with one access key and returns the key.
func newUser(t *testing.T, srv *server, name string) keyPair {
	t.Helper()
	ic := srv.iamClient(rootKeys)
	_, err := ic.CreateUser(ctxT(t), &iam.CreateUserInput{UserName: aws.String(name)})
	mustOK(t, err)
	out, err := ic.CreateAccessKey(ctxT(t), &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	mustOK(t, err)
	return keyPair{ak: *out.AccessKey.AccessKeyId, sk: *out.AccessKey.SecretAccessKey}
}

func policyArn(name string) *string { return aws.String("arn:aws:iam:::policy/" + name) }

// canS3 reports whether a client may perform op, failing the test on any
// error other than AccessDenied.
func allowed(t *testing.T, err error) bool {
	t.Helper()
	if err == nil {
		return true
	}
	if c := errCode(err); c == "AccessDenied" {
		return false
	}
	t.Fatalf("unexpected error: %v", err)
	return false
}

// adminOutput runs `cairn admin ARGS…` against the server with the given
// credentials and returns its standard output.
func adminOutput(t *testing.T, srv *server, k keyPair, args ...string) (string, error) {
	t.Helper()
	full := append([]string{"admin"}, args...)
	full = append(full, "--endpoint", srv.url(), "--access-key", k.ak, "--secret-key", k.sk)
	if k.token != "" {
		full = append(full, "--session-token", k.token)
	}
	if srv.tls != nil {
		full = append(full, "--insecure")
	}
	cmd := exec.Command(cairnBin, full...)
	cmd.Env = filteredEnv()
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("cairn %v: %w: %s", args, err, stderr.String())
	}
	return stdout.String(), nil
}

// adminRun runs `cairn admin ARGS…` as root.
func adminRun(t *testing.T, srv *server, args ...string) error {
	t.Helper()
	_, err := adminOutput(t, srv, rootKeys, args...)
	return err
}

// jsonField digs a string field out of `--json` output, at any depth.
func jsonField(t *testing.T, out, name string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	var find func(any) string
	find = func(v any) string {
		switch x := v.(type) {
		case map[string]any:
			if s, ok := x[name].(string); ok {
				return s
			}
			for _, e := range x {
				if s := find(e); s != "" {
					return s
				}
			}
		case []any:
			for _, e := range x {
				if s := find(e); s != "" {
					return s
				}
			}
		}
		return ""
	}
	s := find(v)
	if s == "" {
		t.Fatalf("no %s in:\n%s", name, out)
	}
	return s
}
