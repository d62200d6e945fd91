package conformance

import (
	"testing"

	"sigs.k8s.io/gateway-api/conformance/utils/suite"
)

// The defaults must not override what the user set, and must give a report
// the suite accepts (it refuses to write one for an incomplete Implementation).
func TestApplySwitchyardDefaults(t *testing.T) {
	var opts suite.ConformanceOptions
	applySwitchyardDefaults(&opts, map[string]bool{})
	if opts.GatewayClassName != "switchyard" || opts.ReportOutputPath != "conformance-report.yaml" {
		t.Fatalf("defaults: class %q, report %q", opts.GatewayClassName, opts.ReportOutputPath)
	}
	if len(opts.ConformanceProfiles) != 5 {
		t.Fatalf("profiles: %v", opts.ConformanceProfiles)
	}
	if err := opts.Implementation.Validate(); err != nil {
		t.Fatalf("implementation details: %v", err)
	}

	user := suite.ConformanceOptions{}
	user.GatewayClassName = "mine"
	user.ConformanceProfiles = []suite.ConformanceProfileName{suite.GatewayHTTPConformanceProfileName}
	applySwitchyardDefaults(&user, map[string]bool{"gateway-class": true, "conformance-profiles": true})
	if user.GatewayClassName != "mine" || len(user.ConformanceProfiles) != 1 {
		t.Fatalf("user flags overridden: %q %v", user.GatewayClassName, user.ConformanceProfiles)
	}
}
