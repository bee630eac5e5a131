package data

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// HealReport counts what a heal did.
type HealReport struct {
	Objects  int // keys examined
	Versions int // versions examined
	// Healed counts versions rewritten on at least one drive (shards or
	// metadata); Shards the (drive, version) copies written; Meta the
	// copies whose stale metadata (tags, retention, legal hold: an older
	// MetaTime) was replaced by the newest.
	Healed int
	Shards int
	Meta   int
	// Purged counts versions removed because too few drives hold them to
	// ever read them (failed writes), with every drive online.
	Purged int
	// Failed counts versions that could not be healed now.
	Failed int
	// Orphans counts shard folders removed because no record names them.
	Orphans int
	// Uploads counts leftovers of removed multipart uploads purged.
	Uploads int
}

func (r *HealReport) add(o HealReport) {
	r.Objects += o.Objects
	r.Versions += o.Versions
	r.Healed += o.Healed
	r.Shards += o.Shards
	r.Meta += o.Meta
	r.Purged += o.Purged
	r.Failed += o.Failed
	r.Orphans += o.Orphans
	r.Uploads += o.Uploads
}

// HealAll walks every key held by any drive and heals it: missing records
// and shards are rebuilt, corrupt shards rewritten (every shard is read and
// verified), failed writes purged. It is what refills a replaced drive.
// Drives that can (OrphanSweeper) also drop unreferenced shard folders, and
// the leftovers of removed multipart uploads are purged (healUploads).
func (s *Store) HealAll(ctx context.Context) (HealReport, error) {
	var total HealReport
	for _, d := range s.drives {
		if sw, ok := d.(OrphanSweeper); ok {
			n, err := sw.SweepOrphans(ctx, s.purgeGrace)
			if err != nil && ctx.Err() == nil {
				s.log.Warn("orphan sweep failed", "drive", d.Info().Endpoint, "err", err)
			}
			total.Orphans += n
		}
	}
	cursor := objindex.ObjectRef{}
	for {
		pages := make([][]objindex.ObjectRef, s.n)
		more := make([]bool, s.n)
		errs := make([]error, s.n)
		s.each(func(slot int, d Drive) {
			pages[slot], more[slot], errs[slot] = d.Walk(ctx, cursor, 1000)
		})
		if err := ctx.Err(); err != nil {
			return total, err
		}
		// Keys up to the smallest last key of a cut-short page are complete
		// on every drive; the rest waits for the next round.
		var bound *objindex.ObjectRef
		for slot := range pages {
			if errs[slot] == nil && more[slot] {
				last := pages[slot][len(pages[slot])-1]
				if bound == nil || last.Less(*bound) {
					bound = &last
				}
			}
		}
		seen := map[objindex.ObjectRef]bool{}
		var refs []objindex.ObjectRef
		for slot, page := range pages {
			if errs[slot] != nil {
				continue
			}
			for _, r := range page {
				if (bound == nil || !bound.Less(r)) && !seen[r] {
					seen[r] = true
					refs = append(refs, r)
				}
			}
		}
		sort.Slice(refs, func(i, j int) bool { return refs[i].Less(refs[j]) })
		for _, r := range refs {
			rep, err := s.HealObject(ctx, r.Bucket, r.Key)
			if err != nil {
				if ctx.Err() != nil {
					return total, ctx.Err()
				}
				s.log.Warn("heal failed", "bucket", r.Bucket, "key", r.Key, "err", err)
				rep.Failed++
			}
			total.add(rep)
		}
		if bound == nil {
			break
		}
		cursor = *bound
	}
	n, err := s.healUploads(ctx)
	total.Uploads = n
	return total, err
}

