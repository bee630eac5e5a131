package data

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"
)

// sameCompletion compares what a Complete answers (the s3api layer builds
// its response from these fields).
func sameCompletion(t *testing.T, what string, got, want ObjectInfo) {
	t.Helper()
	if got.Bucket != want.Bucket || got.Key != want.Key || got.VersionID != want.VersionID || got.ETag != want.ETag ||
		got.Size != want.Size || !got.ModTime.Equal(want.ModTime) || !reflect.DeepEqual(got.Checksums, want.Checksums) ||
		!reflect.DeepEqual(got.Parts, want.Parts) || got.IsLatest != want.IsLatest {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func (e *env) versionCount(bucket string) int {
	e.t.Helper()
	res, err := e.s.ListObjectVersions(context.Background(), bucket, ListVersionsOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(res.Versions)
}

// TestCompleteIsIdempotent: a repeated Complete with the same parts
// answers like the first one, also after a restart and with a precondition
// the completed object now fails; other parts are refused; the upload
// stays gone for every other call.
func TestCompleteIsIdempotent(t *testing.T) {
	for _, versioned := range []bool{false, true} {
		name := map[bool]string{false: "unversioned", true: "versioned"}[versioned]
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, 4, Options{})
			ctx := context.Background()
			u, err := e.s.CreateMultipartUpload(ctx, "b", "k", PutOptions{Versioned: versioned})
			if err != nil {
				t.Fatal(err)
			}
			bodies := [][]byte{randBytes(1, 5*mib), randBytes(2, 300<<10)}
			var parts []PartInfo
			for i, b := range bodies {
				parts = append(parts, e.putPart(u, i+1, b))
			}
			first, err := e.complete(u, parts...)
			if err != nil {
				t.Fatal(err)
			}
			if first.ETag != multipartETag(bodies...) {
				t.Fatalf("first completion %+v", first)
			}
			again, err := e.complete(u, parts...)
			if err != nil {
				t.Fatalf("repeated complete: %v", err)
			}
			sameCompletion(t, "repeated complete", again, first)
			// Quoted, upper-case ETags as SDKs send them, and If-None-Match: *
			// which the completed object now fails: still the same answer.
			quoted := []CompletePart{
				{Number: 1, ETag: `"` + parts[0].ETag + `"`},
				{Number: 2, ETag: `"` + string(bytes.ToUpper([]byte(parts[1].ETag))) + `"`},
			}
			again, err = e.s.CompleteMultipartUpload(ctx, "b", "k", u.UploadID, quoted, Preconditions{IfNoneMatchAny: true})
			if err != nil {
				t.Fatalf("repeated conditional complete: %v", err)
			}
			sameCompletion(t, "repeated conditional complete", again, first)

			e.reopen()
			again, err = e.complete(u, parts...)
			if err != nil {
				t.Fatalf("complete after restart: %v", err)
			}
			sameCompletion(t, "complete after restart", again, first)
			if n := e.versionCount("b"); n != 1 {
				t.Fatalf("%d versions after repeated completions", n)
			}
			e.mustGet("b", "k", bytes.Join(bodies, nil))

			// A different part list: fewer parts, another ETag, another checksum.
			for _, tc := range []struct {
				name  string
				parts []CompletePart
			}{
				{"subset", []CompletePart{{Number: 1, ETag: parts[0].ETag}}},
				{"other etag", []CompletePart{{Number: 1, ETag: parts[0].ETag}, {Number: 2, ETag: parts[0].ETag}}},
				{"other number", []CompletePart{{Number: 1, ETag: parts[0].ETag}, {Number: 3, ETag: parts[1].ETag}}},
				{"other checksum", []CompletePart{{Number: 1, ETag: parts[0].ETag}, {Number: 2, ETag: parts[1].ETag, Checksums: map[string]string{"CRC32": "AAAAAA=="}}}},
			} {
				if _, err := e.s.CompleteMultipartUpload(ctx, "b", "k", u.UploadID, tc.parts, Preconditions{}); !errors.Is(err, ErrInvalidPart) {
					t.Fatalf("complete with %s after completion: %v", tc.name, err)
				}
			}
			if err := e.s.AbortMultipartUpload(ctx, "b", "k", u.UploadID); !errors.Is(err, ErrNoSuchUpload) {
				t.Fatalf("abort after complete: %v", err)
			}
			if _, err := e.s.ListParts(ctx, "b", "k", u.UploadID, 0, 0); !errors.Is(err, ErrNoSuchUpload) {
				t.Fatalf("list parts after complete: %v", err)
			}
			b := []byte("x")
			if _, err := e.s.PutObjectPart(ctx, "b", "k", u.UploadID, 3, bytes.NewReader(b), 1, md5Seal(b)); !errors.Is(err, ErrNoSuchUpload) {
				t.Fatalf("part after complete: %v", err)
			}
			// The abort did not disturb the object; a newer version makes the
			// completed one no longer the latest.
			again, err = e.complete(u, parts...)
			if err != nil {
				t.Fatal(err)
			}
			sameCompletion(t, "complete after abort", again, first)
			if _, err := e.putOpts("b", "k", []byte("newer"), PutOptions{Versioned: versioned}); err != nil {
				t.Fatal(err)
			}
			again, err = e.complete(u, parts...)
			if !versioned {
				// The completed null version was replaced: the upload is gone for good.
				if !errors.Is(err, ErrNoSuchUpload) {
					t.Fatalf("complete after the version was replaced: %+v, %v", again, err)
				}
				return
			}
			want := first
			want.IsLatest = false
			if err != nil {
				t.Fatal(err)
			}
			sameCompletion(t, "complete under a newer version", again, want)
			if _, err := e.s.DeleteObject(ctx, "b", "k", DeleteOptions{VersionID: first.VersionID}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.complete(u, parts...); !errors.Is(err, ErrNoSuchUpload) {
				t.Fatalf("complete after the version was deleted: %v", err)
			}
		})
	}
}

// TestCompleteRetryFinishesRemoval: when a completion committed its
// version but could not remove the upload from enough drives (it stays
// readable), a retry returns the version, commits nothing new, and removes
// the upload.
func TestCompleteRetryFinishesRemoval(t *testing.T) {
	e := newEnv(t, 4, Options{})
	ctx := context.Background()
	u, parts, bodies := e.threeParts("b", "k")
	e.faults[0].failRemoveUpload.Store(true)
	e.faults[1].failRemoveUpload.Store(true)
	first, err := e.complete(u, parts...)
	if err != nil {
		t.Fatal(err)
	}
	e.faults[0].failRemoveUpload.Store(false)
	e.faults[1].failRemoveUpload.Store(false)
	if _, err := e.s.ListParts(ctx, "b", "k", u.UploadID, 0, 0); err != nil {
		t.Fatalf("the upload should still be on two drives: %v", err)
	}
	again, err := e.complete(u, parts...)
	if err != nil {
		t.Fatal(err)
	}
	sameCompletion(t, "retry", again, first)
	if _, err := e.s.ListParts(ctx, "b", "k", u.UploadID, 0, 0); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("upload after the retry: %v", err)
	}
	if n := e.versionCount("b"); n != 1 {
		t.Fatalf("%d versions", n)
	}
	for slot := range 4 {
		if files := shardFiles(t, e.drivePath(slot)); len(files) != 3 {
			t.Fatalf("drive %d holds %v", slot, files)
		}
	}
	// Every drive serves the version: any two suffice.
	e.faults[0].down.Store(true)
	e.faults[1].down.Store(true)
	e.mustGet("b", "k", bytes.Join(bodies, nil))
}
