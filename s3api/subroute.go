package s3api

// subRoute maps a sub-resource query (?tagging, ?acl, …) to the operation
// of each method; OpUnknown marks a method the sub-resource does not
// support.
type subRoute struct {
	sub           string
	get, put, del OpKind
}

// routeSub sets op.Kind from the first route whose sub-resource the query
// carries. handled is false when it carries none; a method the matching
// sub-resource does not support is MethodNotAllowed.
func routeSub(op *Operation, method string, q query, routes []subRoute) (handled bool, err error) {
	for _, r := range routes {
		if !q.has(r.sub) {
			continue
		}
		kind := OpUnknown
		switch method {
		case "GET":
			kind = r.get
		case "PUT":
			kind = r.put
		case "DELETE":
			kind = r.del
		}
		if kind == OpUnknown {
			return true, s3err(ErrMethodNotAllowed)
		}
		op.Kind = kind
		return true, nil
	}
	return false, nil
}
