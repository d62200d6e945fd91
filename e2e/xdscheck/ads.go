package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"sort"
	"strings"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

type fetched struct {
	set            resourceSet
	decodeProblems []string
}

// session is the client side of one ADS stream, playing Envoy's part: it
// subscribes to everything the configuration it holds refers to, and accepts
// or rejects each response as a whole, the way Envoy does.
type session struct {
	o        options
	set      resourceSet
	problems []string
	// subscribed names per named type (EDS, RDS, SDS)
	subscribed map[string]map[string]bool
	// delta: names the server said do not exist
	absent   map[string]map[string]bool
	received map[string]bool
	version  map[string]string
	nonce    map[string]string
	send     func(typeURL string, sub, unsub []string, nack string) error
}

func fetch(o options) (fetched, []string, error) {
	creds, err := transportCredentials(o)
	if err != nil {
		return fetched{}, nil, err
	}
	conn, err := grpc.NewClient(o.addr, grpc.WithTransportCredentials(creds), grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(256<<20)))
	if err != nil {
		return fetched{}, nil, err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	client := discoveryv3.NewAggregatedDiscoveryServiceClient(conn)
	node := &corev3.Node{Id: o.nodeID, Cluster: o.nodeCluster, UserAgentName: "xdscheck"}

	s := &session{
		o:          o,
		set:        newResourceSet(),
		subscribed: map[string]map[string]bool{typeEndpoint: {}, typeRoute: {}, typeSecret: {}},
		absent:     map[string]map[string]bool{typeEndpoint: {}, typeRoute: {}, typeSecret: {}},
		received:   map[string]bool{},
		version:    map[string]string{},
		nonce:      map[string]string{},
	}
	sentNode := false
	nodeOnce := func() *corev3.Node {
		if sentNode {
			return nil
		}
		sentNode = true
		return node
	}

	var recv func() (typeURL string, err error)
	if o.mode == "sotw" {
		stream, err := client.StreamAggregatedResources(ctx)
		if err != nil {
			return fetched{}, nil, err
		}
		recv = wire[*discoveryv3.DiscoveryRequest, *discoveryv3.DiscoveryResponse](s, stream,
			func(t string, _, _ []string, nack *status.Status) *discoveryv3.DiscoveryRequest {
				return &discoveryv3.DiscoveryRequest{Node: nodeOnce(), TypeUrl: t, VersionInfo: s.version[t], ResponseNonce: s.nonce[t], ResourceNames: s.names(t), ErrorDetail: nack}
			},
			func(resp *discoveryv3.DiscoveryResponse) (string, error) { return resp.GetTypeUrl(), s.onSotw(resp) })
	} else {
		stream, err := client.DeltaAggregatedResources(ctx)
		if err != nil {
			return fetched{}, nil, err
		}
		recv = wire[*discoveryv3.DeltaDiscoveryRequest, *discoveryv3.DeltaDiscoveryResponse](s, stream,
			func(t string, sub, unsub []string, nack *status.Status) *discoveryv3.DeltaDiscoveryRequest {
				return &discoveryv3.DeltaDiscoveryRequest{Node: nodeOnce(), TypeUrl: t, ResponseNonce: s.nonce[t], ResourceNamesSubscribe: sub, ResourceNamesUnsubscribe: unsub, ErrorDetail: nack}
			},
			func(resp *discoveryv3.DeltaDiscoveryResponse) (string, error) {
				return resp.GetTypeUrl(), s.onDelta(resp)
			})
	}

	// Envoy's start: wildcard clusters and listeners.
	for _, t := range []string{typeCluster, typeListener} {
		if err := s.send(t, nil, nil, ""); err != nil {
			return fetched{}, nil, err
		}
	}
	for !s.complete() {
		if _, err := recv(); err != nil {
			if ctx.Err() != nil {
				return fetched{set: s.set, decodeProblems: s.problems}, []string{"timed out after " + o.timeout.String() + " waiting for " + s.waitingFor()}, nil
			}
			return fetched{}, nil, fmt.Errorf("xDS stream ended: %w", err)
		}
	}
	return fetched{set: s.set, decodeProblems: s.problems}, nil, nil
}

// adsStream is either ADS stream: state of the world or delta.
type adsStream[Req, Resp any] interface {
	Send(Req) error
	Recv() (Resp, error)
}

// wire sets s.send and returns the receive step for one ADS stream. The two
// protocols differ only in how a request is built (request) and a response
// handled (handle); a NACK is the same google.rpc.Status in both.
func wire[Req, Resp any](s *session, stream adsStream[Req, Resp], request func(t string, sub, unsub []string, nack *status.Status) Req, handle func(Resp) (string, error)) func() (string, error) {
	s.send = func(t string, sub, unsub []string, nack string) error {
		var detail *status.Status
		if nack != "" {
			detail = &status.Status{Code: 3, Message: nack}
		}
		return stream.Send(request(t, sub, unsub, detail))
	}
	return func() (string, error) {
		resp, err := stream.Recv()
		if err != nil {
			return "", err
		}
		return handle(resp)
	}
}

