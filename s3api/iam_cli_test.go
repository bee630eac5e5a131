package s3api

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestIAMWithAWSCLI runs the installed aws CLI (botocore's query
// protocol client) against the handlers; skipped when it is absent.
func TestIAMWithAWSCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the aws CLI")
	}
	awsBin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws CLI not installed")
	}
	ts := startIAMServer(t, true)
	dir := t.TempDir()
	run := func(args ...string) (map[string]any, string) {
		t.Helper()
		cmd := exec.Command(awsBin, append(args, "--endpoint-url", ts.url, "--output", "json")...)
		cmd.Env = append(os.Environ(),
			"AWS_ACCESS_KEY_ID="+testAccessKey, "AWS_SECRET_ACCESS_KEY="+testSecretKey,
			"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE="+dir+"/config",
			"AWS_SHARED_CREDENTIALS_FILE="+dir+"/credentials", "AWS_CA_BUNDLE=", "AWS_PAGER=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			return nil, string(out)
		}
		var v map[string]any
		if len(strings.TrimSpace(string(out))) > 0 {
			if err := json.Unmarshal(out, &v); err != nil {
				t.Fatalf("aws %v: %v: %s", args, err, out)
			}
		}
		return v, ""
	}
	if _, errOut := run("iam", "create-user", "--user-name", "erin"); errOut != "" {
		t.Fatalf("create-user: %s", errOut)
	}
	if _, errOut := run("iam", "put-user-policy", "--user-name", "erin", "--policy-name", "p", "--policy-document", policyS3Get); errOut != "" {
		t.Fatalf("put-user-policy: %s", errOut)
	}
	// The CLI decodes the percent-encoded document back into JSON.
	v, errOut := run("iam", "get-user-policy", "--user-name", "erin", "--policy-name", "p")
	if errOut != "" {
		t.Fatalf("get-user-policy: %s", errOut)
	}
	doc, _ := v["PolicyDocument"].(map[string]any)
	if doc["Version"] != "2012-10-17" {
		t.Errorf("get-user-policy document: %v", v)
	}
	v, errOut = run("sts", "get-caller-identity")
	if errOut != "" || v["Account"] != testAccount {
		t.Errorf("get-caller-identity: %v %s", v, errOut)
	}
	if _, errOut := run("iam", "get-user", "--user-name", "nobody"); !strings.Contains(errOut, "NoSuchEntity") {
		t.Errorf("get-user nobody: %s", errOut)
	}
}
