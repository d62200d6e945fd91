// Command xdscheck is the stand-in for "Envoy accepts this config" where no
// Envoy can run. It either connects to an xDS server as an Envoy node over
// ADS (state of the world or delta), or reads resources from a JSON file, and
// then: decodes every resource into its Envoy Go type, runs the
// protoc-gen-validate rules (ValidateAll, including inside typed_config),
// checks that every reference resolves (RDS names, clusters, EDS assignments,
// SDS secrets), ACKs or NACKs like an Envoy, prints a report, and exits
// non-zero on any problem.
//
//	xdscheck -addr 127.0.0.1:18000 -mode delta -node-cluster ns/gw [-ca ca.pem -cert c.pem -key k.pem]
//	xdscheck -file resources.json
//	xdscheck -bootstrap envoy.yaml
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

type options struct {
	addr, mode, nodeCluster, nodeID string
	ca, cert, key, serverName       string
	timeout                         time.Duration
	file                            string
	expectListeners                 int
	expectClusters                  int
	bootstrap                       string
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	var o options
	fs := flag.NewFlagSet("xdscheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", "", "xDS server address host:port")
	fs.StringVar(&o.mode, "mode", "delta", "ADS variant: sotw or delta")
	fs.StringVar(&o.nodeCluster, "node-cluster", "", "node.cluster (the fleet, \"namespace/name\", in insecure mode)")
	fs.StringVar(&o.nodeID, "node-id", "xdscheck", "node.id")
	fs.StringVar(&o.ca, "ca", "", "CA certificate (PEM) to verify the server; enables TLS")
	fs.StringVar(&o.cert, "cert", "", "client certificate (PEM) naming the fleet")
	fs.StringVar(&o.key, "key", "", "client private key (PEM)")
	fs.StringVar(&o.serverName, "server-name", "", "TLS server name to verify (default: host of -addr)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "how long to wait for the complete configuration")
	fs.StringVar(&o.file, "file", "", "check resources from a JSON or YAML file instead of a server")
	fs.IntVar(&o.expectListeners, "expect-listeners", -1, "fail unless exactly this many listeners arrive")
	fs.IntVar(&o.expectClusters, "expect-clusters", -1, "fail unless exactly this many clusters arrive")
	fs.StringVar(&o.bootstrap, "bootstrap", "", "check an Envoy bootstrap file (YAML or JSON) instead")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if o.bootstrap != "" {
		return checkBootstrap(o.bootstrap, stdout)
	}
	if (o.addr == "") == (o.file == "") {
		fmt.Fprintln(stderr, "xdscheck: give exactly one of -addr, -file or -bootstrap")
		return 2
	}
	if o.mode != "sotw" && o.mode != "delta" {
		fmt.Fprintf(stderr, "xdscheck: -mode must be sotw or delta, got %q\n", o.mode)
		return 2
	}

	var sets []namedSet
	var problems []string
	if o.file != "" {
		var err error
		sets, err = loadFile(o.file)
		if err != nil {
			fmt.Fprintf(stderr, "xdscheck: %v\n", err)
			return 2
		}
	} else {
		s, p, err := fetch(o)
		if err != nil {
			fmt.Fprintf(stderr, "xdscheck: %v\n", err)
			return 1
		}
		sets = []namedSet{{name: o.nodeCluster, set: s.set, decodeProblems: s.decodeProblems}}
		problems = append(problems, p...)
	}

	failed := len(problems) > 0
	for _, p := range problems {
		fmt.Fprintf(stdout, "PROBLEM %s\n", p)
	}
	for _, ns := range sets {
		if report(stdout, ns, o) {
			failed = true
		}
	}
	if failed {
		fmt.Fprintln(stdout, "FAIL")
		return 1
	}
	fmt.Fprintln(stdout, "OK")
	return 0
}

// namedSet is one fleet's resources (a file may hold several fleets).
type namedSet struct {
	name           string
	set            resourceSet
	decodeProblems []string
}

// report prints counts and problems of one set; true when it has problems.
func report(w io.Writer, ns namedSet, o options) bool {
	if ns.name != "" {
		fmt.Fprintf(w, "fleet %s\n", ns.name)
	}
	for _, t := range []string{typeListener, typeRoute, typeCluster, typeEndpoint, typeSecret} {
		fmt.Fprintf(w, "  %-10s %d\n", shortNames[t], len(ns.set[t]))
	}
	problems := append([]string{}, ns.decodeProblems...)
	for _, t := range allTypes {
		for _, name := range sortedNames(ns.set[t]) {
			for _, p := range validate(ns.set[t][name]) {
				problems = append(problems, fmt.Sprintf("%s %q: %s", strings.TrimSuffix(shortNames[t], "s"), name, p))
			}
		}
	}
	problems = append(problems, checkReferences(ns.set)...)
	if o.expectListeners >= 0 && len(ns.set[typeListener]) != o.expectListeners {
		problems = append(problems, fmt.Sprintf("expected %d listeners, got %d", o.expectListeners, len(ns.set[typeListener])))
	}
	if o.expectClusters >= 0 && len(ns.set[typeCluster]) != o.expectClusters {
		problems = append(problems, fmt.Sprintf("expected %d clusters, got %d", o.expectClusters, len(ns.set[typeCluster])))
	}
	sort.Strings(problems)
	for _, p := range problems {
		fmt.Fprintf(w, "PROBLEM %s\n", p)
	}
	return len(problems) > 0
}
