# Switchyard. `make help` lists the targets.
#
# build, test: this checkout, no cluster needed.
# kind-up, deploy, e2e, conformance: a kind cluster; need Docker, kind,
# kubectl, curl, Go, helm (from PATH, or e2e/bin/helm after npm run build:tools)
# and internet access (images, Gateway API CRDs, MetalLB).
# conformance-local: the same suite on a local cluster without containers
# (e2e/localcluster); needs root (network namespaces), kubectl, Node and Go.

KIND_CLUSTER ?= switchyard
IMAGE ?= switchyard:dev
METALLB_VERSION ?= v0.14.9
export KIND_CLUSTER IMAGE METALLB_VERSION

.PHONY: help build test image kind-up deploy e2e conformance kind-down conformance-local chart-local

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

build: ## install dependencies and compile every package
	npm ci --no-audit --no-fund
	npm run build

test: ## the whole test suite (what .ci/run runs)
	npm ci --no-audit --no-fund
	npm test

image: ## build the controller image $(IMAGE)
	docker build -t $(IMAGE) .

kind-up: ## kind cluster $(KIND_CLUSTER) with MetalLB LoadBalancer addresses
	bash e2e/kind/kind-up.sh

deploy: ## Gateway API CRDs (pinned release), Switchyard from this checkout, GatewayClass switchyard
	bash e2e/kind/deploy.sh

e2e: ## a Gateway and routes on kind, curl through Envoy
	bash e2e/kind/e2e.sh

conformance: ## upstream Gateway API conformance suite; report in e2e/conformance/conformance-report.yaml
	bash e2e/kind/conformance.sh

kind-down: ## delete the kind cluster
	bash e2e/kind/kind-down.sh

conformance-local: ## conformance suite on a local cluster without containers (Envoy stand-in); report in e2e/conformance/conformance-report.yaml
	bash e2e/scripts/conformance-local.sh

chart-local: ## helm install, upgrade and uninstall of charts/switchyard on a local cluster, with a Gateway serving throughout (also run by conformance-local)
	bash e2e/scripts/chart-local.sh
