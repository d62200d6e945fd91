// Package conformance runs the upstream Gateway API conformance suite
// (sigs.k8s.io/gateway-api/conformance, the version pinned in ../go.mod)
// against a cluster where Switchyard is deployed (`make kind-up deploy`),
// and writes the conformance report YAML.
//
// It needs a cluster, so it only runs when asked:
//
//	cd e2e && go test ./conformance -run-conformance -timeout 90m -v
//
// or `make conformance`. The suite's own flags work as upstream documents them
// (--gateway-class, --conformance-profiles, --supported-features,
// --report-output, --run-test, --skip-tests, ...); this runner only fills in
// Switchyard's defaults for the ones not given. Supported features are read,
// as the suite does by default, from the GatewayClass status, which lists what
// Switchyard's translator implements.
package conformance

import (
	"flag"
	"os"
	"testing"

	"sigs.k8s.io/gateway-api/conformance"
	"sigs.k8s.io/gateway-api/conformance/utils/suite"
)

var runConformance = flag.Bool("run-conformance", false, "run the Gateway API conformance suite against the current kubeconfig context (also SWITCHYARD_CONFORMANCE=1)")

// Defaults for flags the user did not set.
const (
	defaultGatewayClass = "switchyard"
	defaultReportOutput = "conformance-report.yaml"
)

// The profiles Switchyard reports on. GATEWAY-TCP and GATEWAY-UDP bring in
// the TCPRoute and UDPRoute tests.
var defaultProfiles = []suite.ConformanceProfileName{
	suite.GatewayHTTPConformanceProfileName,
	suite.GatewayGRPCConformanceProfileName,
	suite.GatewayTLSConformanceProfileName,
	suite.GatewayTCPConformanceProfileName,
	suite.GatewayUDPConformanceProfileName,
}

func TestConformance(t *testing.T) {
	if !*runConformance && os.Getenv("SWITCHYARD_CONFORMANCE") == "" {
		t.Skip("needs a cluster with Switchyard deployed: run with -run-conformance (or SWITCHYARD_CONFORMANCE=1), e.g. `make conformance`")
	}
	opts := conformance.DefaultOptions(t)
	applySwitchyardDefaults(&opts, explicitFlags())
	conformance.RunConformanceWithOptions(t, opts)
}

// explicitFlags lists the flags given on the command line.
func explicitFlags() map[string]bool {
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// applySwitchyardDefaults fills in what the user left unset.
func applySwitchyardDefaults(opts *suite.ConformanceOptions, set map[string]bool) {
	if !set["gateway-class"] {
		opts.GatewayClassName = defaultGatewayClass
	}
	if !set["conformance-profiles"] {
		opts.ConformanceProfiles = defaultProfiles
	}
	if !set["report-output"] {
		opts.ReportOutputPath = defaultReportOutput
	}
	impl := &opts.Implementation
	if !set["organization"] {
		impl.Organization = "switchyard-dev"
	}
	if !set["project"] {
		impl.Project = "switchyard"
	}
	if !set["url"] {
		impl.URL = "https://github.com/switchyard-dev/switchyard"
	}
	if !set["version"] {
		impl.Version = envOr("SWITCHYARD_VERSION", "dev")
	}
	if !set["contact"] {
		impl.Contact = []string{"@switchyard-dev/maintainers"}
	}
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
