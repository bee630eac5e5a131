package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/cairn-s3/cairn/cmd/cairn/internal/adminclient"
)

// `cairn admin` manages IAM over the server's IAM and STS query APIs (the
// same ones `aws iam` and `aws sts` speak); it never touches a data
// directory. Each subcommand is one entry of a table: a resource ("user"),
// a verb ("create"), and a setup function that registers the verb's flags
// and returns the function that runs it. Global flags are registered on
// every verb's flag set, so they may appear anywhere on the command line.

const adminUsage = `cairn admin — manage users, groups, policies, service accounts and STS credentials

Usage:
  cairn admin RESOURCE VERB [ARGS] [flags]

Resources:
  user      users, their access keys and sessions
  group     groups and their members and policies
  policy    managed and inline policies, and the policy simulator
  svcacct   service accounts of the calling user
  sts       temporary credentials and the caller's identity

Global flags (anywhere on the line):
  --endpoint URL        server URL (CAIRN_ENDPOINT; default http://127.0.0.1:9000)
  --access-key KEY      access key (CAIRN_ACCESS_KEY)
  --secret-key SECRET   secret key (CAIRN_SECRET_KEY)
  --session-token TOK   session token of temporary credentials (CAIRN_SESSION_TOKEN)
  --region REGION       signing region (default us-east-1)
  --json                print results as JSON
  --insecure            do not verify the server's TLS certificate

Run 'cairn admin RESOURCE' for its verbs, 'cairn admin RESOURCE VERB -h' for a verb's flags.
`

// defaultEndpoint is where `cairn server` listens by default.
const defaultEndpoint = "http://127.0.0.1:9000"

// adminEnv is the process surroundings of an admin run, injected so tests
// can replace every one of them.
type adminEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	lookupEnv      func(string) (string, bool)
	// httpClient, when set, carries the requests (tests); --insecure is
	// then ignored.
	httpClient *http.Client
}

// adminCmd is the entry point from main: the real environment, and a
// context cancelled by Ctrl-C.
func adminCmd(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runAdmin(ctx, args, adminEnv{stdin: os.Stdin, stdout: stdout, stderr: stderr, lookupEnv: os.LookupEnv})
}

// session is what a verb runs with: a client, an output, and stdin (for
// `--policy-file -`).
type session struct {
	client *adminclient.Client
	out    *output
	stdin  io.Reader
}

// runFunc runs a verb with its positional arguments.
type runFunc func(ctx context.Context, s *session, args []string) error

// command is one `cairn admin RESOURCE VERB`.
type command struct {
	resource, verb string
	args           string // positional synopsis, e.g. "NAME"
	summary        string
	// minArgs and maxArgs bound the positional arguments; maxArgs < 0 means
	// no upper bound.
	minArgs, maxArgs int
	// setup registers the verb's flags on fs and returns its run function,
	// which reads the flags through the pointers it captured.
	setup func(fs *flag.FlagSet) runFunc
}

// usageError is a mistake on the command line: exit status 2, and the
// verb's usage is worth a look.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// commands lists every verb; the resource files contribute their parts.
func commands() []command {
	var all []command
	all = append(all, userCommands()...)
	all = append(all, groupCommands()...)
	all = append(all, policyCommands()...)
	all = append(all, svcacctCommands()...)
	all = append(all, stsCommands()...)
	return all
}

var resourceOrder = []string{"user", "group", "policy", "svcacct", "sts"}

func runAdmin(ctx context.Context, args []string, env adminEnv) int {
	if len(args) == 0 {
		fmt.Fprint(env.stderr, adminUsage)
		return 2
	}
	if isHelp(args[0]) {
		fmt.Fprint(env.stdout, adminUsage)
		return 0
	}
	all := commands()
	resource := args[0]
	var verbs []command
	for _, c := range all {
		if c.resource == resource {
			verbs = append(verbs, c)
		}
	}
	if len(verbs) == 0 {
		fmt.Fprintf(env.stderr, "cairn admin: unknown resource %q (one of %s)\n", resource, strings.Join(resourceOrder, ", "))
		return 2
	}
	if len(args) == 1 || isHelp(args[1]) {
		w, code := env.stderr, 2
		if len(args) > 1 {
			w, code = env.stdout, 0
		}
		printVerbs(w, resource, verbs)
		return code
	}
	var cmd *command
	for i := range verbs {
		if verbs[i].verb == args[1] {
			cmd = &verbs[i]
		}
	}
	if cmd == nil {
		fmt.Fprintf(env.stderr, "cairn admin %s: unknown verb %q\n\n", resource, args[1])
		printVerbs(env.stderr, resource, verbs)
		return 2
	}
	return runCommand(ctx, cmd, args[2:], env)
}

func isHelp(a string) bool { return a == "help" || a == "-h" || a == "--help" || a == "-help" }

