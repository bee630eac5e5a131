package sigv4

import (
	"crypto/subtle"
	"errors"
	"fmt"
)

// ErrPostFormMalformed: the SigV4 fields of a POST form (x-amz-algorithm,
// x-amz-credential, x-amz-date, x-amz-signature) are missing or malformed.
// S3 answers InvalidArgument / InvalidRequest naming the field.
var ErrPostFormMalformed = errors.New("sigv4: POST form authentication fields are malformed")

// PostForm is the authentication part of a browser POST upload (an HTML
// form with a policy document), each value exactly as the form sent it.
type PostForm struct {
	Algorithm     string // x-amz-algorithm: AWS4-HMAC-SHA256
	Credential    string // x-amz-credential: AK/yyyymmdd/region/service/aws4_request
	Date          string // x-amz-date: yyyymmddThhmmssZ
	Signature     string // x-amz-signature: hex
	SecurityToken string // x-amz-security-token, for temporary credentials
	// Policy is the policy field: the base64 text the signature covers.
	Policy string
}

// VerifyPostPolicy authenticates a POST form: its signature must be
// hex(HMAC-SHA256(signing key of the credential scope, Policy)), the
// policy's base64 text exactly as sent. There is no clock-skew check: the
// policy's own expiration bounds the form's life (checked by the caller,
// who parses the policy). The returned Auth has no payload to verify; its
// Service must be checked by the caller like any other.
func (v *Verifier) VerifyPostPolicy(f PostForm) (*Auth, error) {
	if f.Algorithm != algorithmHMAC {
		if f.Algorithm == "" {
			return nil, fmt.Errorf("%w: missing x-amz-algorithm", ErrPostFormMalformed)
		}
		return nil, fmt.Errorf("%w: x-amz-algorithm %q is not supported, use %s", ErrUnsupportedSignature, clip(f.Algorithm), algorithmHMAC)
	}
	if f.Credential == "" {
		return nil, fmt.Errorf("%w: missing x-amz-credential", ErrPostFormMalformed)
	}
	sc, err := parseCredential(f.Credential, ErrPostFormMalformed)
	if err != nil {
		return nil, err
	}
	if _, ok := parseAmzDate(f.Date); !ok {
		return nil, fmt.Errorf("%w: x-amz-date %q must be in ISO 8601 basic format (yyyymmddThhmmssZ)", ErrPostFormMalformed, clip(f.Date))
	}
	if f.Date[:8] != sc.date {
		return nil, fmt.Errorf("%w: credential date %s does not match x-amz-date %s", ErrPostFormMalformed, sc.date, f.Date[:8])
	}
	var sig [32]byte
	if err := parseSignature(f.Signature, &sig); err != nil {
		return nil, fmt.Errorf("%w: x-amz-signature: %v", ErrPostFormMalformed, err)
	}
	cred, err := v.lookup(sc.accessKey, f.SecurityToken)
	if err != nil {
		return nil, err
	}
	key, cached := v.vs.keys.signingKey(cred.SecretKey, sc.date, sc.region, sc.service)
	buf := make([]byte, hmacScratch+len(f.Policy))
	copy(buf[hmacScratch:], f.Policy)
	want := hmacSign(&key, buf)
	if subtle.ConstantTimeCompare(want[:], sig[:]) != 1 {
		return nil, &SignatureError{StringToSign: f.Policy}
	}
	if !cached {
		v.vs.keys.remember(cred.SecretKey, sc.date, sc.region, sc.service, key)
	}
	if err := checkSessionToken(&cred, f.SecurityToken); err != nil {
		return nil, err
	}
	return &Auth{Credential: cred, Payload: PayloadUnsigned, Region: sc.region, Service: sc.service}, nil
}
