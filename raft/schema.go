package raft

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	hraft "github.com/hashicorp/raft"
)

// Schema of the Raft store's badger DB (one per node, under Dir/raft.db).
// Every key prefix is declared here once.
//
//	m/schema      layout version of the DB (one byte)
//	l/<index>     a log entry; index as 8 bytes big-endian so keys sort by
//	              index; value in the versioned encoding below
//	s/<key>       a StableStore value, raw bytes as hashicorp/raft gave them
//	              (its own keys: CurrentTerm, LastVoteTerm, LastVoteCand);
//	              SetUint64 values are 8 bytes big-endian
const (
	keySchema    = "m/schema"
	prefixLog    = "l/"
	prefixStable = "s/"
)

// storeSchemaVersion is the DB layout version; a DB of another version is
// refused at open.
const storeSchemaVersion = 1

// logV1 is the encoding version of a log entry value:
//
//	[0]   version (logV1)
//	[1]   hraft.LogType
//	      uvarint term
//	      varint AppendedAt as Unix nanoseconds (0: zero time)
//	      uvarint len(Data), Data
//	      uvarint len(Extensions), Extensions
const logV1 = 1

func logKey(index uint64) []byte {
	k := make([]byte, len(prefixLog)+8)
	copy(k, prefixLog)
	binary.BigEndian.PutUint64(k[len(prefixLog):], index)
	return k
}

func logIndex(key []byte) uint64 {
	return binary.BigEndian.Uint64(key[len(prefixLog):])
}

func stableKey(k []byte) []byte {
	return append([]byte(prefixStable), k...)
}

func encodeLog(l *hraft.Log) []byte {
	b := make([]byte, 0, 2+3*binary.MaxVarintLen64+len(l.Data)+len(l.Extensions)+2*binary.MaxVarintLen32)
	b = append(b, logV1, byte(l.Type))
	b = binary.AppendUvarint(b, l.Term)
	var at int64
	if !l.AppendedAt.IsZero() {
		at = l.AppendedAt.UnixNano()
	}
	b = binary.AppendVarint(b, at)
	b = binary.AppendUvarint(b, uint64(len(l.Data)))
	b = append(b, l.Data...)
	b = binary.AppendUvarint(b, uint64(len(l.Extensions)))
	b = append(b, l.Extensions...)
	return b
}

var errCorruptLog = errors.New("raft: corrupt log entry")

// decodeLog decodes v into l, copying every byte slice: v is only valid
// inside the badger transaction.
func decodeLog(index uint64, v []byte, l *hraft.Log) error {
	if len(v) < 2 || v[0] != logV1 {
		return fmt.Errorf("%w %d: unknown encoding", errCorruptLog, index)
	}
	l.Index = index
	l.Type = hraft.LogType(v[1])
	v = v[2:]
	var n int
	if l.Term, n = binary.Uvarint(v); n <= 0 {
		return fmt.Errorf("%w %d: term", errCorruptLog, index)
	}
	v = v[n:]
	at, n := binary.Varint(v)
	if n <= 0 {
		return fmt.Errorf("%w %d: time", errCorruptLog, index)
	}
	v = v[n:]
	l.AppendedAt = time.Time{}
	if at != 0 {
		l.AppendedAt = time.Unix(0, at)
	}
	var err error
	if l.Data, v, err = readBytes(v); err != nil {
		return fmt.Errorf("%w %d: data: %v", errCorruptLog, index, err)
	}
	if l.Extensions, v, err = readBytes(v); err != nil {
		return fmt.Errorf("%w %d: extensions: %v", errCorruptLog, index, err)
	}
	if len(v) != 0 {
		return fmt.Errorf("%w %d: %d trailing bytes", errCorruptLog, index, len(v))
	}
	return nil
}

// readBytes reads a uvarint-length-prefixed field and returns a copy (nil
// when empty, as hashicorp/raft's own stores return).
func readBytes(v []byte) (field, rest []byte, err error) {
	n, w := binary.Uvarint(v)
	if w <= 0 || n > uint64(len(v)-w) {
		return nil, nil, errors.New("bad length")
	}
	v = v[w:]
	if n > 0 {
		field = append([]byte(nil), v[:n]...)
	}
	return field, v[n:], nil
}
