package imagefs

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// entryJSON is the JSON form of an Entry. The mode is the octal string of the
// Unix mode bits, such as "4755", so that listings read like `ls -l`.
type entryJSON struct {
	Path     string    `json:"path"`
	Type     EntryType `json:"type"`
	Mode     string    `json:"mode"`
	UID      int       `json:"uid"`
	GID      int       `json:"gid"`
	Size     int64     `json:"size,omitempty"`
	Linkname string    `json:"linkname,omitempty"`
	Layer    int       `json:"layer"`
}

// MarshalJSON encodes e as an object with the fields path, type, mode (octal
// Unix mode bits as a string, such as "4755"), uid, gid, size (omitted when
// 0), linkname (omitted when empty) and layer.
func (e Entry) MarshalJSON() ([]byte, error) {
	return json.Marshal(entryJSON{
		Path:     e.Path,
		Type:     e.Type,
		Mode:     fmt.Sprintf("%04o", UnixMode(e.Mode)),
		UID:      e.UID,
		GID:      e.GID,
		Size:     e.Size,
		Linkname: e.Linkname,
		Layer:    e.Layer,
	})
}

// UnmarshalJSON decodes the form that MarshalJSON writes. It fails when mode
// is not an octal number of at most 07777.
func (e *Entry) UnmarshalJSON(data []byte) error {
	var j entryJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	bits, err := strconv.ParseUint(j.Mode, 8, 32)
	if err != nil || bits > 0o7777 {
		return fmt.Errorf("entry %q: invalid mode %q: want octal Unix mode bits such as \"0755\"", j.Path, j.Mode)
	}
	*e = Entry{
		Path:     j.Path,
		Type:     j.Type,
		Mode:     FileModeFromUnix(uint32(bits)),
		UID:      j.UID,
		GID:      j.GID,
		Size:     j.Size,
		Linkname: j.Linkname,
		Layer:    j.Layer,
	}
	return nil
}
