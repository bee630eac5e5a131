package data

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPlanFormats(t *testing.T) {
	paths := []string{"/d0", "/d1", "/d2", "/d3"}
	f := func(dep string, idx int) *Format {
		return &Format{Version: 1, Layout: 1, Deployment: dep, DriveID: fmt.Sprint(dep, idx), DriveIndex: idx, SetDrives: 4}
	}
	cases := []struct {
		name      string
		existing  []*Format
		wantErr   error
		errHas    string
		wantSlots []int // path index per slot
		wantFresh []bool
		newDep    bool
	}{
		{name: "all empty", existing: make([]*Format, 4), wantSlots: []int{0, 1, 2, 3},
			wantFresh: []bool{true, true, true, true}, newDep: true},
		{name: "restart", existing: []*Format{f("A", 0), f("A", 1), f("A", 2), f("A", 3)},
			wantSlots: []int{0, 1, 2, 3}, wantFresh: make([]bool, 4)},
		{name: "paths reordered", existing: []*Format{f("A", 2), f("A", 0), f("A", 3), f("A", 1)},
			wantSlots: []int{1, 3, 0, 2}, wantFresh: make([]bool, 4)},
		{name: "one replaced", existing: []*Format{f("A", 0), nil, f("A", 2), f("A", 3)},
			wantSlots: []int{0, 1, 2, 3}, wantFresh: []bool{false, true, false, false}},
		{name: "two replaced take free slots", existing: []*Format{nil, f("A", 0), nil, f("A", 2)},
			wantSlots: []int{1, 0, 3, 2}, wantFresh: []bool{true, false, true, false}},
		{name: "foreign drive", existing: []*Format{f("A", 0), f("A", 1), f("B", 2), f("A", 3)},
			wantErr: ErrDriveForeign, errHas: "/d2"},
		{name: "no majority", existing: []*Format{f("A", 0), f("A", 1), f("B", 2), f("B", 3)},
			wantErr: ErrDriveForeign},
		{name: "duplicate slot", existing: []*Format{f("A", 0), f("A", 0), nil, nil},
			wantErr: ErrDriveFormat, errHas: "/d1"},
		{name: "set size changed", existing: []*Format{{Version: 1, Layout: 1, Deployment: "A", DriveID: "x", SetDrives: 6}, nil, nil, nil},
			wantErr: ErrDriveFormat},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ids := 0
			p, err := planFormats(paths, tc.existing, 0, func() string { ids++; return fmt.Sprint("new", ids) })
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("err %v, want %v mentioning %q", err, tc.wantErr, tc.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(p.slots) != fmt.Sprint(tc.wantSlots) || fmt.Sprint(p.fresh) != fmt.Sprint(tc.wantFresh) || p.newDeployment != tc.newDep {
				t.Fatalf("slots %v fresh %v new %v", p.slots, p.fresh, p.newDeployment)
			}
			dep := p.formats[0].Deployment
			for slot, pi := range p.slots {
				fm := p.formats[pi]
				if fm.DriveIndex != slot || fm.Deployment != dep || fm.SetDrives != 4 {
					t.Fatalf("format of slot %d: %+v", slot, fm)
				}
			}
		})
	}
}

func TestOpenLocalFormats(t *testing.T) {
	root := t.TempDir()
	var paths []string
	for i := range 4 {
		paths = append(paths, filepath.Join(root, fmt.Sprint("d", i)))
	}
	open := func(paths []string) ([]Drive, error) {
		return OpenLocal(paths, LocalOptions{Index: testIndexOptions(), Logger: slog.New(slog.DiscardHandler)})
	}
	closeAll := func(ds []Drive) {
		for _, d := range ds {
			d.Close()
		}
	}
	ds, err := open(paths)
	if err != nil {
		t.Fatal(err)
	}
	dep := ds[0].Info().Format.Deployment
	for i, d := range ds {
		fm := d.Info().Format
		if fm.Deployment != dep || fm.DriveIndex != i || d.Info().Fresh || d.Info().Endpoint != paths[i] {
			t.Fatalf("drive %d: %+v", i, d.Info())
		}
	}
	closeAll(ds)

	// Reordered paths: drives keep their slots.
	rev := []string{paths[3], paths[2], paths[1], paths[0]}
	ds, err = open(rev)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range ds {
		if d.Info().Endpoint != paths[i] {
			t.Fatalf("slot %d is %s", i, d.Info().Endpoint)
		}
	}
	closeAll(ds)

	// A drive of another deployment is refused, naming its path.
	other := t.TempDir()
	var otherPaths []string
	for i := range 4 {
		otherPaths = append(otherPaths, filepath.Join(other, fmt.Sprint("d", i)))
	}
	ds2, err := open(otherPaths)
	if err != nil {
		t.Fatal(err)
	}
	closeAll(ds2)
	mixed := []string{paths[0], paths[1], otherPaths[2], paths[3]}
	if _, err := open(mixed); !errors.Is(err, ErrDriveForeign) || !strings.Contains(err.Error(), otherPaths[2]) {
		t.Fatalf("foreign drive: %v", err)
	}

	// An unformatted folder with someone's files is not formatted over.
	wipe(t, paths[1])
	os.WriteFile(filepath.Join(paths[1], "precious.txt"), []byte("x"), 0o644)
	if _, err := open(paths); !errors.Is(err, ErrDriveNotEmpty) || !strings.Contains(err.Error(), "precious.txt") {
		t.Fatalf("non-empty folder: %v", err)
	}
	os.Remove(filepath.Join(paths[1], "precious.txt"))
	os.Mkdir(filepath.Join(paths[1], "lost+found"), 0o755)
	ds, err = open(paths)
	if err != nil {
		t.Fatal(err)
	}
	if !ds[1].Info().Fresh || ds[1].Info().Format.Deployment != dep || ds[1].Info().Format.DriveIndex != 1 {
		t.Fatalf("wiped drive: %+v", ds[1].Info())
	}
	closeAll(ds)

	// A corrupt format.json is an error, not a reason to reformat.
	os.WriteFile(filepath.Join(paths[2], formatFile), []byte("{nope"), 0o644)
	if _, err := open(paths); !errors.Is(err, ErrDriveFormat) {
		t.Fatalf("corrupt format: %v", err)
	}
}

func TestDriveWipedWhileRunningGoesOffline(t *testing.T) {
	e := newEnv(t, 4, Options{})
	body := randBytes(1, 1000)
	e.put("b", "k", body)
	wipe(t, e.drivePath(2))
	h := e.s.Health(t.Context())
	if h.Online != 3 || !h.Ready || h.Drives[2].Online || h.Drives[2].Error == "" {
		t.Fatalf("health %+v", h)
	}
	// The wiped drive refuses commits instead of acknowledging into the void.
	e.put("b", "k2", body)
	if _, err := e.s.drives[2].ReadVersion(t.Context(), "b", "k2", "", false); err == nil {
		t.Fatal("wiped drive accepted a commit")
	}
	e.mustGet("b", "k", body)
}
