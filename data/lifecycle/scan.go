package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/meta"
)

// listPage is the page size of the worker's listings.
const listPage = 1000

// bucketScan is the state of one bucket's scan.
type bucketScan struct {
	w       *Worker
	bucket  meta.Bucket
	cfg     Configuration
	started time.Time // the scan's clock reading; versions newer than it are left alone
	st      Stats

	// Per-key state of the version walk (versions arrive newest first).
	key        string
	count      int       // versions of key seen
	prevMod    time.Time // creation time of the previous (newer) version
	noncurrent int       // noncurrent versions of key seen
	// last is the position (ModTime, VersionID) of the last version of
	// key visited. A listing whose version marker was deleted meanwhile
	// resumes at the key's first version, repeating versions already seen
	// and showing ones written since (the delete marker just added): only
	// versions after last in listing order (objindex.Newer) are new.
	last data.ObjectInfo
	// pending is a latest delete marker whose key may still show older
	// versions on the next page: it is only version once the key ends.
	pending *data.ObjectInfo
}

func (w *Worker) scanBucket(ctx context.Context, b meta.Bucket, cfg Configuration) (Stats, error) {
	s := &bucketScan{w: w, bucket: b, cfg: cfg, started: w.opts.Now()}
	var versions, uploads bool
	for _, r := range cfg.Rules {
		if !r.Enabled() {
			continue
		}
		versions = versions || r.Expiration != nil || r.NoncurrentVersionExpiration != nil
		uploads = uploads || r.AbortIncompleteMultipartUpload != nil
	}
	var errs []error
	if versions {
		if err := s.walkVersions(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if uploads {
		if err := s.walkUploads(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return s.st, errors.Join(errs...)
}

func (s *bucketScan) walkVersions(ctx context.Context) error {
	opts := data.ListVersionsOptions{MaxKeys: listPage}
	for {
		res, err := s.w.objects.ListObjectVersions(ctx, s.bucket.Name, opts)
		if err != nil {
			return fmt.Errorf("list versions: %w", err)
		}
		for i := range res.Versions {
			if err := s.visit(ctx, res.Versions[i]); err != nil {
				return err
			}
		}
		if !res.IsTruncated {
			break
		}
		if res.NextKeyMarker == opts.KeyMarker && res.NextVersionIDMarker == opts.VersionIDMarker {
			return fmt.Errorf("list versions: no progress after key %q version %q", opts.KeyMarker, opts.VersionIDMarker)
		}
		opts.KeyMarker, opts.VersionIDMarker = res.NextKeyMarker, res.NextVersionIDMarker
	}
	return s.endKey(ctx)
}

// visit evaluates one version of the walk.
func (s *bucketScan) visit(ctx context.Context, v data.ObjectInfo) error {
	if v.Key != s.key || s.count == 0 {
		if err := s.endKey(ctx); err != nil {
			return err
		}
		s.key, s.count, s.noncurrent, s.prevMod = v.Key, 0, 0, time.Time{}
	} else if !listedAfter(v, s.last) {
		return nil
	}
	s.last = v
	s.count++
	// The first version listed of a key is its latest.
	latest := s.count == 1
	if s.count == 2 {
		s.pending = nil // the marker has older versions: not expired
	}
	ev := Version{
		Key: v.Key, Size: v.Size, ModTime: v.ModTime, Tags: v.Meta.Tags,
		IsLatest: latest, DeleteMarker: v.DeleteMarker,
	}
	defer func() { s.prevMod = v.ModTime }()
	switch {
	case latest && v.DeleteMarker:
		s.pending = &v
		return nil
	case !latest:
		ev.NoncurrentSince = s.prevMod
		ev.NewerNoncurrent = s.noncurrent
		s.noncurrent++
	}
	return s.apply(ctx, v, s.cfg.Evaluate(ev, s.started, s.w.opts.DayLength))
}

// listedAfter reports whether version v of a key comes after version last
// of the same key in a versions listing (newest first: by ModTime, then
// version ID, descending).
func listedAfter(v, last data.ObjectInfo) bool {
	if !v.ModTime.Equal(last.ModTime) {
		return v.ModTime.Before(last.ModTime)
	}
	return v.VersionID < last.VersionID
}

// endKey evaluates the pending latest delete marker of the key that ended.
func (s *bucketScan) endKey(ctx context.Context) error {
	p := s.pending
	s.pending = nil
	if p == nil {
		return nil
	}
	ev := Version{Key: p.Key, ModTime: p.ModTime, IsLatest: true, DeleteMarker: true, OnlyVersion: s.count == 1}
	return s.apply(ctx, *p, s.cfg.Evaluate(ev, s.started, s.w.opts.DayLength))
}

// apply performs the action on version v. Refusals (object lock, a
// version changed meanwhile, already gone) are counted as skipped; other
// errors end the bucket's scan.
func (s *bucketScan) apply(ctx context.Context, v data.ObjectInfo, r Result) error {
	if r.Action == ActionNone {
		return nil
	}
	opts := data.DeleteOptions{Guard: s.guard(v)}
	switch r.Action {
	case ActionExpireCurrent:
		switch s.bucket.Versioning {
		case meta.VersioningEnabled:
			opts.Versioned = true
		case meta.VersioningSuspended:
			opts.Suspended = true
		default:
			opts.VersionID = v.VersionID
		}
	default:
		opts.VersionID = v.VersionID
	}
	_, err := s.w.objects.DeleteObject(ctx, s.bucket.Name, v.Key, opts)
	switch {
	case err == nil:
	case errors.Is(err, data.ErrObjectLocked), errors.Is(err, errChanged),
		errors.Is(err, data.ErrVersionNotFound), errors.Is(err, data.ErrObjectNotFound):
		s.st.Skipped++
		s.w.log.Debug("lifecycle action skipped", "bucket", s.bucket.Name, "key", v.Key,
			"version", v.VersionID, "action", r.Action.String(), "rule", r.RuleID, "reason", err)
		return nil
	default:
		s.st.Errors++
		return fmt.Errorf("%s %q version %q: %w", r.Action, v.Key, v.VersionID, err)
	}
	switch {
	case r.Action == ActionExpireCurrent && opts.VersionID == "":
		s.st.MarkersAdded++
	case r.Action == ActionExpireCurrent:
		s.st.Expired++
	case r.Action == ActionExpireNoncurrent:
		s.st.NoncurrentDeleted++
	case r.Action == ActionRemoveMarker:
		s.st.MarkersRemoved++
	}
	s.w.log.Debug("lifecycle action", "bucket", s.bucket.Name, "key", v.Key,
		"version", v.VersionID, "action", r.Action.String(), "rule", r.RuleID)
	return nil
}

// guard refuses to remove a version protected by object lock, a version
// written after the scan started, or — when it is the evaluated version —
// one that changed since it was listed. (Adding a delete marker removes
// nothing, so the object layer does not consult the guard then.)
func (s *bucketScan) guard(evaluated data.ObjectInfo) func(data.ObjectInfo) error {
	return func(info data.ObjectInfo) error {
		if info.Meta.LegalHold {
			return data.ErrObjectLocked
		}
		if info.Meta.Retention.Mode != "" && info.Meta.Retention.Until.After(s.w.opts.Now()) {
			return data.ErrObjectLocked
		}
		if info.ModTime.After(s.started) {
			return errChanged
		}
		if info.VersionID == evaluated.VersionID &&
			(!info.ModTime.Equal(evaluated.ModTime) || info.ETag != evaluated.ETag || info.DeleteMarker != evaluated.DeleteMarker) {
			return errChanged
		}
		return nil
	}
}

func (s *bucketScan) walkUploads(ctx context.Context) error {
	opts := data.ListUploadsOptions{MaxUploads: listPage}
	for {
		res, err := s.w.objects.ListMultipartUploads(ctx, s.bucket.Name, opts)
		if err != nil {
			return fmt.Errorf("list uploads: %w", err)
		}
		for _, u := range res.Uploads {
			rule, ok := s.cfg.AbortUpload(u.Key, u.Initiated, s.started, s.w.opts.DayLength)
			if !ok {
				continue
			}
			err := s.w.objects.AbortMultipartUpload(ctx, s.bucket.Name, u.Key, u.UploadID)
			switch {
			case err == nil:
				s.st.UploadsAborted++
				s.w.log.Debug("lifecycle aborted upload", "bucket", s.bucket.Name, "key", u.Key, "upload", u.UploadID, "rule", rule)
			case errors.Is(err, data.ErrNoSuchUpload):
				s.st.Skipped++
			default:
				s.st.Errors++
				return fmt.Errorf("abort upload %q of %q: %w", u.UploadID, u.Key, err)
			}
		}
		if !res.IsTruncated {
			return nil
		}
		if res.NextKeyMarker == opts.KeyMarker && res.NextUploadIDMarker == opts.UploadIDMarker {
			return fmt.Errorf("list uploads: no progress after key %q upload %q", opts.KeyMarker, opts.UploadIDMarker)
		}
		opts.KeyMarker, opts.UploadIDMarker = res.NextKeyMarker, res.NextUploadIDMarker
	}
}
