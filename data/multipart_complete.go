package data

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"strconv"
	"strings"

	"github.com/cairn-s3/cairn/meta/objindex"
	sha256 "github.com/minio/sha256-simd"
)

// CompleteMultipartUpload checks the listed parts against the stored ones
// (ascending numbers, ETags and checksums, 5 MiB minimum but for the last),
// then commits one version whose parts are the upload's existing shard
// files — nothing is copied — on a write quorum of the drives holding the
// upload, under the key's lock with pre re-checked (conditional.go).
// Finally the upload's records and the shard files of unlisted parts are
// removed. Its ETag is "<hex md5 of the parts' binary MD5s>-N"; for every
// checksum algorithm all listed parts carry, the version gets the
// composite checksum "<base64 of the checksum of the parts' binary
// checksums>-N".
//
// It is idempotent as in S3: once an upload is completed, completing it
// again with the same parts returns the completed version's info (without
// re-checking pre, which the first completion satisfied); other parts are
// ErrInvalidPart. See completedUpload.
func (s *Store) CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []CompletePart, pre Preconditions) (ObjectInfo, error) {
	if err := checkName(bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	if len(parts) == 0 {
		return ObjectInfo{}, fmt.Errorf("%w: no parts listed", ErrInvalidPart)
	}
	for i, p := range parts {
		if p.Number < 1 || p.Number > MaxPartNumber {
			return ObjectInfo{}, fmt.Errorf("%w: part number %d", ErrInvalidPart, p.Number)
		}
		if i > 0 && p.Number <= parts[i-1].Number {
			return ObjectInfo{}, fmt.Errorf("%w: part %d after part %d", ErrInvalidPartOrder, p.Number, parts[i-1].Number)
		}
	}
	defer s.lockUpload(bucket, key, uploadID)()
	st, err := s.readUpload(ctx, bucket, key, uploadID)
	if err != nil && !errors.Is(err, ErrNoSuchUpload) {
		return ObjectInfo{}, err
	}
	if validUploadID(uploadID) {
		// Also when the upload is still there: a completion whose removal
		// of the upload fell short must not be committed twice.
		if info, done, cerr := s.completedUpload(ctx, bucket, key, uploadID, st, parts); done || cerr != nil {
			return info, cerr
		}
	}
	if err != nil {
		return ObjectInfo{}, err
	}
	if err := s.checkPreconditions(ctx, bucket, key, pre); err != nil {
		return ObjectInfo{}, err
	}
	stored, _, err := s.readParts(ctx, st, 0, 0)
	if err != nil {
		return ObjectInfo{}, err
	}
	rec, degraded, err := completedRecord(st, stored, parts)
	if err != nil {
		return ObjectInfo{}, err
	}
	err = s.commitKey(ctx, bucket, key, pre, func() error {
		rec.ModTime = s.clock.Now() // versions order as they commit
		return s.commitCompletion(ctx, st, rec)
	})
	if err != nil {
		return ObjectInfo{}, err
	}
	if err := s.removeUpload(ctx, st); err != nil {
		// The version is committed; what is left is garbage for healing.
		s.log.Warn("completed upload not fully removed", "bucket", bucket, "key", key, "upload", uploadID, "err", err)
	}
	if degraded || st.holders < s.n {
		s.healer.enqueue(bucket, key)
	}
	info := infoFromRecord(rec)
	info.IsLatest = true
	return info, nil
}

// completedRecord validates the listed parts against the stored ones and
// builds the version's record (ModTime and ShardIndex still unset).
// degraded reports a listed part stored on fewer drives than the upload.
func completedRecord(st *uploadState, stored []partChoice, listed []CompletePart) (rec *objindex.Record, degraded bool, err error) {
	byNum := make(map[int]partChoice, len(stored))
	for _, c := range stored {
		byNum[c.rec.Number] = c
	}
	u := st.rec
	rec = &objindex.Record{
		Bucket: u.Bucket, Key: u.Key, VersionID: objindex.NullVersion,
		Owner: u.Owner, Headers: cloneStrMap(u.Headers),
		PosixUID: cloneU32(u.PosixUID), PosixGID: cloneU32(u.PosixGID),
		DataID: u.DataID, Erasure: u.Erasure,
	}
	if u.Versioned {
		rec.VersionID = newUUID()
	}
	rec.UploadID = u.UploadID // a repeated completion finds the version by it
	setRecordMeta(rec, uploadMeta(u))
	etags := md5.New()
	var tooSmall error
	for i, lp := range listed {
		c, ok := byNum[lp.Number]
		if !ok {
			return nil, false, fmt.Errorf("%w: part %d of %s was not uploaded", ErrInvalidPart, lp.Number, st.ref())
		}
		p := c.rec
		if !strings.EqualFold(strings.Trim(lp.ETag, `"`), p.ETag) {
			return nil, false, fmt.Errorf("%w: part %d of %s has ETag %q, not %q", ErrInvalidPart, lp.Number, st.ref(), p.ETag, lp.ETag)
		}
		for alg, v := range lp.Checksums {
			if v != "" && p.Checksums[alg] != v {
				return nil, false, fmt.Errorf("%w: part %d of %s has %s checksum %q, not %q", ErrInvalidPart, lp.Number, st.ref(), alg, p.Checksums[alg], v)
			}
		}
		// As S3 does, a missing or mismatched part (InvalidPart) is
		// reported before a part that is too small.
		if i < len(listed)-1 && p.Size < MinPartSize && tooSmall == nil {
			tooSmall = fmt.Errorf("%w: part %d of %s is %d bytes", ErrEntityTooSmall, lp.Number, st.ref(), p.Size)
		}
		if bin, err := hex.DecodeString(p.ETag); err == nil {
			etags.Write(bin)
		} else {
			etags.Write([]byte(p.ETag)) // not an MD5 (no Seal): still deterministic
		}
		rec.Size += p.Size
		rec.Parts = append(rec.Parts, objindex.Part{
			Number: p.Number, Size: p.Size, ETag: p.ETag, Checksums: cloneStrMap(p.Checksums), ModTime: p.ModTime, File: p.File,
		})
		degraded = degraded || c.holders < st.holders
	}
	if tooSmall != nil {
		return nil, false, tooSmall
	}
	n := strconv.Itoa(len(listed))
	rec.ETag = hex.EncodeToString(etags.Sum(nil)) + "-" + n
	rec.Checksums, err = compositeChecksums(rec.Parts)
	if err != nil {
		return nil, false, fmt.Errorf("%w: %s: %w", ErrInvalidPart, st.ref(), err)
	}
	return rec, degraded, nil
}

// checksumAlgs are S3's additional checksum algorithms.
var checksumAlgs = []string{"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"}

// crc64NVME is the CRC-64/NVME polynomial, bit-reversed as hash/crc64
// takes it (which applies its all-ones init and final xor).
const crc64NVME = 0x9a6c9329ac4bc9b5

func newChecksum(alg string) hash.Hash {
	switch alg {
	case "CRC32":
		return crc32.NewIEEE()
	case "CRC32C":
		return crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case "CRC64NVME":
		return crc64.New(crc64.MakeTable(crc64NVME))
	case "SHA1":
		return sha1.New()
	case "SHA256":
		return sha256.New()
	}
	return nil
}

// compositeChecksums computes, for every algorithm all parts carry, the
// checksum of the concatenated binary part checksums, as S3 reports a
// multipart object's: base64 with the "-N" suffix.
func compositeChecksums(parts []objindex.Part) (map[string]string, error) {
	var out map[string]string
	for _, alg := range checksumAlgs {
		h := newChecksum(alg)
		all := true
		for _, p := range parts {
			v, ok := p.Checksums[alg]
			if !ok {
				all = false
				break
			}
			bin, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return nil, fmt.Errorf("part %d: bad %s checksum %q: %w", p.Number, alg, v, err)
			}
			h.Write(bin)
		}
		if !all {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[alg] = base64.StdEncoding.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts))
	}
	return out, nil
}

