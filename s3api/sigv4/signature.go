package sigv4

import (
	"crypto/subtle"
	"encoding/hex"

	sha256 "github.com/minio/sha256-simd"
)

// canonInput is what, besides the request itself, goes into a signature.
type canonInput struct {
	ts, scope, signedHeaders, payloadHash string
	presigned                             bool
}

// checkSignature recomputes the request signature and compares it with
// got in constant time. It returns the name of an x-amz-* header that
// SignedHeaders leaves out, if any, for the caller to refuse once the
// signature itself is known to be good.
//
// The canonical URI is first the decoded-and-re-encoded path, which is
// what the SDKs sign; if that fails and the wire path differs, the wire
// path as-is is tried, for clients that sign the path they send without
// encoding it the AWS way.
func (v *Verifier) checkSignature(r *Request, in *canonInput, key, got *[32]byte, class error) (string, error) {
	s := v.vs.get()
	defer v.vs.put(s)
	if err := s.collectHeaders(r, in.signedHeaders, class); err != nil {
		return "", err
	}
	c := append(s.canon[:0], r.Method...)
	c = append(c, '\n')
	pathStart := len(c)
	c, pathOK := appendCanonicalPath(c, r.RawPath)
	if !pathOK {
		c = append(c[:pathStart], r.RawPath...)
	}
	pathEnd := len(c)
	c = append(c, '\n')
	c, s.pairs = appendCanonicalQuery(c, r.RawQuery, in.presigned, s.pairs)
	c = append(c, '\n')
	c = s.appendCanonicalHeaders(c, r)
	c = append(c, '\n')
	c = append(c, in.signedHeaders...)
	c = append(c, '\n')
	c = append(c, in.payloadHash...)
	s.canon = c

	sts := s.appendStringToSign(c, in)
	sig := hmacSign(key, sts)
	if subtle.ConstantTimeCompare(sig[:], got[:]) == 1 {
		return s.unsigned, nil
	}
	mismatch := &SignatureError{CanonicalRequest: string(c), StringToSign: string(sts[hmacScratch:])}
	if pathOK && r.RawPath != "" && string(c[pathStart:pathEnd]) != r.RawPath {
		alt := make([]byte, 0, len(c)+len(r.RawPath))
		alt = append(alt, c[:pathStart]...)
		alt = append(alt, r.RawPath...)
		alt = append(alt, c[pathEnd:]...)
		sig = hmacSign(key, s.appendStringToSign(alt, in))
		if subtle.ConstantTimeCompare(sig[:], got[:]) == 1 {
			return s.unsigned, nil
		}
	}
	return "", mismatch
}

// appendStringToSign builds, in s.sts after hmacScratch bytes of room,
// "AWS4-HMAC-SHA256\n<timestamp>\n<scope>\n<hex sha256(canonical request)>".
func (s *scratch) appendStringToSign(canon []byte, in *canonInput) []byte {
	h := sha256.Sum256(canon)
	b := s.sts[:0]
	for len(b) < hmacScratch {
		b = append(b, 0)
	}
	b = append(b, algorithmHMAC...)
	b = append(b, '\n')
	b = append(b, in.ts...)
	b = append(b, '\n')
	b = append(b, in.scope...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, h[:])
	s.sts = b
	return b
}
