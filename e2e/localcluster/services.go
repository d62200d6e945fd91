package localcluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// serviceProxy is what kube-proxy and MetalLB do in a kind cluster, in user
// space: every Service's ClusterIP (on the harness's loopback) and every
// LoadBalancer Service's address (allocated on the bridge, written to
// status.loadBalancer.ingress) accept its TCP and UDP ports and forward each
// connection or datagram flow to a ready endpoint from its EndpointSlices.
type serviceProxy struct {
	client kubernetes.Interface
	ipam   *ipam
	logf   func(string, ...any)

	mu        sync.Mutex
	listeners map[string]map[string]io.Closer // service key -> "proto/ip:port" -> listener
	lbIPs     map[string]net.IP               // service key -> LoadBalancer address
	endpoints map[string]map[string][]string  // service key -> port name -> ready "ip:port"
	slices    cache.Indexer
}

func startServiceProxy(ctx context.Context, client kubernetes.Interface, ipam *ipam, logf func(string, ...any)) (*serviceProxy, error) {
	p := &serviceProxy{client: client, ipam: ipam, logf: logf,
		listeners: map[string]map[string]io.Closer{}, lbIPs: map[string]net.IP{}, endpoints: map[string]map[string][]string{}}
	f := informers.NewSharedInformerFactory(client, 0)
	svcInf := f.Core().V1().Services().Informer()
	sliceInf := f.Discovery().V1().EndpointSlices().Informer()
	p.slices = sliceInf.GetIndexer()
	_ = sliceInf.AddIndexers(cache.Indexers{"service": func(o any) ([]string, error) {
		s := o.(*discoveryv1.EndpointSlice)
		return []string{s.Namespace + "/" + s.Labels[discoveryv1.LabelServiceName]}, nil
	}})
	_, _ = svcInf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(o any) { p.syncService(ctx, o.(*corev1.Service)) },
		UpdateFunc: func(_, o any) { p.syncService(ctx, o.(*corev1.Service)) },
		DeleteFunc: func(o any) {
			if t, ok := o.(cache.DeletedFinalStateUnknown); ok {
				o = t.Obj
			}
			if s, ok := o.(*corev1.Service); ok {
				p.removeService(s.Namespace + "/" + s.Name)
			}
		},
	})
	sliceChanged := func(o any) {
		if t, ok := o.(cache.DeletedFinalStateUnknown); ok {
			o = t.Obj
		}
		if s, ok := o.(*discoveryv1.EndpointSlice); ok {
			p.syncEndpoints(s.Namespace + "/" + s.Labels[discoveryv1.LabelServiceName])
		}
	}
	_, _ = sliceInf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: sliceChanged, UpdateFunc: func(_, o any) { sliceChanged(o) }, DeleteFunc: sliceChanged,
	})
	f.Start(ctx.Done())
	f.WaitForCacheSync(ctx.Done())
	return p, nil
}

func (p *serviceProxy) syncEndpoints(key string) {
	objs, _ := p.slices.ByIndex("service", key)
	byPort := map[string][]string{}
	for _, o := range objs {
		s := o.(*discoveryv1.EndpointSlice)
		if s.AddressType != discoveryv1.AddressTypeIPv4 {
			continue
		}
		for _, port := range s.Ports {
			if port.Port == nil {
				continue
			}
			name := ""
			if port.Name != nil {
				name = *port.Name
			}
			for _, ep := range s.Endpoints {
				if ep.Conditions.Ready != nil && !*ep.Conditions.Ready {
					continue
				}
				for _, a := range ep.Addresses {
					byPort[name] = append(byPort[name], net.JoinHostPort(a, strconv.Itoa(int(*port.Port))))
				}
			}
		}
	}
	p.mu.Lock()
	p.endpoints[key] = byPort
	p.mu.Unlock()
}

// backend picks a ready endpoint of the service port, or "".
func (p *serviceProxy) backend(key, portName string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	eps := p.endpoints[key][portName]
	if len(eps) == 0 {
		return ""
	}
	return eps[rand.IntN(len(eps))]
}

