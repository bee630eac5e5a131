package bench

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"
)

func sampleReport(opsPerSec, p99 float64) *Report {
	h := NewHistogram()
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	return &Report{
		Version: ReportVersion, Tool: "cairn bench", Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Operation: OpMixed, Mix: "put=1,get=1", Size: "4KiB", Concurrency: 4, Seconds: 2,
		Ops: []OpReport{
			{Op: "put", Ops: 10, OpsPerSec: opsPerSec, MiBPerSec: opsPerSec / 256, Latency: Latency{P50: 1, P99: p99}},
			{Op: "get", Ops: 20, OpsPerSec: 2 * opsPerSec, MiBPerSec: opsPerSec / 128, Latency: Summarize(h),
				TTFB: &Latency{P50: 0.5}, Errors: 2, ErrorCodes: map[string]int64{"SlowDown": 2}},
		},
		Signing: Summarize(h),
	}
}

func TestReportJSONRoundTrip(t *testing.T) {
	r := sampleReport(100, 4)
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadReport(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	_ = r.WriteJSON(&a)
	_ = back.WriteJSON(&b)
	if a.String() != b.String() {
		t.Errorf("round trip differs:\n%s\n%s", a.String(), b.String())
	}
	if back.Op("get").ErrorCodes["SlowDown"] != 2 || back.Op("get").TTFB.P50 != 0.5 {
		t.Errorf("get entry lost fields: %+v", back.Op("get"))
	}
	if got := back.Op("get").Latency.P50; math.Abs(got-0.5) > 0.01 {
		t.Errorf("p50 %.3f ms, want 0.5", got)
	}
}

func TestReadReportRejectsUnknownVersion(t *testing.T) {
	for _, in := range []string{`{"version":0}`, `{"version":99}`, `not json`} {
		if _, err := ReadReport(strings.NewReader(in)); err == nil {
			t.Errorf("ReadReport(%s) accepted", in)
		}
	}
}

func TestCompareRatios(t *testing.T) {
	a, b := sampleReport(100, 4), sampleReport(250, 2)
	b.Ops = b.Ops[:1] // only put in common
	got := map[string]float64{}
	for _, r := range Compare(a, b) {
		got[r.Op+" "+r.Metric] = r.Ratio
	}
	for key, want := range map[string]float64{"put ops/s": 2.5, "put MiB/s": 2.5, "put p99 ms": 0.5, "put p50 ms": 1} {
		if math.Abs(got[key]-want) > 1e-9 {
			t.Errorf("%s ratio %v, want %v", key, got[key], want)
		}
	}
	if _, ok := got["get ops/s"]; ok {
		t.Error("get compared though B has none")
	}
	var out bytes.Buffer
	if err := WriteCompare(&out, a, b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "2.500x") {
		t.Errorf("compare table lacks the ratio:\n%s", out.String())
	}

	// Two single-operation runs of different operations compare crosswise.
	p, g := sampleReport(100, 4), sampleReport(100, 4)
	p.Ops, g.Ops = p.Ops[:1], g.Ops[1:]
	rs := Compare(p, g)
	if len(rs) == 0 || rs[0].Op != "put→get" || math.Abs(rs[0].Ratio-2) > 1e-9 {
		t.Errorf("cross compare %+v", rs)
	}
}

func TestWriteText(t *testing.T) {
	var out bytes.Buffer
	if err := sampleReport(100, 4).WriteText(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"p99.9 ms", "ttfb", "errors get SlowDown: 2", "signing: 1000 signatures"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, out.String())
		}
	}
}
