module github.com/atlasia-ai/supplychain/infra/airgap

go 1.26.8
