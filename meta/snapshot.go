package meta

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/dgraph-io/badger/v4"
)

// Snapshot stream format, version 1:
//
//	magic      "cairn-meta-snapshot\n"
//	version    1 byte (snapshotV1)
//	applied    uint64 big-endian: LastApplied of the state captured
//	records    per record: uvarint key length (>0), key, uvarint value
//	           length, value — raw DB records of the data prefixes, in key
//	           order, values in their own versioned encodings
//	end        uvarint 0
//	count      uvarint number of records
//	crc        uint32 big-endian CRC-32C of every byte before it
//
// Records are copied verbatim, so a snapshot carries each record's own
// encoding version and a later release migrates them the same way it
// migrates its DB.
const (
	snapshotMagic = "cairn-meta-snapshot\n"
	snapshotV1    = 1
	maxKeyLen     = 65000 // badger's limit
	maxValueLen   = 64 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Snapshot is a consistent, point-in-time view of the state for streaming.
// Taking one is cheap (a badger read transaction); writing it does not block
// Apply. Release it when done.
type Snapshot struct {
	s       *State
	txn     *badger.Txn
	applied uint64
	gen     uint64 // State.gen when taken
}

// Snapshot captures the state as of LastApplied. It fails if the state has
// failed: its DB would be behind the index the caller believes applied.
func (s *State) Snapshot() (*Snapshot, error) {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	if err := s.writable(); err != nil {
		return nil, err
	}
	// Under applyMu no commit is in flight, so the read transaction sees
	// exactly the state whose index is mu.applied; and no Restore runs, so
	// gen is stable.
	s.restoreMu.RLock()
	gen := s.gen
	s.restoreMu.RUnlock()
	return &Snapshot{s: s, txn: s.db.NewTransaction(false), applied: s.mu.applied, gen: gen}, nil
}

// Index is the LastApplied the snapshot captured.
func (sn *Snapshot) Index() uint64 { return sn.applied }

// Release frees the snapshot's read transaction. It may be called twice.
func (sn *Snapshot) Release() { sn.txn.Discard() }

// WriteTo streams the snapshot to w in the format above. It fails if the
// state was restored since the snapshot was taken (the read transaction no
// longer sees a consistent DB); a Restore waits for streams in progress.
func (sn *Snapshot) WriteTo(w io.Writer) (int64, error) {
	sn.s.restoreMu.RLock()
	defer sn.s.restoreMu.RUnlock()
	if sn.s.gen != sn.gen {
		return 0, errors.New("meta: snapshot invalidated by a restore")
	}
	cw := &countWriter{w: w}
	bw := bufio.NewWriterSize(cw, 64<<10)
	crc := crc32.New(castagnoli)
	out := io.MultiWriter(bw, crc)

	var hdr [len(snapshotMagic) + 1 + 8]byte
	copy(hdr[:], snapshotMagic)
	hdr[len(snapshotMagic)] = snapshotV1
	binary.BigEndian.PutUint64(hdr[len(snapshotMagic)+1:], sn.applied)
	if _, err := out.Write(hdr[:]); err != nil {
		return cw.n, err
	}
	var count uint64
	var num [binary.MaxVarintLen64]byte
	writeBytes := func(b []byte) error {
		if _, err := out.Write(num[:binary.PutUvarint(num[:], uint64(len(b)))]); err != nil {
			return err
		}
		_, err := out.Write(b)
		return err
	}
	for _, p := range dataPrefixes() {
		err := scanPrefix(sn.txn, p, func(key, val []byte) error {
			count++
			if err := writeBytes(key); err != nil {
				return err
			}
			return writeBytes(val)
		})
		if err != nil {
			return cw.n, fmt.Errorf("meta: write snapshot: %w", err)
		}
	}
	if _, err := out.Write(num[:binary.PutUvarint(num[:], 0)]); err != nil {
		return cw.n, err
	}
	if _, err := out.Write(num[:binary.PutUvarint(num[:], count)]); err != nil {
		return cw.n, err
	}
	if err := binary.Write(bw, binary.BigEndian, crc.Sum32()); err != nil {
		return cw.n, err
	}
	if err := bw.Flush(); err != nil {
		return cw.n, fmt.Errorf("meta: write snapshot: %w", err)
	}
	return cw.n, nil
}

// WriteSnapshot streams a consistent snapshot of the whole state to w.
func (s *State) WriteSnapshot(w io.Writer) error {
	sn, err := s.Snapshot()
	if err != nil {
		return err
	}
	defer sn.Release()
	_, err = sn.WriteTo(w)
	return err
}

// SnapshotIndex reads only the header of a snapshot stream and returns the
// LastApplied it captured.
func SnapshotIndex(r io.Reader) (uint64, error) {
	return readSnapshotHeader(r)
}

func readSnapshotHeader(r io.Reader) (uint64, error) {
	var hdr [len(snapshotMagic) + 1 + 8]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, fmt.Errorf("meta: read snapshot header: %w", err)
	}
	if string(hdr[:len(snapshotMagic)]) != snapshotMagic {
		return 0, errors.New("meta: not a cairn meta snapshot")
	}
	if v := hdr[len(snapshotMagic)]; v != snapshotV1 {
		return 0, fmt.Errorf("meta: unknown snapshot version %d", v)
	}
	return binary.BigEndian.Uint64(hdr[len(snapshotMagic)+1:]), nil
}

