//go:build !linux

package data

import "errors"

var errDirectOff = errors.New("direct I/O is not used on this platform")

// setDirect reports false for on: shard files are written through the page
// cache on this platform.
func setDirect(f File, on bool) bool { return !on }