func printVerbs(w io.Writer, resource string, verbs []command) {
	fmt.Fprintf(w, "Usage: cairn admin %s VERB [ARGS] [flags]\n\nVerbs:\n", resource)
	width := 0
	for _, c := range verbs {
		width = max(width, len(c.verb)+1+len(c.args))
	}
	for _, c := range verbs {
		fmt.Fprintf(w, "  %-*s  %s\n", width, strings.TrimSpace(c.verb+" "+c.args), c.summary)
	}
}

// runCommand parses the verb's flags (globals included), builds the client
// and runs the verb. Exit status: 0 success, 1 the call failed, 2 the
// command line is wrong.
func runCommand(ctx context.Context, cmd *command, args []string, env adminEnv) int {
	name := "cairn admin " + cmd.resource + " " + cmd.verb
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	g := registerGlobals(fs)
	run := cmd.setup(fs)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: %s [flags]\n\n%s\n", strings.TrimSpace(name+" "+cmd.args), cmd.summary)
		// The verb's own flags, registered again on a set of their own so
		// the globals do not drown them.
		own := flag.NewFlagSet(name, flag.ContinueOnError)
		own.SetOutput(w)
		cmd.setup(own)
		n := 0
		own.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(w, "\nFlags:")
			own.PrintDefaults()
		}
		fmt.Fprintln(w, "\nGlobal flags: --endpoint, --access-key, --secret-key, --session-token, --region, --json, --insecure (see 'cairn admin -h')")
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2 // flag has printed the error and the usage
	}
	if len(pos) < cmd.minArgs || (cmd.maxArgs >= 0 && len(pos) > cmd.maxArgs) {
		fmt.Fprintf(env.stderr, "%s: want arguments %q, got %d\n\n", name, cmd.args, len(pos))
		fs.Usage()
		return 2
	}
	g.applyEnv(flagsSet(fs), env.lookupEnv)

	client, err := adminclient.New(adminclient.Config{
		Endpoint:     g.endpoint,
		AccessKey:    g.accessKey,
		SecretKey:    g.secretKey,
		SessionToken: g.sessionToken,
		Region:       g.region,
		Insecure:     g.insecure,
		HTTPClient:   env.httpClient,
		UserAgent:    "cairn-admin/" + version,
	})
	if err != nil {
		if errors.Is(err, adminclient.ErrConfig) {
			fmt.Fprintf(env.stderr, "%s: %v (use --endpoint, --access-key, --secret-key or CAIRN_ENDPOINT, CAIRN_ACCESS_KEY, CAIRN_SECRET_KEY)\n", name, err)
			return 2
		}
		fmt.Fprintf(env.stderr, "%s: %v\n", name, err)
		return 1
	}
	s := &session{client: client, out: &output{w: env.stdout, json: g.json}, stdin: env.stdin}
	if err := run(ctx, s, pos); err != nil {
		fmt.Fprintf(env.stderr, "%s: %v\n", name, err)
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return 0
}

// parseInterspersed parses flags that may come before, between or after the
// positional arguments (the flag package stops at the first positional
// one). Everything after a "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// globals are the connection flags every verb accepts.
type globals struct {
	endpoint, accessKey, secretKey, sessionToken, region string
	json, insecure                                       bool
}

// registerGlobals registers the global flags with empty defaults:
// environment values are applied after parsing (applyEnv), so a secret
// from the environment never shows up as a "default" in -h output.
func registerGlobals(fs *flag.FlagSet) *globals {
	g := &globals{}
	fs.StringVar(&g.endpoint, "endpoint", "", "server URL (CAIRN_ENDPOINT; default "+defaultEndpoint+")")
	fs.StringVar(&g.accessKey, "access-key", "", "access key (CAIRN_ACCESS_KEY)")
	fs.StringVar(&g.secretKey, "secret-key", "", "secret key (CAIRN_SECRET_KEY)")
	fs.StringVar(&g.sessionToken, "session-token", "", "session token of temporary credentials (CAIRN_SESSION_TOKEN)")
	fs.StringVar(&g.region, "region", adminclient.DefaultRegion, "SigV4 signing region")
	fs.BoolVar(&g.json, "json", false, "print results as JSON")
	fs.BoolVar(&g.insecure, "insecure", false, "do not verify the server's TLS certificate")
	return g
}

// applyEnv fills each connection setting not given as a flag from its
// environment variable. Precedence: flag, then environment, then default.
func (g *globals) applyEnv(set map[string]bool, lookup func(string) (string, bool)) {
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	for _, e := range []struct {
		flag, env, def string
		dst            *string
	}{
		{"endpoint", "CAIRN_ENDPOINT", defaultEndpoint, &g.endpoint},
		{"access-key", "CAIRN_ACCESS_KEY", "", &g.accessKey},
		{"secret-key", "CAIRN_SECRET_KEY", "", &g.secretKey},
		{"session-token", "CAIRN_SESSION_TOKEN", "", &g.sessionToken},
	} {
		if set[e.flag] {
			continue
		}
		if v, ok := lookup(e.env); ok && v != "" {
			*e.dst = v
		} else {
			*e.dst = e.def
		}
	}
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}