// Restore replaces the whole state with the snapshot read from r. Apply is
// blocked meanwhile; reads keep serving the old view until the new one is
// complete, then switch at once.
//
// The DB is dropped and rewritten in batches under an m/restoring marker,
// so a crash or a corrupt stream leaves a DB that OpenState recognises as
// incomplete; the state then refuses commands (ErrStateFailed) until a
// later Restore succeeds. A stream whose header is rejected (not a
// snapshot, unknown version) leaves the state untouched.
func (s *State) Restore(r io.Reader) error {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	if s.closed {
		return ErrClosed
	}
	cr := &crcReader{r: bufio.NewReaderSize(r, 64<<10)}
	applied, err := readSnapshotHeader(cr)
	if err != nil {
		return fmt.Errorf("meta: restore: %w", err) // nothing touched yet
	}
	s.restoreMu.Lock()
	s.gen++
	v, err := s.restore(cr, applied)
	s.restoreMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.mu.failed = fmt.Errorf("%w: restore: %w", ErrStateFailed, err)
		return fmt.Errorf("meta: restore: %w", err)
	}
	s.mu.view = v
	s.mu.failed = nil // the DB is now exactly the snapshot's state
	// Problems building the Directory are logged and reported by IAMErr;
	// the state itself is restored.
	_ = s.rebuildDirectory()
	return nil
}

// restore rewrites the DB from the records following the header.
func (s *State) restore(cr *crcReader, applied uint64) (view, error) {
	if err := s.db.DropAll(); err != nil {
		return view{}, fmt.Errorf("drop: %w", err)
	}
	err := s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Set([]byte(keySchema), []byte{schemaVersion}); err != nil {
			return err
		}
		return txn.Set([]byte(keyRestoring), []byte{1})
	})
	if err != nil {
		return view{}, fmt.Errorf("mark restoring: %w", err)
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	var n uint64
	for {
		key, err := cr.readField(maxKeyLen)
		if err != nil {
			return view{}, fmt.Errorf("record %d key: %w", n, err)
		}
		if key == nil {
			break
		}
		if !isDataKey(key) {
			return view{}, fmt.Errorf("record %d: key %q outside the schema", n, key)
		}
		val, err := cr.readField(maxValueLen)
		if err != nil {
			return view{}, fmt.Errorf("record %d value: %w", n, err)
		}
		if err := wb.Set(key, val); err != nil {
			return view{}, fmt.Errorf("record %d: %w", n, err)
		}
		n++
	}
	count, err := binary.ReadUvarint(cr)
	if err != nil {
		return view{}, fmt.Errorf("read record count: %w", err)
	}
	if count != n {
		return view{}, fmt.Errorf("snapshot holds %d records, trailer says %d", n, count)
	}
	sum := cr.sum
	var want uint32
	if err := binary.Read(cr.r, binary.BigEndian, &want); err != nil {
		return view{}, fmt.Errorf("read checksum: %w", err)
	}
	if sum != want {
		return view{}, fmt.Errorf("checksum mismatch: computed %08x, stored %08x", sum, want)
	}
	if err := wb.Flush(); err != nil {
		return view{}, fmt.Errorf("write records: %w", err)
	}
	err = s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Set([]byte(keyApplied), encodeApplied(applied)); err != nil {
			return err
		}
		return txn.Delete([]byte(keyRestoring))
	})
	if err != nil {
		return view{}, fmt.Errorf("finish: %w", err)
	}
	// Decoding everything back validates every record's encoding.
	v, _, err := s.load()
	if err != nil {
		return view{}, err
	}
	if v.applied != applied {
		return view{}, fmt.Errorf("restored applied index %d, snapshot says %d", v.applied, applied)
	}
	return v, nil
}

// crcReader reads through a bufio.Reader and keeps the CRC-32C of every
// byte consumed.
type crcReader struct {
	r   *bufio.Reader
	sum uint32
}

func (c *crcReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.sum = crc32.Update(c.sum, castagnoli, p[:n])
	return n, err
}

func (c *crcReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.sum = crc32.Update(c.sum, castagnoli, []byte{b})
	}
	return b, err
}

// readField reads a length-prefixed field; a zero length returns nil (the
// end marker, for keys).
func (c *crcReader) readField(limit uint64) ([]byte, error) {
	n, err := binary.ReadUvarint(c)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	if n > limit {
		return nil, fmt.Errorf("length %d exceeds %d", n, limit)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(c, b); err != nil {
		return nil, err
	}
	return b, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
