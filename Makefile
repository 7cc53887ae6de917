# Entry points for people and CI. Every target that needs the Dagger engine
# brings the local toolchain up first (a second run only checks, in seconds).

SHELL := /bin/bash
# Go may be installed but not on PATH (a fresh root shell on Debian).
export PATH := /usr/local/go/bin:$(PATH)
.SHELLFLAGS := -euo pipefail -c
AIRGAP := infra/airgap/toolchain.sh
ENV_FILE := bin/airgap.env
GO_TEST_FLAGS ?= -count=1

.PHONY: toolchain toolchain-status toolchain-down toolchain-clean scan test test-unit test-e2e bench

## toolchain: install and start dockerd, the registry mirror, Trivy's fixture DB and the Dagger engine
toolchain:
	bash $(AIRGAP) up

## toolchain-status: print the state of the toolchain's parts
toolchain-status:
	bash $(AIRGAP) status

## toolchain-down: stop the engine and the mirror; images and caches stay
toolchain-down:
	bash $(AIRGAP) down

## toolchain-clean: remove every container, volume, image and cache the toolchain made
toolchain-clean:
	bash $(AIRGAP) clean

# Where the local toolchain's mirror serves Trivy's DB and checks bundle.
MIRROR := registry.airgap.internal:5000
SCAN_FLAGS ?= --db-repository $(MIRROR)/atlasia/trivy-db-fixture:2 \
	--checks-bundle-repository $(MIRROR)/aquasec/trivy-checks:1 --insecure

## scan: scan the bundled platform, write the reports to ./reports, then apply the gate
# The second call reuses the engine's cached Trivy results: nothing is scanned twice.
scan: toolchain
	source $(ENV_FILE) && dagger call scan-reports $(SCAN_FLAGS) export --path reports && echo
	source $(ENV_FILE) && dagger call scan $(SCAN_FLAGS)

## test: unit tests, then end-to-end tests on the local engine
test: test-unit test-e2e

## test-unit: fast tests with no engine: pipelines/, the backend, the toolchain's programs
test-unit:
	go vet ./... && go test $(GO_TEST_FLAGS) ./...
	cd images/ai-orchestrator && go vet ./... && go test $(GO_TEST_FLAGS) ./...
	cd infra/airgap && go vet ./... && go test $(GO_TEST_FLAGS) ./...

## test-e2e: end-to-end tests through the local Dagger engine: the toolchain, then the module
test-e2e: toolchain
	source $(ENV_FILE) && cd infra/airgap && go test $(GO_TEST_FLAGS) -tags e2e -timeout 30m ./e2e/...
	source $(ENV_FILE) && go test $(GO_TEST_FLAGS) -tags e2e -timeout 60m ./e2e/...

## bench: time builds and scans, cold and warm (results go in docs/benchmarks.md); prunes the engine's cache
bench: toolchain
	bash bench/build.sh
	PRUNE=1 bash bench/scan.sh
