// Package logging builds the service's structured JSON logger.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

// FileName is the name of the log file inside the log directory.
const FileName = "ai-orchestrator.log"

// New returns a logger that writes JSON records to stdout and, when dir is not
// empty, appends them to dir/ai-orchestrator.log. The returned function closes
// the log file. It fails when the file cannot be opened.
//
// NOTE: the file is never rotated. In the compose stack it sits on a tmpfs
// with a size limit, so it cannot fill the host disk, but writes to it fail
// once the tmpfs is full. Records still reach stdout then, because stdout is
// written first.
func New(stdout io.Writer, dir string, level slog.Level) (*slog.Logger, func() error, error) {
	options := &slog.HandlerOptions{Level: level}
	if dir == "" {
		return slog.New(slog.NewJSONHandler(stdout, options)), func() error { return nil }, nil
	}

	path := filepath.Join(dir, FileName)
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return nil, nil, fmt.Errorf("open log file: %w; set LOG_DIR to a writable directory, or to an empty value to log to stdout only", err)
	}

	writer := io.MultiWriter(stdout, file)
	return slog.New(slog.NewJSONHandler(writer, options)), file.Close, nil
}