// HealObject heals every version of one key. Heals of one key are
// serialized: the heal queue and HealAll may ask for the same key at once.
func (s *Store) HealObject(ctx context.Context, bucket, key string) (HealReport, error) {
	rep := HealReport{Objects: 1}
	if err := checkName(bucket, key); err != nil {
		return rep, err
	}
	defer s.healLocks.lock(objindex.ObjectRef{Bucket: bucket, Key: key})()
	online := make([]bool, s.n)
	var recs []driveRecord
	var mu sync.Mutex
	s.each(func(slot int, d Drive) {
		vs, err := d.Versions(ctx, bucket, key)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			return
		}
		online[slot] = true
		for _, v := range vs {
			recs = append(recs, driveRecord{slot: slot, rec: v})
		}
	})
	answered := 0
	for _, o := range online {
		if o {
			answered++
		}
	}
	if answered < s.readQuorum() {
		return rep, fmt.Errorf("%w: %d of %d drives online", ErrReadQuorum, answered, s.n)
	}
	var errs []error
	nullDone := false
	for _, g := range groupVersions(recs) {
		rep.Versions++
		if len(g.holders) < readable(g.rec) {
			if answered < s.n || s.now().Sub(timeFromHLC(g.rec.ModTime)) < s.purgeGrace {
				// It may become readable once the missing drives return, or
				// be a write still committing.
				rep.Failed++
				continue
			}
			s.purge(ctx, g)
			rep.Purged++
			continue
		}
		if g.rec.VersionID == objindex.NullVersion {
			if nullDone {
				continue // an older null version: the newer one replaces it everywhere
			}
			nullDone = true
		}
		// Metadata first: copies the shard heal rewrites get the newest
		// metadata from g.rec anyway, and a version whose shards cannot be
		// healed now still gets its metadata converged.
		nm, merr := s.healMeta(ctx, g)
		n, err := s.healVersion(ctx, g, online)
		if err = errors.Join(merr, err); err != nil {
			errs = append(errs, err)
			rep.Failed++
		}
		if n > 0 || nm > 0 {
			rep.Healed++
			rep.Shards += n
			rep.Meta += nm
		}
	}
	return rep, errors.Join(errs...)
}

// staleMeta reports whether a holder of g missed a metadata update: its
// copy has an older MetaTime than the newest, which groupVersions put in
// g.rec.
func staleMeta(g versionGroup) bool {
	for _, h := range g.holders {
		if h.rec.MetaTime < g.rec.MetaTime {
			return true
		}
	}
	return false
}

// healMeta pushes a version's newest metadata to the holders whose copy is
// older (a drive that missed UpdateVersionMeta) and returns how many it
// updated. A drive ignores an update older than the one it holds, so a
// heal racing a newer UpdateVersionMeta cannot roll it back; a version
// removed meanwhile (ErrNotFound) needs nothing.
func (s *Store) healMeta(ctx context.Context, g versionGroup) (int, error) {
	if !staleMeta(g) {
		return 0, nil
	}
	r := g.rec
	u := objindex.MetaUpdate{
		Tags: cloneStrMap(r.Tags), RetentionMode: r.RetentionMode, RetainUntil: r.RetainUntil,
		LegalHold: r.LegalHold, ACL: cloneACL(r.ACL), MetaTime: r.MetaTime,
	}
	errs := make([]error, len(g.holders))
	var wg sync.WaitGroup
	for i, h := range g.holders {
		if h.rec.MetaTime >= r.MetaTime {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := s.drives[h.slot]
			if _, err := d.SetVersionMeta(ctx, r.Bucket, r.Key, r.VersionID, r.ModTime, u); err != nil {
				errs[i] = fmt.Errorf("data: heal metadata of %s/%s version %s on %s: %w", r.Bucket, r.Key, r.VersionID, d.Info().Endpoint, err)
			}
		}()
	}
	wg.Wait()
	n := 0
	var failed []error
	for i, h := range g.holders {
		switch {
		case h.rec.MetaTime >= r.MetaTime:
		case errs[i] == nil:
			n++
		case !errors.Is(errs[i], objindex.ErrNotFound):
			failed = append(failed, errs[i])
		}
	}
	if n > 0 {
		s.log.Info("healed stale metadata", "bucket", r.Bucket, "key", r.Key, "version", r.VersionID, "copies", n)
	}
	return n, errors.Join(failed...)
}

