package bench

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// reference is the nearest-rank quantile of sorted values.
func reference(sorted []int64, q float64) int64 {
	rank := int(math.Ceil(q * float64(len(sorted))))
	rank = max(rank, 1)
	return sorted[rank-1]
}

func TestHistogramQuantilesMatchSortedReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	dists := map[string]func() int64{
		"uniform-ms":  func() int64 { return r.Int64N(int64(10 * time.Millisecond)) },
		"lognormal":   func() int64 { return int64(math.Exp(r.NormFloat64()*1.5 + 13)) },
		"small-exact": func() int64 { return r.Int64N(200) },
		"heavy-tail":  func() int64 { return int64(float64(time.Microsecond) / math.Pow(r.Float64()+1e-9, 0.8)) },
		"two-clusters": func() int64 {
			return []int64{int64(300 * time.Microsecond), int64(2 * time.Second)}[r.IntN(2)] + r.Int64N(1000)
		},
	}
	for name, gen := range dists {
		t.Run(name, func(t *testing.T) {
			// Four workers' histograms merged must equal one over everything.
			parts := []*Histogram{NewHistogram(), NewHistogram(), NewHistogram(), NewHistogram()}
			var all []int64
			for i := range 20000 {
				v := gen()
				all = append(all, v)
				parts[i%4].RecordValue(v)
			}
			h := NewHistogram()
			for _, p := range parts {
				h.Merge(p)
			}
			slices.Sort(all)
			if h.Count() != uint64(len(all)) {
				t.Fatalf("count %d, want %d", h.Count(), len(all))
			}
			for _, q := range []float64{0, 0.01, 0.5, 0.9, 0.99, 0.999, 1} {
				got, want := int64(h.Quantile(q)), reference(all, q)
				if tol := float64(want)/subCount + 1; math.Abs(float64(got-want)) > tol {
					t.Errorf("q%.3f = %d, want %d ± %.0f", q, got, want, tol)
				}
			}
			if int64(h.Max()) != all[len(all)-1] || int64(h.Min()) != all[0] {
				t.Errorf("min/max %d/%d, want %d/%d", h.Min(), h.Max(), all[0], all[len(all)-1])
			}
		})
	}
}

func TestHistogramBucketsCoverEveryValue(t *testing.T) {
	for _, v := range []int64{0, 1, 255, 256, 257, 1 << 20, 1<<40 + 12345, math.MaxInt64} {
		i := bucketOf(v)
		if i < 0 || i >= histBuckets {
			t.Fatalf("bucket of %d is %d, outside [0,%d)", v, i, histBuckets)
		}
		lo, hi := bucketRange(i)
		if v < lo || v > hi {
			t.Errorf("value %d in bucket %d = [%d,%d]", v, i, lo, hi)
		}
	}
	if NewHistogram().Quantile(0.5) != 0 {
		t.Error("empty histogram quantile not 0")
	}
}

func BenchmarkHistogramRecord(b *testing.B) {
	h := NewHistogram()
	for i := range b.N {
		h.RecordValue(int64(i) * 997)
	}
}
