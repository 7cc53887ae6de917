module github.com/atlasia-ai/supplychain

go 1.26.8

require (
	github.com/owenrumney/go-sarif/v2 v2.3.3
	gopkg.in/yaml.v3 v3.0.1
)
