package adminclient

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// maxPages bounds ListAll so a server that keeps answering IsTruncated
// cannot loop a client forever.
const maxPages = 10000

// ListAll calls a paginated IAM list action until the answer is no longer
// truncated, following Marker, and returns every page's items in order.
// page picks the items and the pagination out of one page's result.
func ListAll[R, T any](ctx context.Context, c *Client, svc Service, action string, params url.Values, page func(*R) ([]T, Pagination)) ([]T, error) {
	p := make(url.Values, len(params)+1)
	for k, v := range params {
		p[k] = v
	}
	var all []T
	seen := map[string]bool{}
	for range maxPages {
		var r R
		if err := c.Do(ctx, svc, action, p, &r); err != nil {
			return nil, err
		}
		items, pg := page(&r)
		all = append(all, items...)
		if !pg.IsTruncated {
			return all, nil
		}
		if pg.Marker == "" || seen[pg.Marker] {
			return nil, fmt.Errorf("%s: server answered IsTruncated without a new Marker", action)
		}
		seen[pg.Marker] = true
		p.Set("Marker", pg.Marker)
	}
	return nil, fmt.Errorf("%s: more than %d pages", action, maxPages)
}

// DecodeDocument returns a policy document as JSON. AWS sends documents
// URL-encoded (RFC 3986) in GetPolicyVersion and Get*Policy; a server that
// sends them plainly is accepted too: a document that already starts with
// '{' is returned unchanged.
func DecodeDocument(doc string) string {
	t := strings.TrimSpace(doc)
	if t == "" || strings.HasPrefix(t, "{") {
		return doc
	}
	if d, err := url.QueryUnescape(t); err == nil {
		return d
	}
	return doc
}
