package lifecycle

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/meta"
)

// fakeBuckets is a fixed bucket list.
type fakeBuckets struct {
	mu sync.Mutex
	bs []meta.Bucket
}

func (f *fakeBuckets) Buckets() []meta.Bucket {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]meta.Bucket(nil), f.bs...)
}

// fakeObjects is an in-memory version store with S3's delete semantics,
// small pages (to exercise paging) and a call log.
type fakeObjects struct {
	mu       sync.Mutex
	versions map[string][]data.ObjectInfo // bucket/key → newest first
	uploads  map[string][]data.Upload     // bucket → uploads
	page     int
	seq      int
	// order records each version's creation sequence (kept after its
	// deletion) so listings resume positionally.
	order   map[string]int
	now     func() time.Time
	deletes []string
	// failList makes ListObjectVersions fail for this bucket.
	failList string
}

func newFakeObjects(now func() time.Time) *fakeObjects {
	return &fakeObjects{versions: map[string][]data.ObjectInfo{}, uploads: map[string][]data.Upload{}, order: map[string]int{}, page: 2, now: now}
}

func (f *fakeObjects) add(bucket string, v data.ObjectInfo) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v.Bucket = bucket
	k := bucket + "/" + v.Key
	f.seq++
	if v.VersionID == "" {
		v.VersionID = fmt.Sprintf("v%03d", f.seq)
	}
	f.order[k+"\x00"+v.VersionID] = f.seq
	f.versions[k] = append([]data.ObjectInfo{v}, f.versions[k]...)
}

func (f *fakeObjects) keys(bucket string) []string {
	var ks []string
	for k := range f.versions {
		if b, key, _ := cut(k); b == bucket && len(f.versions[k]) > 0 {
			ks = append(ks, key)
		}
	}
	sort.Strings(ks)
	return ks
}

func cut(k string) (string, string, bool) {
	for i := 0; i < len(k); i++ {
		if k[i] == '/' {
			return k[:i], k[i+1:], true
		}
	}
	return k, "", false
}

// state renders a bucket's versions as "key:id[M]" lists, newest first.
func (f *fakeObjects) state(bucket string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, k := range f.keys(bucket) {
		s := k + ":"
		for i, v := range f.versions[bucket+"/"+k] {
			if i > 0 {
				s += ","
			}
			s += v.VersionID
			if v.DeleteMarker {
				s += "M"
			}
		}
		out = append(out, s)
	}
	return out
}

func (f *fakeObjects) ListObjectVersions(ctx context.Context, bucket string, opts data.ListVersionsOptions) (data.ListVersionsResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if bucket == f.failList {
		return data.ListVersionsResult{}, fmt.Errorf("fake: listing %s failed", bucket)
	}
	var all []data.ObjectInfo
	for _, k := range f.keys(bucket) {
		for i, v := range f.versions[bucket+"/"+k] {
			v.IsLatest = i == 0
			all = append(all, v)
		}
	}
	// Resume strictly after (KeyMarker, VersionIDMarker), positionally:
	// the marker version may have been deleted.
	// A version marker that no longer exists resumes at the key's first
	// version, as data.Store does.
	start := 0
	if opts.KeyMarker != "" {
		mk, markerExists := f.order[bucket+"/"+opts.KeyMarker+"\x00"+opts.VersionIDMarker], false
		for _, v := range f.versions[bucket+"/"+opts.KeyMarker] {
			markerExists = markerExists || v.VersionID == opts.VersionIDMarker
		}
		start = len(all)
		for i, v := range all {
			if v.Key > opts.KeyMarker || (v.Key == opts.KeyMarker && opts.VersionIDMarker != "" &&
				(!markerExists || f.order[bucket+"/"+v.Key+"\x00"+v.VersionID] < mk)) {
				start = i
				break
			}
		}
	}
	end := min(start+f.page, len(all))
	res := data.ListVersionsResult{Versions: all[start:end], IsTruncated: end < len(all)}
	if res.IsTruncated {
		last := all[end-1]
		res.NextKeyMarker, res.NextVersionIDMarker = last.Key, last.VersionID
	}
	return res, nil
}

func (f *fakeObjects) DeleteObject(ctx context.Context, bucket, key string, opts data.DeleteOptions) (data.ObjectInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := bucket + "/" + key
	vs := f.versions[k]
	remove := func(i int) error {
		if opts.Guard != nil {
			if err := opts.Guard(vs[i]); err != nil {
				return err
			}
		}
		f.versions[k] = append(vs[:i:i], vs[i+1:]...)
		return nil
	}
	marker := func(id string) {
		f.seq++
		if id == "" {
			id = fmt.Sprintf("v%03d", f.seq)
		}
		m := data.ObjectInfo{Bucket: bucket, Key: key, VersionID: id, DeleteMarker: true, ModTime: f.now()}
		f.order[k+"\x00"+id] = f.seq
		f.versions[k] = append([]data.ObjectInfo{m}, f.versions[k]...)
	}
	switch {
	case opts.VersionID != "":
		f.deletes = append(f.deletes, "version "+key+" "+opts.VersionID)
		for i, v := range vs {
			if v.VersionID == opts.VersionID {
				return v, remove(i)
			}
		}
		return data.ObjectInfo{}, data.ErrVersionNotFound
	case opts.Versioned:
		f.deletes = append(f.deletes, "marker "+key)
		marker("")
	case opts.Suspended:
		f.deletes = append(f.deletes, "null-marker "+key)
		for i, v := range vs {
			if v.VersionID == "null" {
				if err := remove(i); err != nil {
					return data.ObjectInfo{}, err
				}
				break
			}
		}
		marker("null")
	default:
		return data.ObjectInfo{}, fmt.Errorf("fake: unversioned delete without a version ID")
	}
	return data.ObjectInfo{}, nil
}

func (f *fakeObjects) ListMultipartUploads(ctx context.Context, bucket string, opts data.ListUploadsOptions) (data.ListUploadsResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	us := f.uploads[bucket]
	start := 0
	if opts.KeyMarker != "" {
		start = len(us)
		for i, u := range us {
			if u.Key > opts.KeyMarker || (u.Key == opts.KeyMarker && u.UploadID > opts.UploadIDMarker) {
				start = i
				break
			}
		}
	}
	end := min(start+f.page, len(us))
	res := data.ListUploadsResult{Uploads: append([]data.Upload(nil), us[start:end]...), IsTruncated: end < len(us)}
	if res.IsTruncated {
		res.NextKeyMarker, res.NextUploadIDMarker = us[end-1].Key, us[end-1].UploadID
	}
	return res, nil
}

func (f *fakeObjects) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	us := f.uploads[bucket]
	for i, u := range us {
		if u.Key == key && u.UploadID == uploadID {
			f.uploads[bucket] = append(us[:i:i], us[i+1:]...)
			return nil
		}
	}
	return data.ErrNoSuchUpload
}