// commitCompletion stores the completed version on every drive holding the
// upload. No files move: the version names the upload's data folder and
// its parts' files, and the drive's index hands the folder from the upload
// to the version. Below the write quorum the commits are reverted, which
// gives the folder back to the upload with all its files, so the
// completion can be retried.
func (s *Store) commitCompletion(ctx context.Context, st *uploadState, rec *objindex.Record) error {
	ctx = context.WithoutCancel(ctx) // a half-done commit must finish or roll back
	_, wq := s.quorums(rec.Erasure.ParityShards)
	committed := make([]bool, s.n)
	errs := make([]error, s.n)
	s.each(func(slot int, d Drive) {
		if st.shard[slot] < 0 {
			errs[slot] = errors.New("upload not on this drive")
			return
		}
		r := rec.Clone()
		r.Erasure.ShardIndex = st.shard[slot]
		if _, err := d.Commit(ctx, "", r); err != nil {
			errs[slot] = err
			return
		}
		committed[slot] = true
	})
	ok := 0
	for _, c := range committed {
		if c {
			ok++
		}
	}
	if ok >= wq {
		return nil
	}
	s.each(func(slot int, d Drive) {
		if committed[slot] {
			if err := d.RevertCompletion(ctx, rec, st.rec.UploadID); err != nil {
				s.log.Warn("cannot revert a failed completion", "bucket", rec.Bucket, "key", rec.Key,
					"upload", st.rec.UploadID, "drive", d.Info().Endpoint, "err", err)
			}
		}
	})
	return fmt.Errorf("%w: %s completed on %d of %d drives, %d needed: %w", ErrWriteQuorum, st.ref(), ok, s.n, wq, s.driveErrors(errs))
}
