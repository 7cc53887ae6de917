// Command trivy-fixture-db writes the fixture Trivy vulnerability database of
// package trivyfixture.
//
//	trivy-fixture-db -out CACHE_DIR [-tarball db.tar.gz]
//	trivy-fixture-db -list
//
// It writes CACHE_DIR/db/trivy.db and CACHE_DIR/db/metadata.json, so that
// `trivy --cache-dir CACHE_DIR --skip-db-update` scans with the fixtures.
// With -tarball it also writes the db.tar.gz layer that Trivy pulls with
// --db-repository. Two runs write identical bytes. -list prints the
// advisory table as tab-separated values with a header line, for scripts
// that check scan results.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/atlasia-ai/supplychain/infra/airgap/trivyfixture"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("trivy-fixture-db: ")

	out := flag.String("out", "", "Trivy cache directory to write db/trivy.db and db/metadata.json into (required)")
	tarball := flag.String("tarball", "", "path of the db.tar.gz to write for an OCI database artifact (optional)")
	list := flag.Bool("list", false, "print the advisory table as tab-separated values and exit")
	flag.Parse()

	if *list {
		printTable(os.Stdout)
		return
	}
	if *out == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}

	dbDir := filepath.Join(*out, "db")
	if err := trivyfixture.WriteDB(dbDir); err != nil {
		log.Fatalf("write fixture database into %s: %v", dbDir, err)
	}
	log.Printf("wrote %s and %s", filepath.Join(dbDir, trivyfixture.DBFileName), filepath.Join(dbDir, trivyfixture.MetadataFileName))

	if *tarball != "" {
		if err := writeTarball(*tarball, dbDir); err != nil {
			log.Fatalf("write %s: %v", *tarball, err)
		}
		log.Printf("wrote %s", *tarball)
	}
}

// writeTarball writes the tarball next to its final path and renames it, so
// that an interrupted run never leaves a truncated db.tar.gz behind.
func writeTarball(path, dbDir string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())

	if err := trivyfixture.WriteTarball(tmp, dbDir); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp.Name(), err)
	}
	return os.Rename(tmp.Name(), path)
}

// printTable writes one line per advisory. Columns are separated by tabs
// because bucket names contain spaces. An empty cell is written as "-".
func printTable(w io.Writer) {
	fmt.Fprintln(w, "ID\tBUCKET\tPACKAGE\tSEVERITY\tSTATUS\tFIXED_VERSION\tVULNERABLE_VERSIONS\tEXPECT_MATCH")
	for _, adv := range trivyfixture.Advisories() {
		fields := []string{
			adv.ID, adv.Bucket, adv.Package, adv.Severity, adv.Status,
			adv.FixedVersion, strings.Join(adv.VulnerableVersions, " || "),
			strconv.FormatBool(adv.ExpectMatch),
		}
		for i, f := range fields {
			if f == "" {
				fields[i] = "-"
			}
		}
		fmt.Fprintln(w, strings.Join(fields, "\t"))
	}
}
