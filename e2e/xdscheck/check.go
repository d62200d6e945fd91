package main

import (
	"fmt"
	"sort"
	"strings"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
)

// invalidBackend is the reserved cluster name the translator points invalid
// backendRefs at. It is never defined; Envoy answers such a share with the
// route's cluster_not_found_response_code, which must then be 500.
const invalidBackend = "switchyard_invalid_backend"

type validator interface{ ValidateAll() error }

// resourceSet is everything one Envoy (fleet) would hold: type URL -> name -> resource.
type resourceSet map[string]map[string]proto.Message

func newResourceSet() resourceSet {
	s := resourceSet{}
	for _, t := range allTypes {
		s[t] = map[string]proto.Message{}
	}
	return s
}

// validate runs the protoc-gen-validate rules Envoy enforces on a resource
// and on every Any nested in it (typed_config), which ValidateAll alone does
// not enter. It returns one line per problem.
func validate(m proto.Message) []string {
	var problems []string
	if v, ok := m.(validator); ok {
		if err := v.ValidateAll(); err != nil {
			problems = append(problems, err.Error())
		}
	}
	walk(m.ProtoReflect(), func(msg protoreflect.Message) {
		a, ok := msg.Interface().(*anypb.Any)
		if !ok {
			return
		}
		inner, err := a.UnmarshalNew()
		if err != nil {
			problems = append(problems, fmt.Sprintf("typed_config %s: %v", a.GetTypeUrl(), err))
			return
		}
		if v, ok := inner.(validator); ok {
			if err := v.ValidateAll(); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", a.GetTypeUrl(), err))
			}
		}
	})
	return problems
}

// walk visits every message reachable from m, decoding Any values on the way.
func walk(m protoreflect.Message, visit func(protoreflect.Message)) {
	visit(m)
	if a, ok := m.Interface().(*anypb.Any); ok {
		if inner, err := a.UnmarshalNew(); err == nil {
			walk(inner.ProtoReflect(), visit)
		}
		return
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind && fd.Kind() != protoreflect.GroupKind {
			return true
		}
		switch {
		case fd.IsList():
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				walk(l.Get(i).Message(), visit)
			}
		case fd.IsMap():
			if fd.MapValue().Kind() == protoreflect.MessageKind {
				v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
					walk(mv.Message(), visit)
					return true
				})
			}
		default:
			walk(v.Message(), visit)
		}
		return true
	})
}

// refs are the names a resource needs to exist.
type refs struct {
	routeConfigs []string
	clusters     []string
	secrets      []string
}

// referencesOf collects what a listener, route configuration or cluster refers to.
func referencesOf(m proto.Message) refs {
	var r refs
	walk(m.ProtoReflect(), func(msg protoreflect.Message) {
		switch x := msg.Interface().(type) {
		case *routev3.RouteAction:
			allowInvalid := x.GetClusterNotFoundResponseCode() == routev3.RouteAction_INTERNAL_SERVER_ERROR
			add := func(name string) {
				if name == "" || (name == invalidBackend && allowInvalid) {
					return
				}
				r.clusters = append(r.clusters, name)
			}
			add(x.GetCluster())
			for _, w := range x.GetWeightedClusters().GetClusters() {
				add(w.GetName())
			}
			for _, p := range x.GetRequestMirrorPolicies() {
				add(p.GetCluster())
			}
		default:
			r = addByName(r, msg)
		}
	})
	return r
}

// addByName handles the extension messages by full name, so this file does not
// need their Go types: HCM's Rds, tcp_proxy, udp_proxy routes, SDS secret configs.
func addByName(r refs, msg protoreflect.Message) refs {
	d := msg.Descriptor()
	str := func(field string) string {
		fd := d.Fields().ByName(protoreflect.Name(field))
		if fd == nil || fd.Kind() != protoreflect.StringKind || fd.IsList() {
			return ""
		}
		return msg.Get(fd).String()
	}
	switch d.FullName() {
	case "envoy.extensions.filters.network.http_connection_manager.v3.Rds":
		if n := str("route_config_name"); n != "" {
			r.routeConfigs = append(r.routeConfigs, n)
		}
	case "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy",
		"envoy.extensions.filters.udp.udp_proxy.v3.Route",
		"envoy.extensions.filters.udp.udp_proxy.v3.UdpProxyConfig":
		if n := str("cluster"); n != "" {
			r.clusters = append(r.clusters, n)
		}
	case "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.WeightedCluster.ClusterWeight":
		if n := str("name"); n != "" {
			r.clusters = append(r.clusters, n)
		}
	case "envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig":
		// A secret config without sds_config names a static bootstrap secret.
		if fd := d.Fields().ByName("sds_config"); fd != nil && msg.Has(fd) {
			if n := str("name"); n != "" {
				r.secrets = append(r.secrets, n)
			}
		}
	}
	return r
}

// edsName is the endpoint assignment an EDS cluster needs, or "".
func edsName(c *clusterv3.Cluster) string {
	if c.GetType() != clusterv3.Cluster_EDS {
		return ""
	}
	if n := c.GetEdsClusterConfig().GetServiceName(); n != "" {
		return n
	}
	return c.GetName()
}

// checkReferences reports every reference that does not resolve within the set.
func checkReferences(s resourceSet) []string {
	var problems []string
	missing := func(kind, owner, ownerName, what, name string) {
		problems = append(problems, fmt.Sprintf("%s %q refers to %s %q, which does not exist", owner, ownerName, what, name))
		_ = kind
	}
	for _, typ := range []string{typeListener, typeRoute, typeCluster} {
		for _, name := range sortedNames(s[typ]) {
			r := referencesOf(s[typ][name])
			owner := strings.TrimSuffix(shortNames[typ], "s")
			for _, n := range uniq(r.routeConfigs) {
				if _, ok := s[typeRoute][n]; !ok {
					missing(typ, owner, name, "route configuration", n)
				}
			}
			for _, n := range uniq(r.clusters) {
				if _, ok := s[typeCluster][n]; !ok {
					missing(typ, owner, name, "cluster", n)
				}
			}
			for _, n := range uniq(r.secrets) {
				if _, ok := s[typeSecret][n]; !ok {
					missing(typ, owner, name, "secret", n)
				}
			}
		}
	}
	for _, name := range sortedNames(s[typeCluster]) {
		if n := edsName(s[typeCluster][name].(*clusterv3.Cluster)); n != "" {
			if _, ok := s[typeEndpoint][n]; !ok {
				problems = append(problems, fmt.Sprintf("cluster %q is EDS but endpoint assignment %q does not exist", name, n))
			}
		}
	}
	return problems
}

func sortedNames(m map[string]proto.Message) []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func uniq(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// staticSecretNames are the secrets a resource names without an sds_config,
// which Envoy resolves from the bootstrap's static secrets.
func staticSecretNames(m proto.Message) []string {
	var out []string
	walk(m.ProtoReflect(), func(msg protoreflect.Message) {
		d := msg.Descriptor()
		if d.FullName() != "envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig" {
			return
		}
		if fd := d.Fields().ByName("sds_config"); fd != nil && !msg.Has(fd) {
			out = append(out, msg.Get(d.Fields().ByName("name")).String())
		}
	})
	return uniq(out)
}
