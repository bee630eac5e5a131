//go:build !(goexperiment.simd && amd64)

package md5lanes

func available() bool { return false }

func block16(s *[4][16]uint32, w *[16][16]uint32) { panic("md5lanes: no lanes in this build") }
