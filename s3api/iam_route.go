package s3api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/cairn-s3/cairn/iam"
	"github.com/cairn-s3/cairn/s3api/sigv4"
)

// apiKind is the protocol a request speaks.
type apiKind int

const (
	apiS3 apiKind = iota
	apiIAM
	apiSTS
)

// XML namespaces and API versions of the query protocols.
const (
	iamNS      = "https://iam.amazonaws.com/doc/2010-05-08/"
	stsNS      = "https://sts.amazonaws.com/doc/2011-06-15/"
	iamVersion = "2010-05-08"
	stsVersion = "2011-06-15"
)

func (a apiKind) namespace() string {
	if a == apiSTS {
		return stsNS
	}
	return iamNS
}

// isQueryRequest reports whether a request has the shape of an IAM/STS
// query call: path "/" (path style), and either a POST with a form body or
// a GET whose query names an Action. Which of the two services it is for
// is known only from the verified credential scope.
func (s *Server) isQueryRequest(rq *request) bool {
	if rq.rawPath != "/" {
		return false
	}
	if _, vhost := s.router.virtualHostBucket(rq.hdr.get("host")); vhost {
		return false
	}
	switch rq.method {
	case http.MethodPost:
		ct := rq.hdr.get("content-type")
		return len(ct) >= 33 && strings.EqualFold(ct[:33], "application/x-www-form-urlencoded")
	case http.MethodGet:
		return rawQueryHas(rq.rawQuery, "Action")
	}
	return false
}

// rawQueryHas reports whether a raw query has a parameter named exactly name.
func rawQueryHas(raw, name string) bool {
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		n, _, _ := strings.Cut(part, "=")
		if n == name {
			return true
		}
	}
	return false
}

// serveQuery runs an IAM or STS query request: it reads the (bounded) form
// body so the signature can cover it, verifies the request, routes it by
// the credential scope's service and its Action, and runs the action's
// handler, which authorizes it.
func (s *Server) serveQuery(rq *request) (*response, error) {
	rq.api = apiIAM // until the scope says otherwise
	rq.op.Kind = OpIAM
	body, err := readFormBody(rq)
	if err != nil {
		return nil, err
	}
	auth, err := s.deps.Verifier.Verify(&sigv4.Request{
		Method:     rq.method,
		RawPath:    rq.rawPath,
		RawQuery:   rq.rawQuery,
		Header:     rq.hdr.get,
		EachHeader: rq.hdr.each,
		Body:       body,
	})
	if err != nil {
		return nil, err
	}
	rq.auth = auth
	if auth.Anonymous {
		return nil, &Error{Code: ErrIAMMissingAuthenticationToken}
	}
	switch auth.Service {
	case "iam":
	case "sts":
		rq.api, rq.op.Kind = apiSTS, OpSTS
	case "s3":
		// S3 has no API at POST / (or GET /?Action=): answer as S3 does
		// for an unimplemented call.
		rq.api, rq.op.Kind = apiS3, OpUnknown
		return nil, s3errf(ErrNotImplemented, "S3 has no API at %s / with these parameters.", rq.method)
	default:
		return nil, iamErrf(ErrSignatureDoesNotMatch, "Credential should be scoped to a valid service: 'iam' or 'sts', not %q.", auth.Service)
	}
	if err := verifyFormPayload(auth, body, rq.hdr.get); err != nil {
		return nil, err
	}
	rq.ident = auth.Credential.Identity

	form, err := parseIAMForm(rq.rawQuery, body)
	if err != nil {
		return nil, err
	}
	action := form.get("Action")
	if action == "" {
		return nil, iamErrf(ErrIAMMissingAction, "The request must contain the parameter Action.")
	}
	rq.action = action
	qa, ok := queryActions[action]
	service, version := "iam", iamVersion
	if rq.api == apiSTS {
		service, version = "sts", stsVersion
	}
	if !ok || qa.service != service {
		return nil, iamErrf(ErrIAMInvalidAction, "Could not find operation %s for version %s.", clipValue(action), clipValue(form.get("Version")))
	}
	if v, given := form.lookup("Version"); given && v != version {
		return nil, iamErrf(ErrIAMInvalidAction, "Could not find operation %s for version %s.", action, clipValue(v))
	}
	if s.deps.IAM == nil {
		return nil, s3errf(ErrNotImplemented, "The %s API is not enabled on this server.", strings.ToUpper(service))
	}
	c := &iamCall{
		s:      s,
		rq:     rq,
		svc:    s.deps.IAM,
		dir:    s.deps.IAM.Directory(),
		form:   form,
		ident:  rq.ident,
		action: action,
		api:    rq.api,
	}
	return qa.run(c)
}

// readFormBody reads a query request's body whole, refusing more than
// maxFormBody bytes. A GET has no body (nil).
func readFormBody(rq *request) ([]byte, error) {
	if rq.noBody() {
		if rq.method == http.MethodPost {
			return []byte{}, nil
		}
		return nil, nil
	}
	if rq.contentLength > maxFormBody {
		return nil, iamErrf(ErrIAMValidationError, "The request body exceeds %d bytes.", maxFormBody)
	}
	b, err := io.ReadAll(io.LimitReader(rq.body, maxFormBody+1))
	if err != nil {
		return nil, fmt.Errorf("s3api: read form body: %w", err)
	}
	if len(b) > maxFormBody {
		return nil, iamErrf(ErrIAMValidationError, "The request body exceeds %d bytes.", maxFormBody)
	}
	if rq.contentLength >= 0 && len(b) != rq.contentLength {
		return nil, fmt.Errorf("s3api: form body: %w", io.ErrUnexpectedEOF)
	}
	return b, nil
}

