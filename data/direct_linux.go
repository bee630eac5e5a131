package data

import (
	"errors"
	"syscall"
)

var errDirectOff = errors.New("could not switch O_DIRECT off for the unaligned tail")

// setDirect switches O_DIRECT on or off for f. It reports whether f is now
// in the asked mode; files that are not OS files (test filesystems) and
// filesystems without direct I/O (tmpfs) stay buffered.
func setDirect(f File, on bool) bool {
	fd, ok := f.(interface{ Fd() uintptr })
	if !ok {
		return !on
	}
	flags, _, errno := syscall.Syscall(syscall.SYS_FCNTL, fd.Fd(), syscall.F_GETFL, 0)
	if errno != 0 {
		return !on
	}
	if on {
		flags |= syscall.O_DIRECT
	} else {
		flags &^= syscall.O_DIRECT
	}
	if _, _, errno = syscall.Syscall(syscall.SYS_FCNTL, fd.Fd(), syscall.F_SETFL, flags); errno != 0 {
		return !on
	}
	return true
}
