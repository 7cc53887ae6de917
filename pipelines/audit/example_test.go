package audit_test

import (
	"fmt"
	"log"
	"os"

	"github.com/atlasia-ai/supplychain/pipelines/audit"
	"github.com/atlasia-ai/supplychain/pipelines/imagefs"
)

// Audit an image saved with `docker save atlasia/ai-orchestrator:dev -o
// /tmp/ai-orchestrator.tar`, print the report and fail on any finding.
func ExampleRun() {
	img, err := imagefs.ReadTarball("/tmp/ai-orchestrator.tar", imagefs.WithContents(audit.KeepContents))
	if err != nil {
		log.Fatal(err)
	}

	report := audit.Run("atlasia/ai-orchestrator:dev", img)
	if err := audit.WriteText(os.Stdout, report); err != nil {
		log.Fatal(err)
	}
	if err := report.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
