package s3api

import "sync/atomic"

// metrics are the server's counters. They are plain atomics until the
// Prometheus exporter lands; Stats exposes a snapshot.
type metrics struct {
	requests  [opKindCount]atomic.Uint64
	status2xx atomic.Uint64
	status3xx atomic.Uint64
	status4xx atomic.Uint64
	status5xx atomic.Uint64
	bytesIn   atomic.Uint64
	bytesOut  atomic.Uint64
	inFlight  atomic.Int64
}

func (m *metrics) record(op OpKind, status int, in, out int64) {
	if op < 0 || op >= opKindCount {
		op = OpUnknown
	}
	m.requests[op].Add(1)
	switch {
	case status >= 500:
		m.status5xx.Add(1)
	case status >= 400:
		m.status4xx.Add(1)
	case status >= 300:
		m.status3xx.Add(1)
	default:
		m.status2xx.Add(1)
	}
	if in > 0 {
		m.bytesIn.Add(uint64(in))
	}
	if out > 0 {
		m.bytesOut.Add(uint64(out))
	}
}

// Stats is a snapshot of the server's counters.
type Stats struct {
	// Requests counts finished requests by operation name.
	Requests map[string]uint64
	// Responses by status class.
	Status2xx, Status3xx, Status4xx, Status5xx uint64
	// BytesIn counts request body bytes read; BytesOut response body bytes.
	BytesIn, BytesOut uint64
	// InFlight is the number of requests being handled now.
	InFlight int64
}

// Stats returns a snapshot of the server's counters.
func (s *Server) Stats() Stats {
	m := s.stats
	st := Stats{
		Requests:  make(map[string]uint64, opKindCount),
		Status2xx: m.status2xx.Load(),
		Status3xx: m.status3xx.Load(),
		Status4xx: m.status4xx.Load(),
		Status5xx: m.status5xx.Load(),
		BytesIn:   m.bytesIn.Load(),
		BytesOut:  m.bytesOut.Load(),
		InFlight:  m.inFlight.Load(),
	}
	for k := OpKind(0); k < opKindCount; k++ {
		if n := m.requests[k].Load(); n > 0 {
			st.Requests[k.String()] = n
		}
	}
	return st
}