// purge removes a version that can never be read from the drives holding it.
func (s *Store) purge(ctx context.Context, g versionGroup) {
	for _, h := range g.holders {
		if _, err := s.drives[h.slot].DeleteVersion(ctx, g.rec.Bucket, g.rec.Key, g.rec.VersionID, g.rec.ModTime); err != nil &&
			!errors.Is(err, objindex.ErrNotFound) {
			s.log.Warn("purge failed", "bucket", g.rec.Bucket, "key", g.rec.Key, "drive", s.drives[h.slot].Info().Endpoint, "err", err)
		}
	}
	s.log.Info("purged unreadable version", "bucket", g.rec.Bucket, "key", g.rec.Key, "version", g.rec.VersionID, "holders", len(g.holders))
}

// healTarget is a drive that must receive a shard of a version.
type healTarget struct{ slot, shard int }

// healVersion verifies every copy of one version and rewrites missing or
// corrupt ones on online drives. It returns the number of copies written.
func (s *Store) healVersion(ctx context.Context, g versionGroup, online []bool) (int, error) {
	rec := g.rec
	holders := g.holders
	if rec.DataID == "" && !rec.DeleteMarker && rec.Size > 0 {
		// Inline shards: fetch them (Versions does not carry them).
		holders = s.withInline(ctx, g)
	}
	bad := map[int]bool{}
	if !rec.DeleteMarker {
		var err error
		if bad, err = s.verifyVersion(ctx, rec, holders); err != nil {
			return 0, err
		}
	}
	isHolder := map[int]bool{}
	used := make([]bool, s.n)
	var good []driveRecord
	var targets []healTarget
	for _, h := range holders {
		isHolder[h.slot] = true
		idx := h.rec.Erasure.ShardIndex
		if idx >= 0 && idx < s.n {
			used[idx] = true
		}
		if bad[h.slot] {
			targets = append(targets, healTarget{slot: h.slot, shard: idx})
		} else {
			good = append(good, h)
		}
	}
	dist := distribution(rec.Bucket, rec.Key, s.n)
	for slot := range s.drives {
		if !online[slot] || isHolder[slot] {
			continue
		}
		idx := dist[slot]
		if used[idx] {
			idx = -1
			for i, u := range used {
				if !u {
					idx = i
					break
				}
			}
			if idx < 0 {
				continue
			}
		}
		used[idx] = true
		targets = append(targets, healTarget{slot: slot, shard: idx})
	}
	if len(targets) == 0 {
		return 0, nil
	}
	return s.rebuild(ctx, rec, good, targets)
}

// withInline re-reads the holders' records with their inline bytes,
// dropping holders whose version changed meanwhile.
func (s *Store) withInline(ctx context.Context, g versionGroup) []driveRecord {
	out := make([]driveRecord, len(g.holders))
	var wg sync.WaitGroup
	for i, h := range g.holders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := s.drives[h.slot].ReadVersion(ctx, g.rec.Bucket, g.rec.Key, g.rec.VersionID, true)
			if err == nil && objindex.SameVersion(r, g.rec) {
				out[i] = driveRecord{slot: h.slot, rec: r}
			}
		}()
	}
	wg.Wait()
	var kept []driveRecord
	for _, h := range out {
		if h.rec != nil {
			kept = append(kept, h)
		}
	}
	return kept
}

