package bench

import (
	"math"
	"math/bits"
	"time"
)

// Histogram records durations in log-linear buckets, as HDR histograms do:
// values below 2·subCount nanoseconds are exact, and above that every power
// of two is split into subCount equal buckets, so a reported value is within
// 1/subCount (0.8 %) of the true one at any magnitude. A Histogram belongs
// to one goroutine; workers keep their own and Merge them when the run ends,
// which keeps locks out of the measured path.
type Histogram struct {
	counts []uint64
	n      uint64
	sum    float64 // ns; float so long runs cannot overflow
	min    int64
	max    int64
}

const (
	subBits  = 7
	subCount = 1 << subBits
	// Buckets cover every non-negative int64: 2·subCount exact values, then
	// subCount buckets for each shift from 1 to 63-(subBits+1).
	histBuckets = 2*subCount + (63-subBits-1)*subCount
)

// NewHistogram returns an empty histogram (about 58 KiB).
func NewHistogram() *Histogram {
	return &Histogram{counts: make([]uint64, histBuckets), min: math.MaxInt64}
}

func bucketOf(v int64) int {
	if v < 2*subCount {
		return int(v)
	}
	shift := bits.Len64(uint64(v)) - (subBits + 1)
	top := int(v >> shift) // in [subCount, 2·subCount)
	return 2*subCount + (shift-1)*subCount + top - subCount
}

// bucketRange returns the lowest and highest value of bucket i.
func bucketRange(i int) (lo, hi int64) {
	if i < 2*subCount {
		return int64(i), int64(i)
	}
	j := i - 2*subCount
	shift := j/subCount + 1
	top := int64(j%subCount + subCount)
	return top << shift, (top+1)<<shift - 1
}

// Record adds one duration; negative durations count as zero.
func (h *Histogram) Record(d time.Duration) { h.RecordValue(int64(d)) }

// RecordValue adds one value in nanoseconds.
func (h *Histogram) RecordValue(v int64) {
	if v < 0 {
		v = 0
	}
	h.counts[bucketOf(v)]++
	h.n++
	h.sum += float64(v)
	if v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
}

// Merge adds o's values to h.
func (h *Histogram) Merge(o *Histogram) {
	if o == nil || o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	h.min = min(h.min, o.min)
	h.max = max(h.max, o.max)
}

// Count is the number of recorded values.
func (h *Histogram) Count() uint64 { return h.n }

// Max is the largest recorded value (exact), 0 when empty.
func (h *Histogram) Max() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.max)
}

// Min is the smallest recorded value (exact), 0 when empty.
func (h *Histogram) Min() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.min)
}

// Mean is the exact arithmetic mean, 0 when empty.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.n))
}

// Quantile returns the value at quantile q in [0, 1] as the nearest-rank
// definition does (the smallest value with at least q·n values at or below
// it), approximated by the middle of its bucket and clamped to the exact
// minimum and maximum.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, hi := bucketRange(i)
			v := lo + (hi-lo)/2
			return time.Duration(min(max(v, h.min), h.max))
		}
	}
	return time.Duration(h.max)
}
