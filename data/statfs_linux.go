package data

import "syscall"

func diskUsage(path string) (DriveStat, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return DriveStat{}, err
	}
	bs := uint64(st.Bsize)
	return DriveStat{TotalBytes: st.Blocks * bs, FreeBytes: st.Bavail * bs}, nil
}
