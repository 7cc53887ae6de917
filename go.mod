module github.com/atlasia-ai/supplychain

go 1.26.8
