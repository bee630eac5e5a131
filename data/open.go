package data

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cairn-s3/cairn/meta/objindex"
)

// LocalOptions configure OpenLocal.
type LocalOptions struct {
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// FS defaults to OSFS.
	FS FS
	// Index tunes each drive's badger DB; the zero value is right for a server.
	Index objindex.Options
	// SetIndex is the erasure set these drives form (0 on a single node).
	SetIndex int
	// TrashGrace is how long shard files of replaced or deleted versions
	// stay readable for GETs already under way; zero means DefaultTrashGrace.
	TrashGrace time.Duration
}

// OpenLocal opens the drive folders of one erasure set, creating folders and
// formatting drives as needed (see planFormats): on first start every drive
// gets a new deployment ID; on restart the formats are verified; an empty
// folder among formatted drives (a replaced or wiped drive) is formatted
// into its free slot and marked Fresh so the store refills it. Drives are
// returned in slot order (Format.DriveIndex), whatever the order of paths.
// A drive of another deployment fails the whole open with ErrDriveForeign.
func OpenLocal(paths []string, opts LocalOptions) ([]Drive, error) {
	if len(paths) == 0 {
		return nil, errors.New("data: no drive paths")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.FS == nil {
		opts.FS = OSFS{}
	}
	if opts.TrashGrace <= 0 {
		opts.TrashGrace = DefaultTrashGrace
	}
	fsys := opts.FS
	seen := map[string]bool{}
	existing := make([]*Format, len(paths))
	for i, p := range paths {
		if seen[p] {
			return nil, fmt.Errorf("data: drive path %s given twice", p)
		}
		seen[p] = true
		if err := fsys.MkdirAll(p, 0o755); err != nil {
			return nil, fmt.Errorf("data: drive %s: %w", p, err)
		}
		fm, err := readFormat(fsys, p)
		switch {
		case err == nil:
			existing[i] = fm
		case isNotExist(err):
			if err := checkEmpty(fsys, p); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("data: drive %s: %w", p, err)
		}
	}
	plan, err := planFormats(paths, existing, opts.SetIndex, newUUID)
	if err != nil {
		return nil, err
	}
	for i, p := range paths {
		if !plan.fresh[i] {
			continue
		}
		if err := writeFormat(fsys, p, plan.formats[i]); err != nil {
			return nil, fmt.Errorf("data: format %s: %w", p, err)
		}
		if !plan.newDeployment {
			opts.Logger.Warn("formatted an empty drive into the deployment; it will be healed",
				"drive", p, "slot", plan.formats[i].DriveIndex)
		}
	}
	drives := make([]Drive, len(paths))
	for slot, pi := range plan.slots {
		// A drive of a brand-new deployment has nothing to heal.
		fresh := plan.fresh[pi] && !plan.newDeployment
		d, err := openLocalDrive(paths[pi], *plan.formats[pi], fresh, fsys, opts.Logger, opts.Index, opts.TrashGrace)
		if err != nil {
			for _, o := range drives[:slot] {
				o.Close()
			}
			return nil, err
		}
		drives[slot] = d
	}
	return drives, nil
}
