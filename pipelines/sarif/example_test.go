package sarif_test

import (
	"fmt"
	"log"
	"os"

	"github.com/atlasia-ai/supplychain/pipelines/findings"
	"github.com/atlasia-ai/supplychain/pipelines/sarif"
)

func ExampleMerge() {
	image, err := os.ReadFile("testdata/trivy-image-debian.sarif")
	if err != nil {
		log.Fatal(err)
	}
	compose, err := sarif.FromFindings("compose", sarif.Tool{Name: "atlasia-compose-checks", Version: "0.1.0"}, []findings.Finding{{
		Target: "compose", Class: findings.Misconfiguration, ID: "ATL-CMP-003", Severity: findings.High,
		Title: "Service has a writable root file system", Path: "infra/docker-compose.ai.yml", Line: 118,
	}})
	if err != nil {
		log.Fatal(err)
	}

	report, err := sarif.Merge(
		sarif.TargetLog{Category: sarif.Category("image/debian"), Log: image},
		sarif.TargetLog{Category: "compose/", Runs: []*sarif.Run{compose}},
	)
	if err != nil {
		log.Fatal(err)
	}
	for _, run := range report.Runs {
		fmt.Println(*run.AutomationDetails.ID, run.Tool.Driver.Name, len(run.Tool.Driver.Rules), "rules", len(run.Results), "results")
	}
	// Output:
	// compose/ atlasia-compose-checks 1 rules 1 results
	// image/debian/ Trivy 4 rules 8 results
}