func (p *serviceProxy) syncService(ctx context.Context, svc *corev1.Service) {
	key := svc.Namespace + "/" + svc.Name
	var addrs []net.IP
	for _, s := range svc.Spec.ClusterIPs {
		if ip := net.ParseIP(s); ip != nil && ip.To4() != nil {
			addrs = append(addrs, ip.To4())
		}
	}
	if svc.Spec.Type == corev1.ServiceTypeLoadBalancer {
		lb, err := p.loadBalancerIP(ctx, svc)
		if err != nil {
			p.logf("localcluster: LoadBalancer %s: %v", key, err)
		} else {
			addrs = append(addrs, lb)
		}
	} else {
		p.releaseLoadBalancer(key)
	}
	want := map[string]corev1.ServicePort{}
	for _, ip := range addrs {
		for _, port := range svc.Spec.Ports {
			proto := port.Protocol
			if proto == "" {
				proto = corev1.ProtocolTCP
			}
			want[fmt.Sprintf("%s/%s", proto, net.JoinHostPort(ip.String(), strconv.Itoa(int(port.Port))))] = port
		}
	}
	p.mu.Lock()
	have := p.listeners[key]
	if have == nil {
		have = map[string]io.Closer{}
		p.listeners[key] = have
	}
	for id, l := range have {
		if _, ok := want[id]; !ok {
			l.Close()
			delete(have, id)
		}
	}
	p.mu.Unlock()
	for id, port := range want {
		p.mu.Lock()
		_, ok := have[id]
		p.mu.Unlock()
		if ok {
			continue
		}
		l, err := p.listen(key, id, port)
		if err != nil {
			p.logf("localcluster: Service %s %s: %v", key, id, err)
			continue
		}
		p.mu.Lock()
		have[id] = l
		p.mu.Unlock()
	}
	p.syncEndpoints(key)
}

func (p *serviceProxy) listen(key, id string, port corev1.ServicePort) (io.Closer, error) {
	proto, addr := id[:3], id[4:]
	host, _, _ := net.SplitHostPort(addr)
	if net.ParseIP(host).To4()[0] == 10 && net.ParseIP(host).To4()[1] == 96 {
		// ClusterIPs live on the harness's loopback; adding one twice is harmless.
		_ = ip("addr", "add", host+"/32", "dev", "lo")
	}
	switch proto {
	case "TCP":
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, err
		}
		go p.serveTCP(l, key, port.Name)
		return l, nil
	case "UDP":
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return nil, err
		}
		go p.serveUDP(pc, key, port.Name)
		return pc, nil
	}
	return nil, fmt.Errorf("protocol %s is not proxied", proto)
}

func (p *serviceProxy) serveTCP(l net.Listener, key, portName string) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			be := p.backend(key, portName)
			if be == "" {
				return // as kube-proxy: no ready endpoint, connection refused/reset
			}
			u, err := net.DialTimeout("tcp", be, 5*time.Second)
			if err != nil {
				return
			}
			defer u.Close()
			done := make(chan struct{}, 2)
			go func() { _, _ = io.Copy(u, c); closeWrite(u); done <- struct{}{} }()
			go func() { _, _ = io.Copy(c, u); closeWrite(c); done <- struct{}{} }()
			<-done
			<-done
		}()
	}
}

func closeWrite(c net.Conn) {
	if t, ok := c.(*net.TCPConn); ok {
		_ = t.CloseWrite()
	}
}

// serveUDP keeps one upstream socket per client address (a conntrack
// entry), idle for at most 30 s.
func (p *serviceProxy) serveUDP(pc net.PacketConn, key, portName string) {
	var mu sync.Mutex
	flows := map[string]net.Conn{}
	buf := make([]byte, 65535)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			mu.Lock()
			for _, f := range flows {
				f.Close()
			}
			mu.Unlock()
			return
		}
		mu.Lock()
		up := flows[from.String()]
		mu.Unlock()
		if up == nil {
			be := p.backend(key, portName)
			if be == "" {
				continue
			}
			if up, err = net.Dial("udp", be); err != nil {
				continue
			}
			mu.Lock()
			flows[from.String()] = up
			mu.Unlock()
			go func(up net.Conn, from net.Addr) {
				b := make([]byte, 65535)
				for {
					_ = up.SetReadDeadline(time.Now().Add(30 * time.Second))
					n, err := up.Read(b)
					if err != nil {
						break
					}
					_, _ = pc.WriteTo(b[:n], from)
				}
				mu.Lock()
				delete(flows, from.String())
				mu.Unlock()
				up.Close()
			}(up, from)
		}
		_, _ = up.Write(buf[:n])
	}
}