// verifyFormPayload checks the form body against the signature. IAM/STS
// clients sign the body's hash without sending x-amz-content-sha256 (the
// verifier then hashed body itself); a client that sends the header must
// have signed the hash of exactly this body. An unsigned body is refused:
// these requests change credentials and policies.
func verifyFormPayload(auth *sigv4.Auth, body []byte, h func(string) string) error {
	if len(body) == 0 {
		return nil
	}
	if auth.Payload != sigv4.PayloadSigned {
		return iamErrf(ErrSignatureDoesNotMatch, "IAM and STS requests must sign their body.")
	}
	p, err := auth.NewPayload(bytes.NewReader(body), h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, p); err != nil {
		return err
	}
	return nil
}

// queryErrorResponse renders an error of a query request.
func (s *Server) queryErrorResponse(rq *request, e *Error) *response {
	ec := *e
	ec.Code = queryCode(e.Code)
	r := newResponse(ec.Status())
	r.contentType = "text/xml"
	r.set("x-amzn-RequestId", rq.id)
	r.body = queryErrorBody(&ec, rq.api.namespace(), rq.id)
	return r
}

// iamCall is one IAM/STS action being served.
type iamCall struct {
	s   *Server
	rq  *request
	svc IAM
	// dir is the IAM view the call reads and authorizes against: one
	// snapshot for the whole call. Mutations re-read svc.Directory().
	dir    *iam.Directory
	form   iamForm
	ident  iam.Identity
	action string
	api    apiKind
}

// queryAction is one row of the action table.
type queryAction struct {
	service string // "iam" or "sts"
	run     func(*iamCall) (*response, error)
}

// account is the account ID shown in ARNs.
func (c *iamCall) account() string { return c.dir.Account() }

// authorize asks the authorizer whether the caller may do action
// (e.g. "iam:CreateUser") on resource (an ARN, or "*").
func (c *iamCall) authorize(action, resource string) error {
	d := c.s.deps.Authorizer.Authorize(iam.Request{
		Identity:   c.ident,
		Action:     action,
		Resource:   resource,
		Conditions: c.s.conditions(c.rq),
	})
	if d.Allowed {
		return nil
	}
	c.s.log.Debug("iam access denied", "request_id", c.rq.id, "action", action, "resource", resource,
		"principal", c.ident.Name, "kind", c.ident.Kind.String(),
		"policy", d.Policy, "statement", d.Statement, "reason", d.Reason)
	return &Error{
		Code:    ErrAccessDenied,
		Message: fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s", callerARN(c.account(), c.ident), action, resource),
		Err:     fmt.Errorf("%w: %s", errAuthzDenied, d.Reason),
	}
}

// allow authorizes the call's own action, iam:<Action>, on resource.
func (c *iamCall) allow(resource string) error {
	return c.authorize("iam:"+c.action, resource)
}

// arn is the ARN of an IAM entity of this account.
func (c *iamCall) arn(kind, name string) string { return iam.ARN(c.account(), kind, name) }

// ok writes the action's response: <XResponse><XResult>…</XResult>
// <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></XResponse>.
// A nil fill writes no Result element (actions that return nothing).
func (c *iamCall) ok(fill func(w *xmlWriter)) (*response, error) {
	w := newXMLWriter(1024)
	w.openNS(c.action+"Response", c.api.namespace())
	if fill != nil {
		w.open(c.action + "Result")
		fill(w)
		w.close(c.action + "Result")
	}
	w.open("ResponseMetadata")
	w.elem("RequestId", c.rq.id)
	w.close("ResponseMetadata")
	w.close(c.action + "Response")
	r := xmlResponse(http.StatusOK, w.bytes())
	r.contentType = "text/xml"
	r.set("x-amzn-RequestId", c.rq.id)
	return r, nil
}

// noSuch is the NoSuchEntity error AWS words as "The <kind> with name
// <name> cannot be found."
func noSuch(kind, name string) *Error {
	return iamErrf(ErrIAMNoSuchEntity, "The %s with name %s cannot be found.", kind, name)
}

// errNotUser is the error for self-addressed calls made without user
// credentials.
var errNotUser = errors.New("s3api: caller is not an IAM user")

// selfUser returns the user a call addresses: the named parameter, or the
// caller itself when it is omitted (AWS: the caller's own user).
func (c *iamCall) selfUser(param string) (string, error) {
	if v := c.form.get(param); v != "" {
		return v, nil
	}
	if c.ident.Kind == iam.KindUser {
		return c.ident.Name, nil
	}
	return "", &Error{Code: ErrIAMValidationError, Message: "Must specify " + lowerFirst(param) + " when calling with non-User credentials", Err: errNotUser}
}
