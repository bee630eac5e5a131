//go:build goexperiment.simd && amd64

package md5lanes

import "simd/archsimd"

func available() bool { return archsimd.X86.AVX512() }
