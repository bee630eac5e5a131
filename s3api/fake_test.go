package s3api

import (
	"bytes"
	"context"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cairn-s3/cairn/data"
	"github.com/cairn-s3/cairn/meta"
)

// memBuckets is an in-memory Buckets for tests.
type memBuckets struct {
	mu sync.Mutex
	m  map[string]meta.Bucket
}

func newMemBuckets() *memBuckets { return &memBuckets{m: map[string]meta.Bucket{}} }

func (b *memBuckets) Bucket(name string) (meta.Bucket, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.m[name]
	return v, ok
}

func (b *memBuckets) Buckets() []meta.Bucket {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]meta.Bucket, 0, len(b.m))
	for _, v := range b.m {
		out = append(out, v)
	}
	return out
}

func (b *memBuckets) CreateBucket(_ context.Context, v meta.Bucket) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.m[v.Name]; ok {
		return meta.ErrBucketExists
	}
	b.m[v.Name] = v
	return nil
}

func (b *memBuckets) DeleteBucket(_ context.Context, name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.m[name]; !ok {
		return meta.ErrNoSuchBucket
	}
	delete(b.m, name)
	return nil
}

func (b *memBuckets) PutBucketVersioning(_ context.Context, name, status string) error {
	return b.update(name, func(v *meta.Bucket) { v.Versioning = status })
}

func (b *memBuckets) SetBucketConfig(_ context.Context, name, kind, value string, del bool) error {
	return b.update(name, func(v *meta.Bucket) {
		c := map[string]string{}
		for k, x := range v.Configs {
			c[k] = x
		}
		if del {
			delete(c, kind)
		} else {
			c[kind] = value
		}
		v.Configs = c
	})
}

func (b *memBuckets) update(name string, fn func(*meta.Bucket)) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.m[name]
	if !ok {
		return meta.ErrNoSuchBucket
	}
	fn(&v)
	b.m[name] = v
	return nil
}

// memObjects is an in-memory Objects for tests. Like the real object
// layer it reads the body to EOF before committing (so payload
// verification failures abort the write) and calls Seal.
type memObjects struct {
	// The multipart and version methods are not faked: tests of those use
	// a real data.Store. Calling one here panics on the nil interface.
	data.MultipartObjects
	mu  sync.Mutex
	now func() time.Time
	m   map[string]map[string]memObject
}

type memObject struct {
	info data.ObjectInfo
	data []byte
}

func newMemObjects(now func() time.Time) *memObjects {
	return &memObjects{now: now, m: map[string]map[string]memObject{}}
}

func (o *memObjects) PutObject(_ context.Context, bucket, key string, body io.Reader, size int64, opts data.PutOptions) (data.ObjectInfo, error) {
	b, err := io.ReadAll(io.LimitReader(body, size+1))
	if err != nil {
		return data.ObjectInfo{}, err
	}
	if int64(len(b)) < size {
		return data.ObjectInfo{}, data.ErrIncompleteBody
	}
	if int64(len(b)) > size {
		return data.ObjectInfo{}, data.ErrBodyTooLong
	}
	info := data.ObjectInfo{
		Bucket: bucket, Key: key, VersionID: "null", IsLatest: true,
		Size: size, ModTime: o.now(), Headers: opts.Headers, Owner: opts.Owner,
		PosixUID: opts.PosixUID, PosixGID: opts.PosixGID,
	}
	if opts.Seal != nil {
		s, err := opts.Seal()
		if err != nil {
			return data.ObjectInfo{}, err
		}
		info.ETag, info.Checksums = s.ETag, s.Checksums
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.m[bucket] == nil {
		o.m[bucket] = map[string]memObject{}
	}
	o.m[bucket][key] = memObject{info: info, data: b}
	return info, nil
}

func (o *memObjects) get(bucket, key string) (memObject, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	v, ok := o.m[bucket][key]
	if !ok {
		return memObject{}, data.ErrObjectNotFound
	}
	return v, nil
}

func (o *memObjects) StatObject(_ context.Context, bucket, key string, _ data.GetOptions) (data.ObjectInfo, error) {
	v, err := o.get(bucket, key)
	return v.info, err
}

func (o *memObjects) OpenObject(_ context.Context, bucket, key string, _ data.GetOptions) (data.Object, error) {
	v, err := o.get(bucket, key)
	if err != nil {
		return nil, err
	}
	return memOpened{v}, nil
}

type memOpened struct{ o memObject }

func (m memOpened) Info() data.ObjectInfo { return m.o.info }

func (m memOpened) Range(_ context.Context, off, n int64) (io.ReadCloser, error) {
	if off < 0 || n < 0 || off+n > int64(len(m.o.data)) {
		return nil, data.ErrInvalidRange
	}
	return io.NopCloser(bytes.NewReader(m.o.data[off : off+n])), nil
}

func (o *memObjects) DeleteObject(_ context.Context, bucket, key string, _ data.DeleteOptions) (data.ObjectInfo, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	v, ok := o.m[bucket][key]
	if !ok {
		return data.ObjectInfo{}, data.ErrObjectNotFound
	}
	delete(o.m[bucket], key)
	return v.info, nil
}

func (o *memObjects) ListObjects(_ context.Context, bucket string, opts data.ListOptions) (data.ListResult, error) {
	o.mu.Lock()
	keys := make([]string, 0, len(o.m[bucket]))
	for k := range o.m[bucket] {
		keys = append(keys, k)
	}
	objs := o.m[bucket]
	o.mu.Unlock()
	sort.Strings(keys)
	var res data.ListResult
	seen := map[string]bool{}
	for _, k := range keys {
		if !strings.HasPrefix(k, opts.Prefix) || k <= opts.After {
			continue
		}
		if opts.Delimiter != "" {
			if i := strings.Index(k[len(opts.Prefix):], opts.Delimiter); i >= 0 {
				cp := k[:len(opts.Prefix)+i+len(opts.Delimiter)]
				if cp <= opts.After || seen[cp] {
					continue
				}
				if len(res.Objects)+len(res.CommonPrefixes) == opts.MaxKeys {
					res.IsTruncated = true
					break
				}
				seen[cp] = true
				res.CommonPrefixes = append(res.CommonPrefixes, cp)
				res.NextAfter = cp
				continue
			}
		}
		if len(res.Objects)+len(res.CommonPrefixes) == opts.MaxKeys {
			res.IsTruncated = true
			break
		}
		res.Objects = append(res.Objects, objs[k].info)
		res.NextAfter = k
	}
	return res, nil
}

func (o *memObjects) BucketEmpty(_ context.Context, bucket string) (bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.m[bucket]) == 0, nil
}