// verifyVersion reads every chunk of every holder's shards and returns the
// slots whose shards are missing, short or corrupt.
func (s *Store) verifyVersion(ctx context.Context, rec *objindex.Record, holders []driveRecord) (map[int]bool, error) {
	bad := map[int]bool{}
	o := &object{s: s, rec: rec, holders: holders}
	e := rec.Erasure
	enc, err := s.codecs.get(e.DataShards, e.ParityShards)
	if err != nil {
		return nil, err
	}
	for _, h := range holders {
		if h.rec.DataID == "" && len(h.rec.Inline) != h.rec.InlineSize {
			bad[h.slot] = true
		}
	}
	for i, p := range rec.Parts {
		lay := partLayout{size: p.Size, blockSize: e.BlockSize, k: e.DataShards}
		srcs := o.sources(i)
		for _, src := range srcs {
			if src != nil && bad[src.slot] {
				srcs[src.shard] = nil
			}
		}
		onBad := func(src *shardSource, err error) {
			bad[src.slot] = true
			s.log.Warn("heal: bad shard", "bucket", rec.Bucket, "key", rec.Key, "version", rec.VersionID,
				"drive", s.drives[src.slot].Info().Endpoint, "shard", src.shard, "err", err)
		}
		dec := newBlockDecoder(ctx, lay, e.ParityShards, enc, srcs, 0, lay.blocks(), &s.bufs, onBad)
		for b := int64(0); b < lay.blocks(); b++ {
			if _, err := dec.decode(b, nil, true); err != nil {
				dec.close()
				return bad, fmt.Errorf("data: heal %s/%s: %w", rec.Bucket, rec.Key, err)
			}
		}
		dec.close()
	}
	return bad, nil
}

// rebuild reconstructs the shards of targets from the good holders, writes
// them durably and commits the record on each target.
func (s *Store) rebuild(ctx context.Context, rec *objindex.Record, good []driveRecord, targets []healTarget) (int, error) {
	e := rec.Erasure
	inline := rec.DataID == ""
	stage := ""
	if !inline && !rec.DeleteMarker {
		stage = newDataID()
	}
	sinks := make([]*sink, len(targets))
	for i, t := range targets {
		sinks[i] = &sink{slot: t.slot, shard: t.shard, h: newBitrotHash()}
		if inline {
			sinks[i].mem = &memShardWriter{}
			sinks[i].w = sinks[i].mem
		}
	}
	abort := func() {
		for _, k := range sinks {
			if k.w != nil {
				k.w.Abort()
			}
			if stage != "" {
				s.drives[k.slot].AbortStage(context.WithoutCancel(ctx), stage)
			}
		}
	}
	if !rec.DeleteMarker && rec.Size > 0 {
		enc, err := s.codecs.get(e.DataShards, e.ParityShards)
		if err != nil {
			return 0, err
		}
		o := &object{s: s, rec: rec, holders: good}
		want := make([]bool, s.n)
		for _, t := range targets {
			want[t.shard] = true
		}
		for i, p := range rec.Parts {
			if !inline {
				for _, k := range sinks {
					if k.err == nil {
						k.w, k.err = s.drives[k.slot].CreateShard(ctx, stage, p.FileNumber())
					}
				}
			}
			lay := partLayout{size: p.Size, blockSize: e.BlockSize, k: e.DataShards}
			dec := newBlockDecoder(ctx, lay, e.ParityShards, enc, o.sources(i), 0, lay.blocks(), &s.bufs, o.onBad)
			for b := int64(0); b < lay.blocks(); b++ {
				shards, err := dec.decode(b, want, false)
				if err != nil {
					dec.close()
					abort()
					return 0, fmt.Errorf("data: heal %s/%s: %w", rec.Bucket, rec.Key, err)
				}
				for _, k := range sinks {
					k.writeChunk(shards[k.shard])
				}
			}
			dec.close()
			if !inline {
				for _, k := range sinks {
					if k.err == nil {
						k.err = k.w.Close()
					}
				}
			}
		}
	}
	written := 0
	var errs []error
	for _, k := range sinks {
		d := s.drives[k.slot]
		if k.err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", d.Info().Endpoint, k.err))
			continue
		}
		r := rec.Clone()
		r.Latest = false
		r.Inline = nil
		r.Erasure.ShardIndex = k.shard
		if k.mem != nil {
			r.Inline = k.mem.Bytes()
		}
		if _, err := d.Commit(ctx, stage, r); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", d.Info().Endpoint, err))
			continue
		}
		written++
	}
	if len(errs) > 0 {
		abort()
	}
	return written, errors.Join(errs...)
}
