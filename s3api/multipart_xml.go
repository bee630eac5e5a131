package s3api

import (
	"encoding/xml"
	"strconv"
	"strings"

	"github.com/cairn-s3/cairn/data"
)

// completeMultipartXML is the body of CompleteMultipartUpload. Values are
// pointers so that a missing element is told apart from an empty one.
type completeMultipartXML struct {
	XMLName xml.Name `xml:"CompleteMultipartUpload"`
	Parts   []struct {
		PartNumber        *string `xml:"PartNumber"`
		ETag              *string `xml:"ETag"`
		ChecksumCRC32     *string `xml:"ChecksumCRC32"`
		ChecksumCRC32C    *string `xml:"ChecksumCRC32C"`
		ChecksumCRC64NVME *string `xml:"ChecksumCRC64NVME"`
		ChecksumSHA1      *string `xml:"ChecksumSHA1"`
		ChecksumSHA256    *string `xml:"ChecksumSHA256"`
	} `xml:"Part"`
}

// parseCompleteMultipart parses and checks a CompleteMultipartUpload body:
// a well-formed document with 1–10,000 parts, each with an integer
// PartNumber and an ETag (else MalformedXML); part numbers within 1–10,000
// (else InvalidArgument) and strictly ascending (else InvalidPartOrder).
// ETags are returned without quotes; checksums keyed by algorithm.
// Whether the parts exist and match is the object layer's to say.
func parseCompleteMultipart(body []byte) ([]data.CompletePart, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, s3errf(ErrMalformedXML, "You must specify at least one part.")
	}
	var doc completeMultipartXML
	if err := decodeXMLStrict(body, &doc); err != nil {
		return nil, err
	}
	if len(doc.Parts) == 0 {
		return nil, s3errf(ErrMalformedXML, "You must specify at least one part.")
	}
	if len(doc.Parts) > maxPartNumber {
		return nil, s3errf(ErrMalformedXML, "A multipart upload has at most %d parts.", maxPartNumber)
	}
	parts := make([]data.CompletePart, 0, len(doc.Parts))
	for i, p := range doc.Parts {
		if p.PartNumber == nil || p.ETag == nil {
			return nil, s3errf(ErrMalformedXML, "Every Part must have a PartNumber and an ETag.")
		}
		v := strings.TrimSpace(*p.PartNumber)
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, s3errf(ErrMalformedXML, "PartNumber %q is not an integer.", clipValue(v))
		}
		if n < 1 || n > maxPartNumber {
			return nil, partNumberError(v)
		}
		if i > 0 && n <= parts[i-1].Number {
			return nil, s3err(ErrInvalidPartOrder)
		}
		cp := data.CompletePart{Number: n, ETag: trimETag(*p.ETag)}
		for _, c := range [...]struct {
			alg string
			v   *string
		}{
			{"CRC32", p.ChecksumCRC32}, {"CRC32C", p.ChecksumCRC32C}, {"CRC64NVME", p.ChecksumCRC64NVME},
			{"SHA1", p.ChecksumSHA1}, {"SHA256", p.ChecksumSHA256},
		} {
			if c.v == nil {
				continue
			}
			if cp.Checksums == nil {
				cp.Checksums = make(map[string]string, 1)
			}
			cp.Checksums[c.alg] = strings.TrimSpace(*c.v)
		}
		parts = append(parts, cp)
	}
	return parts, nil
}

// trimETag strips whitespace and the quotes of an entity tag.
func trimETag(s string) string {
	s = strings.TrimSpace(s)
	return strings.TrimSuffix(strings.TrimPrefix(s, `"`), `"`)
}
