// Command capture writes the test data of package audit from an image
// tarball, so that the tests run on real images without Docker:
//
//	docker save atlasia/ai-orchestrator:dev -o /tmp/ai-orchestrator.tar
//	go run ./pipelines/audit/internal/capture -o pipelines/audit/testdata/ai-orchestrator /tmp/ai-orchestrator.tar
//
// The output directory gets three files:
//
//   - config.json: the image configuration, as the tarball stores it;
//   - files.jsonl.gz: the merged file system, one imagefs.Entry as JSON per
//     line, sorted by path;
//   - contents.tar.gz: the files whose contents the audit reads
//     (audit.KeepContents), such as /etc/passwd and the dpkg database.
package main

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/atlasia-ai/supplychain/pipelines/audit"
	"github.com/atlasia-ai/supplychain/pipelines/imagefs"
)

func main() {
	out := flag.String("o", "", "output directory, created if missing (required)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: capture -o DIR IMAGE.tar\n\nWrites the audit test data of the image in IMAGE.tar, as docker save writes it, to DIR.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *out == "" || flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}

	if err := capture(flag.Arg(0), *out); err != nil {
		fmt.Fprintf(os.Stderr, "capture: %v\n", err)
		os.Exit(1)
	}
}

func capture(tarball, dir string) error {
	img, err := imagefs.ReadTarball(tarball, imagefs.WithContents(audit.KeepContents))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}

	if err := os.WriteFile(filepath.Join(dir, "config.json"), img.RawConfig(), 0o644); err != nil {
		return err
	}
	files := img.Files()
	if err := writeGzip(filepath.Join(dir, "files.jsonl.gz"), func(w io.Writer) error {
		return writeListing(w, files)
	}); err != nil {
		return err
	}
	return writeGzip(filepath.Join(dir, "contents.tar.gz"), func(w io.Writer) error {
		return writeContents(w, img, files)
	})
}

// writeGzip creates the file name and writes to it, gzip-compressed, what
// write writes.
func writeGzip(name string, write func(io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close()

	zw, err := gzip.NewWriterLevel(f, gzip.BestCompression)
	if err != nil {
		return err
	}
	if err := write(zw); err != nil {
		return fmt.Errorf("writing %q: %w", name, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("writing %q: %w", name, err)
	}
	return f.Close()
}

func writeListing(w io.Writer, files []imagefs.Entry) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, e := range files {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// writeContents writes the kept files as a tar archive with relative names
// and fixed metadata, so that two captures of one image are identical.
func writeContents(w io.Writer, img *imagefs.Image, files []imagefs.Entry) error {
	tw := tar.NewWriter(w)
	for _, e := range files {
		if e.Type != imagefs.TypeRegular || !audit.KeepContents(e.Path) {
			continue
		}
		data, ok := img.File(e.Path)
		if !ok {
			return fmt.Errorf("contents of %q were not kept: is it larger than %d bytes?", e.Path, imagefs.DefaultContentLimit)
		}
		hdr := &tar.Header{
			Name:     strings.TrimPrefix(e.Path, "/"),
			Typeflag: tar.TypeReg,
			Mode:     0o644,
			Size:     int64(len(data)),
			Format:   tar.FormatPAX,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	return tw.Close()
}
