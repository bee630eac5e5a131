package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// ReportVersion is the version of the JSON report. Bump it when a field
// changes meaning; adding fields does not need a bump.
const ReportVersion = 1

// Report is the result of one run, as --json writes it.
type Report struct {
	Version     int       `json:"version"`
	Tool        string    `json:"tool"`
	Started     time.Time `json:"started"`
	Endpoint    string    `json:"endpoint"`
	Bucket      string    `json:"bucket"`
	Prefix      string    `json:"prefix"`
	Operation   Op        `json:"operation"`
	Mix         string    `json:"mix,omitempty"`
	Size        string    `json:"size"`
	Concurrency int       `json:"concurrency"`
	Warmup      float64   `json:"warmup_seconds"`
	// Seconds is the measured wall time (warm-up excluded).
	Seconds float64 `json:"seconds"`
	// Exhausted is set when a delete run ran out of objects early.
	Exhausted bool    `json:"exhausted,omitempty"`
	Machine   Machine `json:"machine"`
	// Ops holds one entry per operation performed, in a fixed order; a
	// mixed run adds a "total" entry.
	Ops     []OpReport `json:"ops"`
	Signing Latency    `json:"signing"`
}

// Machine describes where the load generator ran.
type Machine struct {
	OS       string `json:"os"`
	Arch     string `json:"arch"`
	CPUs     int    `json:"cpus"`
	Hostname string `json:"hostname,omitempty"`
	Go       string `json:"go"`
}

// OpReport is the figures of one operation.
type OpReport struct {
	Op        string  `json:"op"`
	Ops       int64   `json:"ops"`
	Bytes     int64   `json:"bytes"`
	OpsPerSec float64 `json:"ops_per_sec"`
	MiBPerSec float64 `json:"mib_per_sec"`
	// Items is the number of keys listed, for list.
	Items      int64            `json:"items,omitempty"`
	Errors     int64            `json:"errors"`
	ErrorCodes map[string]int64 `json:"error_codes,omitempty"`
	Latency    Latency          `json:"latency"`
	// TTFB is the time to the first body byte, for GETs.
	TTFB *Latency `json:"ttfb,omitempty"`
}

