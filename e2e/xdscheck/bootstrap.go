package main

import (
	"fmt"
	"io"
	"os"
	"sort"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"sigs.k8s.io/yaml"
)

// checkBootstrap decodes an Envoy bootstrap (YAML or JSON), validates it like
// Envoy does at start, and checks its static references: the ADS cluster and
// every cluster a static listener routes to exist, and every secret named
// without an sds_config is a static secret.
func checkBootstrap(path string, w io.Writer) int {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(w, "PROBLEM %v\nFAIL\n", err)
		return 1
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		fmt.Fprintf(w, "PROBLEM %s: not YAML: %v\nFAIL\n", path, err)
		return 1
	}
	b := &bootstrapv3.Bootstrap{}
	if err := protojson.Unmarshal(js, b); err != nil {
		fmt.Fprintf(w, "PROBLEM %s: not an Envoy v3 bootstrap: %v\nFAIL\n", path, err)
		return 1
	}
	problems := validate(b)
	set := newResourceSet()
	for _, c := range b.GetStaticResources().GetClusters() {
		set[typeCluster][c.GetName()] = c
		if c.GetLoadAssignment() != nil {
			set[typeEndpoint][c.GetName()] = c.GetLoadAssignment()
		}
	}
	for _, l := range b.GetStaticResources().GetListeners() {
		set[typeListener][l.GetName()] = l
	}
	for _, s := range b.GetStaticResources().GetSecrets() {
		set[typeSecret][s.GetName()] = s
	}
	for _, name := range sortedNames(set[typeListener]) {
		r := referencesOf(set[typeListener][name])
		for _, c := range uniq(r.clusters) {
			if _, ok := set[typeCluster][c]; !ok {
				problems = append(problems, fmt.Sprintf("static listener %q refers to cluster %q, which is not a static cluster", name, c))
			}
		}
	}
	// Secrets named without sds_config must be static secrets.
	for _, name := range sortedNames(set[typeCluster]) {
		for _, s := range staticSecretNames(set[typeCluster][name]) {
			if _, ok := set[typeSecret][s]; !ok {
				problems = append(problems, fmt.Sprintf("static cluster %q refers to secret %q, which is not a static secret", name, s))
			}
		}
	}
	for _, g := range b.GetDynamicResources().GetAdsConfig().GetGrpcServices() {
		if c := g.GetEnvoyGrpc().GetClusterName(); c != "" {
			if _, ok := set[typeCluster][c]; !ok {
				problems = append(problems, fmt.Sprintf("ads_config uses cluster %q, which is not a static cluster", c))
			}
		}
	}
	fmt.Fprintf(w, "bootstrap %s\n  clusters   %d\n  listeners  %d\n  secrets    %d\n", path, len(set[typeCluster]), len(set[typeListener]), len(set[typeSecret]))
	sort.Strings(problems)
	for _, p := range problems {
		fmt.Fprintf(w, "PROBLEM %s\n", p)
	}
	if len(problems) > 0 {
		fmt.Fprintln(w, "FAIL")
		return 1
	}
	fmt.Fprintln(w, "OK")
	return 0
}
