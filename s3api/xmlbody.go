package s3api

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// decodeXMLStrict decodes one XML document into v (whose XMLName fixes the
// root element). Anything but whitespace, comments and processing
// instructions after the root element is MalformedXML, as is any syntax
// error. encoding/xml resolves no external entities, so there is no XXE.
func decodeXMLStrict(body []byte, v any) error {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	if err := d.Decode(v); err != nil {
		return &Error{Code: ErrMalformedXML, Err: err}
	}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return &Error{Code: ErrMalformedXML, Err: err}
		}
		switch t := tok.(type) {
		case xml.Comment, xml.ProcInst:
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return s3err(ErrMalformedXML)
			}
		default:
			return s3err(ErrMalformedXML)
		}
	}
}

// maxDeleteKeys is S3's limit on keys per DeleteObjects request.
const maxDeleteKeys = 1000

// maxDeleteBody bounds a DeleteObjects body: 1000 keys of 1024 bytes,
// escaped, with their version IDs and markup.
const maxDeleteBody = 8 << 20

type deleteObjectsXML struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   *string  `xml:"Quiet"`
	Objects []struct {
		Key       *string `xml:"Key"`
		VersionID string  `xml:"VersionId"`
	} `xml:"Object"`
}

// deleteTarget is one object of a DeleteObjects request.
type deleteTarget struct {
	Key       string
	VersionID string
}

// parseDeleteObjects parses a DeleteObjects body. A document that is not
// well-formed, has no objects or more than 1000, an object without a key,
// or a Quiet that is not a boolean is MalformedXML. Keys are returned as
// given; per-key problems (length, encoding) are reported per key.
func parseDeleteObjects(body []byte) (targets []deleteTarget, quiet bool, err error) {
	var d deleteObjectsXML
	if err := decodeXMLStrict(body, &d); err != nil {
		return nil, false, err
	}
	if d.Quiet != nil {
		switch strings.ToLower(strings.TrimSpace(*d.Quiet)) {
		case "true":
			quiet = true
		case "false":
		default:
			return nil, false, s3errf(ErrMalformedXML, "Quiet must be true or false.")
		}
	}
	if len(d.Objects) == 0 || len(d.Objects) > maxDeleteKeys {
		return nil, false, s3err(ErrMalformedXML)
	}
	targets = make([]deleteTarget, 0, len(d.Objects))
	for _, o := range d.Objects {
		if o.Key == nil || *o.Key == "" {
			return nil, false, s3errf(ErrMalformedXML, "Every Object must have a non-empty Key.")
		}
		targets = append(targets, deleteTarget{Key: *o.Key, VersionID: o.VersionID})
	}
	return targets, quiet, nil
}
