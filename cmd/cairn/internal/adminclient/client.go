package adminclient

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Service selects the signing service and the protocol version of a call.
type Service string

// The two query-protocol services Cairn serves on its S3 port.
const (
	IAM Service = "iam"
	STS Service = "sts"
)

// Version is the API version string sent with every call of the service.
func (s Service) Version() string {
	if s == STS {
		return "2011-06-15"
	}
	return "2010-05-08"
}

// DefaultRegion is the signing region when Config.Region is empty; IAM is a
// global service that AWS signs for us-east-1.
const DefaultRegion = "us-east-1"

// maxResponse bounds how much of a response body is read: IAM answers are
// small, and a runaway body must not exhaust memory.
const maxResponse = 16 << 20

// Config is what a Client needs to reach and authenticate to a server.
type Config struct {
	// Endpoint is the server's base URL, e.g. "http://127.0.0.1:9000". A
	// bare host:port is taken as http.
	Endpoint string
	// AccessKey and SecretKey sign every request; SessionToken is sent as
	// X-Amz-Security-Token when temporary credentials are used.
	AccessKey, SecretKey, SessionToken string
	// Region is the SigV4 credential-scope region (DefaultRegion if empty).
	Region string
	// Insecure skips TLS certificate verification (self-signed test servers).
	// Ignored when HTTPClient is set.
	Insecure bool
	// HTTPClient, when set, carries every request (tests; custom transports).
	HTTPClient *http.Client
	// UserAgent is sent as User-Agent (not signed).
	UserAgent string
}

// Client calls the IAM and STS query APIs of one server. It is safe for
// concurrent use.
type Client struct {
	url       string
	creds     aws.Credentials
	region    string
	userAgent string
	http      *http.Client
	signer    *v4.Signer
}

// ErrConfig reports an unusable Config.
var ErrConfig = errors.New("adminclient: bad configuration")

// New checks cfg and returns a client for it.
func New(cfg Config) (*Client, error) {
	u, err := endpointURL(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, fmt.Errorf("%w: an access key and a secret key are required", ErrConfig)
	}
	region := cfg.Region
	if region == "" {
		region = DefaultRegion
	}
	hc := cfg.HTTPClient
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		if cfg.Insecure {
			// #nosec G402 -- the operator asked for it with --insecure.
			tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
		}
		hc = &http.Client{Transport: tr, Timeout: time.Minute}
	}
	return &Client{
		url: u,
		creds: aws.Credentials{
			AccessKeyID:     cfg.AccessKey,
			SecretAccessKey: cfg.SecretKey,
			SessionToken:    cfg.SessionToken,
		},
		region:    region,
		userAgent: cfg.UserAgent,
		http:      hc,
		signer:    v4.NewSigner(),
	}, nil
}

// endpointURL normalises an endpoint: a scheme is required to be http or
// https (added when missing), a host must be present, and an empty path
// becomes "/", where IAM and STS are served.
func endpointURL(endpoint string) (string, error) {
	if endpoint == "" {
		return "", fmt.Errorf("%w: no endpoint", ErrConfig)
	}
	if !strings.Contains(endpoint, "://") {
		endpoint = "http://" + endpoint
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", fmt.Errorf("%w: endpoint %q: %v", ErrConfig, endpoint, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("%w: endpoint %q: scheme must be http or https", ErrConfig, endpoint)
	}
	if u.Host == "" {
		return "", fmt.Errorf("%w: endpoint %q has no host", ErrConfig, endpoint)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%w: endpoint %q must not have a query or fragment", ErrConfig, endpoint)
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String(), nil
}

// Do performs one action of svc with params (Action and Version are added)
// and decodes the response's <ActionResult> element into result. result may
// be nil for actions that return no result (DeleteUser, AttachUserPolicy…).
// A server error is returned as *Error.
func (c *Client) Do(ctx context.Context, svc Service, action string, params url.Values, result any) error {
	form := make(url.Values, len(params)+2)
	for k, v := range params {
		form[k] = v
	}
	form.Set("Action", action)
	form.Set("Version", svc.Version())
	body := form.Encode()

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, strings.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	sum := sha256.Sum256([]byte(body))
	if err := c.signer.SignHTTP(ctx, c.creds, req, hex.EncodeToString(sum[:]), string(svc), c.region, time.Now().UTC()); err != nil {
		return fmt.Errorf("%s: signing: %w", action, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("%s: reading response: %w", action, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return parseError(resp.StatusCode, data)
	}
	if result == nil {
		return nil
	}
	if err := decodeResult(data, action+"Result", result); err != nil {
		return fmt.Errorf("%s: %w", action, err)
	}
	return nil
}

// decodeResult finds the element named name anywhere in data and decodes it
// into out. Searching, rather than decoding a fixed envelope, keeps the
// result types free of the per-action wrapper names.
func decodeResult(data []byte, name string, out any) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return fmt.Errorf("response has no <%s> element", name)
		}
		if err != nil {
			return fmt.Errorf("malformed XML response: %w", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == name {
			if err := dec.DecodeElement(out, &se); err != nil {
				return fmt.Errorf("malformed <%s>: %w", name, err)
			}
			return nil
		}
	}
}
