package localcluster

import (
	"context"
	"net"
	"strings"
	"sync"

	"github.com/miekg/dns"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// dnsServer answers A queries for <service>.<namespace>.svc.cluster.local
// with the Service's ClusterIP (what kube-dns does for pods) and NXDOMAIN
// for anything else; pods' resolv.conf points at it.
type dnsServer struct {
	udp, tcp *dns.Server
}

// Lookup gives the addresses of a fully qualified name, or none.
type Lookup func(name string) []net.IP

// ServeDNS runs a DNS server on addr (UDP and TCP) answering from lookup
// (nil: every name is NXDOMAIN). It is also the "small DNS server" image
// (images.go) the UDPRoute conformance test sends its query to.
func ServeDNS(addr string, lookup Lookup) (*dnsServer, error) {
	h := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		m.Authoritative = true
		found := false
		for _, q := range req.Question {
			if lookup == nil {
				continue
			}
			ips := lookup(strings.ToLower(q.Name))
			if len(ips) > 0 {
				found = true
			}
			if q.Qtype != dns.TypeA && q.Qtype != dns.TypeANY {
				continue
			}
			for _, ip := range ips {
				m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 5}, A: ip})
			}
		}
		if !found {
			m.Rcode = dns.RcodeNameError
		}
		_ = w.WriteMsg(m)
	})
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		pc.Close()
		return nil, err
	}
	s := &dnsServer{udp: &dns.Server{PacketConn: pc, Handler: h}, tcp: &dns.Server{Listener: l, Handler: h}}
	go func() { _ = s.udp.ActivateAndServe() }()
	go func() { _ = s.tcp.ActivateAndServe() }()
	return s, nil
}

func (s *dnsServer) stop() {
	_ = s.udp.Shutdown()
	_ = s.tcp.Shutdown()
}

// startDNS serves the cluster's Service names on addr.
func startDNS(ctx context.Context, client kubernetes.Interface, addr string) (*dnsServer, error) {
	var mu sync.RWMutex
	records := map[string][]net.IP{}
	set := func(svc *corev1.Service, remove bool) {
		name := svc.Name + "." + svc.Namespace + ".svc." + clusterDomain + "."
		mu.Lock()
		defer mu.Unlock()
		delete(records, name)
		if remove {
			return
		}
		var ips []net.IP
		for _, s := range svc.Spec.ClusterIPs {
			if ip := net.ParseIP(s); ip != nil && ip.To4() != nil {
				ips = append(ips, ip.To4())
			}
		}
		if len(ips) > 0 {
			records[name] = ips
		}
	}
	f := informers.NewSharedInformerFactory(client, 0)
	inf := f.Core().V1().Services().Informer()
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(o any) { set(o.(*corev1.Service), false) },
		UpdateFunc: func(_, o any) { set(o.(*corev1.Service), false) },
		DeleteFunc: func(o any) {
			if t, ok := o.(cache.DeletedFinalStateUnknown); ok {
				o = t.Obj
			}
			if svc, ok := o.(*corev1.Service); ok {
				set(svc, true)
			}
		},
	})
	f.Start(ctx.Done())
	return ServeDNS(addr, func(name string) []net.IP {
		mu.RLock()
		defer mu.RUnlock()
		return records[name]
	})
}
