package data

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

const (
	formatFile = "format.json"
	// FormatVersion is the version of the format.json document.
	FormatVersion = 1
	// LayoutVersion is the version of the drive layout (folders, shard
	// file format, index schema) described in doc.go.
	LayoutVersion = 1
)

// Format is the content of a drive's format.json.
type Format struct {
	Version    int    `json:"version"`
	Deployment string `json:"deploymentID"`
	DriveID    string `json:"driveID"`
	SetIndex   int    `json:"setIndex"`
	// DriveIndex is the drive's slot in its set; it decides which drive is
	// which, not the order of the configured paths.
	DriveIndex int `json:"driveIndex"`
	SetDrives  int `json:"setDriveCount"`
	Layout     int `json:"layoutVersion"`
}

func readFormat(fsys FS, root string) (*Format, error) {
	f, err := fsys.OpenFile(filepath.Join(root, formatFile), os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return nil, err
	}
	var fm Format
	if err := json.Unmarshal(b, &fm); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrDriveFormat, root, err)
	}
	if fm.Version != FormatVersion || fm.Layout != LayoutVersion {
		return nil, fmt.Errorf("%w: %s: format version %d layout %d, this build knows %d/%d",
			ErrDriveFormat, root, fm.Version, fm.Layout, FormatVersion, LayoutVersion)
	}
	if fm.Deployment == "" || fm.DriveID == "" {
		return nil, fmt.Errorf("%w: %s: missing deployment or drive ID", ErrDriveFormat, root)
	}
	return &fm, nil
}

// writeFormat writes format.json atomically: tmp file, fsync, rename, fsync dir.
func writeFormat(fsys FS, root string, fm *Format) error {
	b, err := json.MarshalIndent(fm, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(root, formatFile+".tmp")
	f, err := fsys.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := fsys.Rename(tmp, filepath.Join(root, formatFile)); err != nil {
		return err
	}
	return syncDir(fsys, root)
}

// unformattedOK lists what an unformatted drive folder may hold: a
// filesystem's lost+found and a format.json.tmp left by a crash while
// formatting. Anything else may be someone's data.
func unformattedOK(name string) bool { return name == "lost+found" || name == formatFile+".tmp" }

func checkEmpty(fsys FS, root string) error {
	entries, err := fsys.ReadDir(root)
	if err != nil {
		return err
	}
	var foreign []string
	for _, e := range entries {
		if !unformattedOK(e.Name()) {
			foreign = append(foreign, e.Name())
		}
	}
	if len(foreign) > 0 {
		sort.Strings(foreign)
		if len(foreign) > 5 {
			foreign = append(foreign[:5], "…")
		}
		return fmt.Errorf("%w: %s has no %s but holds %s", ErrDriveNotEmpty, root, formatFile, strings.Join(foreign, ", "))
	}
	return nil
}

// formatPlan is the outcome of planFormats: the format of each configured
// path, and for each slot of the set the path index that fills it.
type formatPlan struct {
	formats       []*Format // by path index
	fresh         []bool    // by path index: needs writing (unformatted before)
	slots         []int     // by drive index: path index
	newDeployment bool
}

// planFormats decides the format of every drive of one set from what the
// drives hold now (nil = unformatted and empty). It is pure so every case
// is table-tested:
//   - no drive formatted: a new deployment, slots in path order;
//   - formatted drives must agree on deployment (the majority; a tie is an
//     error), set index and set size, and hold distinct slots; a drive of
//     another deployment is refused with ErrDriveForeign naming its path;
//   - unformatted drives take the free slots in path order and are fresh.
func planFormats(paths []string, existing []*Format, setIndex int, newID func() string) (formatPlan, error) {
	n := len(paths)
	p := formatPlan{formats: make([]*Format, n), fresh: make([]bool, n), slots: make([]int, n)}
	votes := map[string]int{}
	for _, f := range existing {
		if f != nil {
			votes[f.Deployment]++
		}
	}
	deployment, best, tie := "", 0, false
	for d, v := range votes {
		switch {
		case v > best:
			deployment, best, tie = d, v, false
		case v == best:
			tie = true
		}
	}
	if tie {
		return p, fmt.Errorf("%w: drives disagree on the deployment ID with no majority: %s",
			ErrDriveForeign, describeDeployments(paths, existing))
	}
	if deployment == "" {
		deployment = newID()
		p.newDeployment = true
	}
	for i := range p.slots {
		p.slots[i] = -1
	}
	for i, f := range existing {
		if f == nil {
			continue
		}
		switch {
		case f.Deployment != deployment:
			return p, fmt.Errorf("%w: %s belongs to deployment %s, the other drives to %s",
				ErrDriveForeign, paths[i], f.Deployment, deployment)
		case f.SetDrives != n:
			return p, fmt.Errorf("%w: %s was formatted for a set of %d drives, %d are configured",
				ErrDriveFormat, paths[i], f.SetDrives, n)
		case f.SetIndex != setIndex:
			return p, fmt.Errorf("%w: %s belongs to set %d, not %d", ErrDriveFormat, paths[i], f.SetIndex, setIndex)
		case f.DriveIndex < 0 || f.DriveIndex >= n:
			return p, fmt.Errorf("%w: %s has drive index %d outside the set", ErrDriveFormat, paths[i], f.DriveIndex)
		case p.slots[f.DriveIndex] >= 0:
			return p, fmt.Errorf("%w: %s and %s both claim drive index %d (a copied drive?)",
				ErrDriveFormat, paths[p.slots[f.DriveIndex]], paths[i], f.DriveIndex)
		}
		p.slots[f.DriveIndex] = i
		p.formats[i] = f
	}
	free := 0
	for i, f := range existing {
		if f != nil {
			continue
		}
		for p.slots[free] >= 0 {
			free++
		}
		p.slots[free] = i
		p.formats[i] = &Format{
			Version: FormatVersion, Deployment: deployment, DriveID: newID(),
			SetIndex: setIndex, DriveIndex: free, SetDrives: n, Layout: LayoutVersion,
		}
		p.fresh[i] = true
	}
	return p, nil
}

func describeDeployments(paths []string, existing []*Format) string {
	var parts []string
	for i, f := range existing {
		if f != nil {
			parts = append(parts, paths[i]+"="+f.Deployment)
		}
	}
	return strings.Join(parts, ", ")
}

// newUUID returns a random RFC 4122 version-4 UUID string.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newDataID returns 32 random hex characters naming a version's shard directory.
func newDataID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