// Latency summarizes a histogram, in milliseconds.
type Latency struct {
	Count uint64  `json:"count"`
	Mean  float64 `json:"mean_ms"`
	Min   float64 `json:"min_ms"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	P999  float64 `json:"p999_ms"`
	Max   float64 `json:"max_ms"`
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Summarize turns a histogram into a Latency.
func Summarize(h *Histogram) Latency {
	return Latency{
		Count: h.Count(), Mean: ms(h.Mean()), Min: ms(h.Min()),
		P50: ms(h.Quantile(0.5)), P90: ms(h.Quantile(0.9)), P99: ms(h.Quantile(0.99)),
		P999: ms(h.Quantile(0.999)), Max: ms(h.Max()),
	}
}

func buildReport(cfg *Config, st *runState, workers []*worker, started time.Time) *Report {
	host, _ := os.Hostname()
	r := &Report{
		Version: ReportVersion, Tool: "cairn bench", Started: started.UTC(),
		Endpoint: cfg.Client.Endpoint, Bucket: cfg.Bucket, Prefix: cfg.Prefix,
		Operation: cfg.Op, Size: cfg.Size.String(), Concurrency: cfg.Concurrency,
		Warmup: cfg.Warmup.Seconds(), Exhausted: st.exhausted.Load(),
		Machine: Machine{OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), Hostname: host, Go: runtime.Version()},
	}
	if cfg.Op == OpMixed {
		r.Mix = cfg.Mix.String()
	}
	if cfg.Op == OpList && cfg.Objects == 0 {
		r.Size = "-" // listing what is there: the size flag played no part
	}
	var end time.Time
	signing := NewHistogram()
	for _, w := range workers {
		if w.end.After(end) {
			end = w.end
		}
		signing.Merge(w.conn.Signing())
	}
	r.Signing = Summarize(signing)
	secs := end.Sub(st.measureStart).Seconds()
	if secs < 0 {
		secs = 0
	}
	r.Seconds = secs
	total := newOpStats(OpPut)
	for _, op := range Ops {
		merged := newOpStats(op)
		seen := false
		for _, w := range workers {
			if s := w.stats[op]; s != nil {
				merged.merge(s)
				seen = true
			}
		}
		if !seen {
			continue
		}
		total.merge(merged)
		r.Ops = append(r.Ops, opReport(string(op), merged, secs))
	}
	if cfg.Op == OpMixed {
		r.Ops = append(r.Ops, opReport("total", total, secs))
	}
	return r
}

func opReport(name string, s *opStats, secs float64) OpReport {
	o := OpReport{Op: name, Ops: s.ops, Bytes: s.bytes, Items: s.items, Errors: s.errors, Latency: Summarize(s.lat)}
	if len(s.errorsByCode) > 0 {
		o.ErrorCodes = s.errorsByCode
	}
	if secs > 0 {
		o.OpsPerSec = float64(s.ops) / secs
		o.MiBPerSec = float64(s.bytes) / secs / (1 << 20)
	}
	if s.ttfb != nil {
		t := Summarize(s.ttfb)
		o.TTFB = &t
	}
	return o
}

// Op returns the entry of one operation, or nil.
func (r *Report) Op(name string) *OpReport {
	for i := range r.Ops {
		if r.Ops[i].Op == name {
			return &r.Ops[i]
		}
	}
	return nil
}

// WriteJSON writes r indented.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadReport decodes a report, refusing versions it does not know.
func ReadReport(rd io.Reader) (*Report, error) {
	var r Report
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return nil, fmt.Errorf("decode report: %w", err)
	}
	if r.Version < 1 || r.Version > ReportVersion {
		return nil, fmt.Errorf("report version %d: this cairn reads versions 1 to %d", r.Version, ReportVersion)
	}
	return &r, nil
}

// ReadReportFile reads a report from a file.
func ReadReportFile(path string) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := ReadReport(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// WriteText writes the human-readable report.
func (r *Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "cairn bench %s", r.Operation)
	if r.Mix != "" {
		fmt.Fprintf(w, " (%s)", r.Mix)
	}
	fmt.Fprintf(w, "  size %s  concurrency %d  %.1fs measured", r.Size, r.Concurrency, r.Seconds)
	if r.Warmup > 0 {
		fmt.Fprintf(w, " after %.1fs warm-up", r.Warmup)
	}
	fmt.Fprintf(w, "\nendpoint %s  bucket %s  prefix %q\n", r.Endpoint, r.Bucket, r.Prefix)
	if o := r.Op("list"); o != nil && o.Ops > 0 {
		fmt.Fprintf(w, "list: %.1f keys per page\n", float64(o.Items)/float64(o.Ops))
	}
	if r.Exhausted {
		fmt.Fprintln(w, "note: the run ran out of objects to delete and ended early")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "op\tops\tops/s\tMiB/s\tp50 ms\tp90 ms\tp99 ms\tp99.9 ms\tmax ms\terrors\t")
	for _, o := range r.Ops {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.2f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%d\t\n", o.Op, o.Ops, o.OpsPerSec, o.MiBPerSec,
			o.Latency.P50, o.Latency.P90, o.Latency.P99, o.Latency.P999, o.Latency.Max, o.Errors)
		if o.TTFB != nil {
			fmt.Fprintf(tw, "  ttfb\t\t\t\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t\t\n", o.TTFB.P50, o.TTFB.P90, o.TTFB.P99, o.TTFB.P999, o.TTFB.Max)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, o := range r.Ops {
		codes := make([]string, 0, len(o.ErrorCodes))
		for c := range o.ErrorCodes {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		for _, c := range codes {
			fmt.Fprintf(w, "errors %s %s: %d\n", o.Op, c, o.ErrorCodes[c])
		}
	}
	_, err := fmt.Fprintf(w, "signing: %d signatures, mean %.1f µs, p99 %.1f µs\n",
		r.Signing.Count, r.Signing.Mean*1000, r.Signing.P99*1000)
	return err
}

// Ratio is one compared figure: B / A.
type Ratio struct {
	Op     string  `json:"op"`
	Metric string  `json:"metric"`
	A      float64 `json:"a"`
	B      float64 `json:"b"`
	// Ratio is B/A; 0 when A is 0.
	Ratio float64 `json:"ratio"`
}

// Compare returns B/A for the throughput and latency figures of every
// operation present in both reports, in A's order.
//
// Two single-operation runs of different operations (a put run and a get
// run) are compared with each other, labelled "put→get".
func Compare(a, b *Report) []Ratio {
	var out []Ratio
	cross := len(a.Ops) == 1 && len(b.Ops) == 1 && a.Ops[0].Op != b.Ops[0].Op
	for _, oa := range a.Ops {
		ob := b.Op(oa.Op)
		label := oa.Op
		if cross {
			ob, label = &b.Ops[0], oa.Op+"→"+b.Ops[0].Op
		}
		if ob == nil {
			continue
		}
		for _, m := range []struct {
			name string
			a, b float64
		}{
			{"ops/s", oa.OpsPerSec, ob.OpsPerSec},
			{"MiB/s", oa.MiBPerSec, ob.MiBPerSec},
			{"p50 ms", oa.Latency.P50, ob.Latency.P50},
			{"p99 ms", oa.Latency.P99, ob.Latency.P99},
			{"p99.9 ms", oa.Latency.P999, ob.Latency.P999},
			{"errors", float64(oa.Errors), float64(ob.Errors)},
		} {
			r := Ratio{Op: label, Metric: m.name, A: m.a, B: m.b}
			if m.a != 0 {
				r.Ratio = m.b / m.a
			}
			out = append(out, r)
		}
	}
	return out
}

// WriteCompare prints Compare(a, b) as a table.
func WriteCompare(w io.Writer, a, b *Report) error {
	fmt.Fprintf(w, "A: %s %s size %s c%d (%s)\nB: %s %s size %s c%d (%s)\n",
		a.Operation, a.Endpoint, a.Size, a.Concurrency, a.Started.Format(time.RFC3339),
		b.Operation, b.Endpoint, b.Size, b.Concurrency, b.Started.Format(time.RFC3339))
	ratios := Compare(a, b)
	if len(ratios) == 0 {
		_, err := fmt.Fprintln(w, "no operation in common")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "op\tmetric\tA\tB\tB/A\t")
	for _, r := range ratios {
		ratio := "-"
		if r.A != 0 {
			ratio = fmt.Sprintf("%.3fx", r.Ratio)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", r.Op, r.Metric, num(r.A), num(r.B), ratio)
	}
	return tw.Flush()
}

func num(f float64) string {
	s := fmt.Sprintf("%.3f", f)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}
