//go:build !linux

package data

// diskUsage is not implemented off Linux; health only needs the error.
func diskUsage(string) (DriveStat, error) { return DriveStat{}, nil }