// loadBalancerIP gives the Service its address and writes it to status:
// the one spec.loadBalancerIP asks for if it is free and in
// LoadBalancerRange, else (no request) the next free one, kept until the
// Service goes or asks for another. A request that cannot be met leaves the
// Service without an address, as MetalLB does.
func (p *serviceProxy) loadBalancerIP(ctx context.Context, svc *corev1.Service) (net.IP, error) {
	key := svc.Namespace + "/" + svc.Name
	p.mu.Lock()
	lb := p.lbIPs[key]
	p.mu.Unlock()
	want := net.ParseIP(svc.Spec.LoadBalancerIP).To4()
	if svc.Spec.LoadBalancerIP != "" && (lb == nil || !lb.Equal(want)) {
		p.releaseLoadBalancer(key)
		lb = nil
		var err error
		if want == nil {
			err = fmt.Errorf("spec.loadBalancerIP %q is not an IPv4 address", svc.Spec.LoadBalancerIP)
		} else {
			err = p.ipam.claimLoadBalancer(want)
		}
		if err != nil {
			return nil, errors.Join(fmt.Errorf("cannot assign spec.loadBalancerIP: %w", err), p.writeIngress(ctx, svc, nil))
		}
		lb = want
		if err := p.bindLoadBalancer(key, lb); err != nil {
			return nil, err
		}
	}
	if lb == nil {
		var err error
		if lb, err = p.ipam.loadBalancer(); err != nil {
			return nil, err
		}
		if err := p.bindLoadBalancer(key, lb); err != nil {
			return nil, err
		}
	}
	return lb, p.writeIngress(ctx, svc, lb)
}

// bindLoadBalancer puts a claimed address on the bridge and records it as the Service's.
func (p *serviceProxy) bindLoadBalancer(key string, lb net.IP) error {
	if err := ip("addr", "add", lb.String()+"/32", "dev", bridgeName); err != nil {
		p.ipam.releaseLoadBalancer(lb)
		return err
	}
	p.mu.Lock()
	p.lbIPs[key] = lb
	p.mu.Unlock()
	return nil
}

// writeIngress sets status.loadBalancer.ingress to the address (none when nil), if it differs.
func (p *serviceProxy) writeIngress(ctx context.Context, svc *corev1.Service, lb net.IP) error {
	ing := svc.Status.LoadBalancer.Ingress
	if lb == nil && len(ing) == 0 || lb != nil && len(ing) == 1 && ing[0].IP == lb.String() {
		return nil
	}
	upd := svc.DeepCopy()
	upd.Status.LoadBalancer.Ingress = nil
	if lb != nil {
		mode := corev1.LoadBalancerIPModeVIP
		upd.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: lb.String(), IPMode: &mode}}
	}
	if _, err := p.client.CoreV1().Services(svc.Namespace).UpdateStatus(ctx, upd, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("write status.loadBalancer: %w", err)
	}
	return nil
}

func (p *serviceProxy) releaseLoadBalancer(key string) {
	p.mu.Lock()
	lb := p.lbIPs[key]
	delete(p.lbIPs, key)
	p.mu.Unlock()
	if lb != nil {
		_ = ip("addr", "del", lb.String()+"/32", "dev", bridgeName)
		p.ipam.releaseLoadBalancer(lb)
	}
}

func (p *serviceProxy) removeService(key string) {
	p.mu.Lock()
	for _, l := range p.listeners[key] {
		l.Close()
	}
	delete(p.listeners, key)
	delete(p.endpoints, key)
	p.mu.Unlock()
	p.releaseLoadBalancer(key)
}

func (p *serviceProxy) stop() {
	p.mu.Lock()
	keys := make([]string, 0, len(p.listeners))
	for k := range p.listeners {
		keys = append(keys, k)
	}
	p.mu.Unlock()
	for _, k := range keys {
		p.removeService(k)
	}
}
