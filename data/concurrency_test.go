package data

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"

	"github.com/cairn-s3/cairn/meta/objindex"
)

func TestConcurrentWritersOneKey(t *testing.T) {
	e := newEnv(t, 4, Options{})
	const writers, rounds = 6, 4
	// Every body any writer will write, so readers can check what they see.
	bodies := map[string][]byte{}
	body := func(w, r int) []byte {
		size := 1000 + w*100 + r // inline
		if (w+r)%2 == 0 {
			size = mib + w*1000 + r // shard files
		}
		return randBytes(int64(w*100+r), size)
	}
	for w := 0; w < writers; w++ {
		for r := 0; r < rounds; r++ {
			b := body(w, r)
			s, _ := md5Seal(b)()
			bodies[s.ETag] = b
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				b := body(w, r)
				if _, err := e.s.PutObject(context.Background(), "b", "hot", bytes.NewReader(b), int64(len(b)), PutOptions{Seal: md5Seal(b)}); err != nil {
					t.Error(err)
					return
				}
				// Readers meanwhile always see one whole version.
				o, err := e.s.OpenObject(context.Background(), "b", "hot", GetOptions{})
				if err != nil {
					t.Error(err)
					return
				}
				rc, err := o.Range(context.Background(), 0, o.Info().Size)
				if err != nil {
					t.Error(err)
					return
				}
				got, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					t.Error(err)
					return
				}
				if want, ok := bodies[o.Info().ETag]; !ok || !bytes.Equal(got, want) {
					t.Error("read returned bytes of no single write")
				}
			}
		}()
	}
	wg.Wait()
	e.s.healer.wait()
	// Every drive converged on the same, newest version.
	var first *objindex.Record
	for slot, d := range e.s.drives {
		vs, err := d.Versions(context.Background(), "b", "hot")
		if err != nil || len(vs) != 1 {
			t.Fatalf("drive %d holds %d versions (%v)", slot, len(vs), err)
		}
		if first == nil {
			first = vs[0]
		} else if !objindex.SameVersion(first, vs[0]) {
			t.Fatalf("drives disagree: %+v vs %+v", first, vs[0])
		}
	}
	got, err := e.get("b", "hot")
	if err != nil || !bytes.Equal(got, bodies[first.ETag]) {
		t.Fatalf("final read does not match the winning version (%v)", err)
	}
	// Replaced versions left no shard files behind.
	for slot := range 4 {
		files := shardFiles(t, e.drivePath(slot))
		want := 1
		if first.DataID == "" {
			want = 0
		}
		if len(files) != want {
			t.Fatalf("drive %d has %d shard files, want %d: %v", slot, len(files), want, files)
		}
	}
}