func (s *session) names(t string) []string {
	if t == typeCluster || t == typeListener {
		return nil
	}
	var out []string
	for n := range s.subscribed[t] {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// decode turns a response's resources into Envoy types; problems make it a NACK.
func (s *session) decode(t string, anys []*anypb.Any) (map[string]proto.Message, []string) {
	out := map[string]proto.Message{}
	var problems []string
	for _, a := range anys {
		if a.GetTypeUrl() != t {
			problems = append(problems, fmt.Sprintf("resource of type %s in a %s response", a.GetTypeUrl(), shortNames[t]))
			continue
		}
		m, err := a.UnmarshalNew()
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: cannot decode: %v", shortNames[t], err))
			continue
		}
		name := nameOf(m)
		for _, p := range validate(m) {
			problems = append(problems, fmt.Sprintf("%s %q: %s", strings.TrimSuffix(shortNames[t], "s"), name, p))
		}
		out[name] = m
	}
	return out, problems
}

func (s *session) onSotw(resp *discoveryv3.DiscoveryResponse) error {
	return s.respond(resp.GetTypeUrl(), resp.GetNonce(), resp.GetResources(), func(t string, got map[string]proto.Message) {
		// State of the world: the response is the whole set.
		s.version[t] = resp.GetVersionInfo()
		s.set[t] = got
	})
}

func (s *session) onDelta(resp *discoveryv3.DeltaDiscoveryResponse) error {
	anys := make([]*anypb.Any, 0, len(resp.GetResources()))
	for _, r := range resp.GetResources() {
		anys = append(anys, r.GetResource())
	}
	return s.respond(resp.GetTypeUrl(), resp.GetNonce(), anys, func(t string, got map[string]proto.Message) {
		// Delta: added or changed resources, and names removed (or, when
		// subscribed by name, reported absent).
		for n, m := range got {
			s.set[t][n] = m
			if s.absent[t] != nil {
				delete(s.absent[t], n)
			}
		}
		for _, n := range resp.GetRemovedResources() {
			delete(s.set[t], n)
			if s.absent[t] != nil && s.subscribed[t][n] {
				s.absent[t][n] = true
			}
		}
	})
}

// respond is what both protocols do with a response of a type xdscheck
// knows: decode it; on any problem reject it as a whole (NACK, the held
// version stays, like Envoy); otherwise apply it to the held set, ACK, and
// follow the references of what is now held.
func (s *session) respond(t, nonce string, resources []*anypb.Any, apply func(t string, got map[string]proto.Message)) error {
	if newOf(t) == nil {
		return nil
	}
	got, problems := s.decode(t, resources)
	s.nonce[t] = nonce
	s.received[t] = true
	if len(problems) > 0 {
		s.problems = append(s.problems, problems...)
		return s.send(t, nil, nil, strings.Join(problems, "; "))
	}
	apply(t, got)
	if err := s.send(t, nil, nil, ""); err != nil {
		return err
	}
	return s.followReferences()
}

// followReferences subscribes to the endpoints, route configurations and
// secrets the held clusters and listeners need, and drops the rest.
func (s *session) followReferences() error {
	want := map[string]map[string]bool{typeEndpoint: {}, typeRoute: {}, typeSecret: {}}
	for _, m := range s.set[typeCluster] {
		c := m.(*clusterv3.Cluster)
		if n := edsName(c); n != "" {
			want[typeEndpoint][n] = true
		}
		for _, n := range referencesOf(c).secrets {
			want[typeSecret][n] = true
		}
	}
	for _, m := range s.set[typeListener] {
		r := referencesOf(m)
		for _, n := range r.routeConfigs {
			want[typeRoute][n] = true
		}
		for _, n := range r.secrets {
			want[typeSecret][n] = true
		}
	}
	for _, t := range []string{typeEndpoint, typeSecret, typeRoute} {
		var sub, unsub []string
		for n := range want[t] {
			if !s.subscribed[t][n] {
				sub = append(sub, n)
			}
		}
		for n := range s.subscribed[t] {
			if !want[t][n] {
				unsub = append(unsub, n)
			}
		}
		if len(sub) == 0 && len(unsub) == 0 {
			continue
		}
		sort.Strings(sub)
		sort.Strings(unsub)
		s.subscribed[t] = want[t]
		for _, n := range unsub {
			delete(s.set[t], n)
			delete(s.absent[t], n)
		}
		if err := s.send(t, sub, unsub, ""); err != nil {
			return err
		}
	}
	return nil
}

// complete: clusters and listeners arrived, and every subscribed name arrived
// (or, in delta, was reported absent).
func (s *session) complete() bool {
	return s.waitingFor() == ""
}

func (s *session) waitingFor() string {
	var waiting []string
	for _, t := range []string{typeCluster, typeListener} {
		if !s.received[t] {
			waiting = append(waiting, shortNames[t])
		}
	}
	for _, t := range []string{typeEndpoint, typeSecret, typeRoute} {
		for _, n := range s.names(t) {
			if _, ok := s.set[t][n]; !ok && !s.absent[t][n] {
				waiting = append(waiting, fmt.Sprintf("%s %q", strings.TrimSuffix(shortNames[t], "s"), n))
			}
		}
	}
	return strings.Join(waiting, ", ")
}

func transportCredentials(o options) (credentials.TransportCredentials, error) {
	if o.ca == "" {
		if o.cert != "" || o.key != "" {
			return nil, errors.New("-cert/-key need -ca")
		}
		return insecure.NewCredentials(), nil
	}
	caPEM, err := os.ReadFile(o.ca)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("%s: no PEM certificate", o.ca)
	}
	cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12, ServerName: o.serverName}
	if cfg.ServerName == "" {
		host, _, err := net.SplitHostPort(o.addr)
		if err != nil {
			return nil, err
		}
		cfg.ServerName = host
	}
	if o.cert != "" || o.key != "" {
		pair, err := tls.LoadX509KeyPair(o.cert, o.key)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return credentials.NewTLS(cfg), nil
}
