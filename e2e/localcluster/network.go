package localcluster

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The cluster's network, all inside the harness's own network namespace (the
// host's network is never touched): a bridge with the node address, one veth
// per pod, pod IPs from PodCIDR, LoadBalancer addresses from the top of the
// same range (on the bridge), ClusterIPs on the harness's loopback.
const (
	bridgeName = "sy0"
	// NodeIP is the node's (and API server's) address on the bridge; pods
	// reach the API server, the cluster DNS and every Service through it.
	NodeIP    = "10.244.0.1"
	podPrefix = 16
	// ServiceCIDR is the ClusterIP range the API server allocates from.
	ServiceCIDR = "10.96.0.0/16"
	// DNSServiceIP is where pods' resolv.conf points: the harness's DNS
	// server, answering Service names (<svc>.<ns>.svc.cluster.local).
	clusterDomain = "cluster.local"
)

// envInHarness marks a process already running in the harness's network
// namespace, so it does not create a second one.
const envInHarness = "LOCALCLUSTER_NETNS"

// ErrNoNetns says the harness cannot create network namespaces (not root,
// or no CAP_SYS_ADMIN/CAP_NET_ADMIN in a container that forbids unshare).
var ErrNoNetns = errors.New("localcluster: cannot create a network namespace")

// InHarnessNetns reports whether this process runs in the namespace
// ReexecInNetns created.
func InHarnessNetns() bool { return os.Getenv(envInHarness) != "" }

// ReexecInNetns runs this program again with the same arguments in a new
// network namespace and returns its exit code. Everything the harness starts
// (control plane, pods, the test command) lives in that namespace and dies
// with it.
func ReexecInNetns() (int, error) {
	self, err := os.Executable()
	if err != nil {
		return 1, err
	}
	cmd := exec.Command(self, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), envInHarness+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Setpgid: false}
	// Ctrl-C and SIGTERM go to the child, which stops everything it
	// started; this process waits for that instead of dying first.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return 1, fmt.Errorf("%w (%v): run as root, or with CAP_SYS_ADMIN and CAP_NET_ADMIN", ErrNoNetns, err)
	}
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err = cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if st, ok := exit.Sys().(syscall.WaitStatus); ok && st.Signaled() {
			return 128 + int(st.Signal()), nil
		}
		return exit.ExitCode(), nil
	}
	if err != nil {
		return 1, err
	}
	return 0, nil
}

func ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// setUpHarnessNetwork brings up loopback and the bridge. It refuses to run
// outside the harness namespace so that it can never change the host.
func setUpHarnessNetwork() error {
	if !InHarnessNetns() {
		return errors.New("localcluster: refusing to configure the network outside the harness's own network namespace")
	}
	for _, args := range [][]string{
		{"link", "set", "lo", "up"},
		{"link", "add", bridgeName, "type", "bridge"},
		{"addr", "add", fmt.Sprintf("%s/%d", NodeIP, podPrefix), "dev", bridgeName},
		{"link", "set", bridgeName, "up"},
	} {
		if err := ip(args...); err != nil {
			return err
		}
	}
	return nil
}

// ipam hands out pod addresses (10.244.1.1 upwards) and LoadBalancer
// addresses (10.244.255.254 downwards), reusing released ones. A Service may
// ask for a particular LoadBalancer address (spec.loadBalancerIP) from
// LoadBalancerRange.
type ipam struct {
	pods, lbs *pool
}

// LoadBalancerRange is the pool LoadBalancer addresses come from, first and
// last (inclusive); any other requested address is refused, as MetalLB
// refuses one outside its pools.
var LoadBalancerRange = [2]string{"10.244.255.1", "10.244.255.254"}

func newIPAM() *ipam {
	return &ipam{
		pods: &pool{what: "pod", first: ipToU32(net.ParseIP("10.244.1.1")), last: ipToU32(net.ParseIP("10.244.254.255")), step: 1},
		lbs:  &pool{what: "LoadBalancer", first: ipToU32(net.ParseIP(LoadBalancerRange[1])), last: ipToU32(net.ParseIP(LoadBalancerRange[0])), step: -1},
	}
}

func (a *ipam) pod() (net.IP, error)              { return a.pods.get() }
func (a *ipam) releasePod(ip net.IP)              { a.pods.put(ip) }
func (a *ipam) loadBalancer() (net.IP, error)     { return a.lbs.get() }
func (a *ipam) claimLoadBalancer(ip net.IP) error { return a.lbs.claim(ip) }
func (a *ipam) releaseLoadBalancer(ip net.IP)     { a.lbs.put(ip) }

// pool is a range of addresses from first to last (inclusive), handed out
// in that direction: the first free one.
type pool struct {
	mu          sync.Mutex
	what        string
	first, last uint32
	step        int32
	used        map[uint32]bool
}

func (p *pool) get() (net.IP, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for v := p.first; ; v = uint32(int64(v) + int64(p.step)) {
		if !p.used[v] {
			p.mark(v)
			return u32ToIP(v), nil
		}
		if v == p.last {
			return nil, fmt.Errorf("localcluster: %s address range exhausted", p.what)
		}
	}
}

// claim takes a particular address of the range, if it is free.
func (p *pool) claim(ip net.IP) error {
	if ip.To4() == nil {
		return fmt.Errorf("%s is not an IPv4 address", ip)
	}
	v := ipToU32(ip)
	lo, hi := min(p.first, p.last), max(p.first, p.last)
	p.mu.Lock()
	defer p.mu.Unlock()
	if v < lo || v > hi {
		return fmt.Errorf("%s is outside the %s range %s-%s", ip, p.what, u32ToIP(lo), u32ToIP(hi))
	}
	if p.used[v] {
		return fmt.Errorf("%s is already in use", ip)
	}
	p.mark(v)
	return nil
}

func (p *pool) mark(v uint32) {
	if p.used == nil {
		p.used = map[uint32]bool{}
	}
	p.used[v] = true
}

func (p *pool) put(ip net.IP) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.used, ipToU32(ip))
}

func ipToU32(ip net.IP) uint32 {
	v := ip.To4()
	return uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3])
}

func u32ToIP(v uint32) net.IP { return net.IPv4(byte(v>>24), byte(v>>16), byte(v>>8), byte(v)).To4() }

// sandbox is a pod's network namespace, held open by a sleeping process
// (the pause container), with one veth end on the bridge.
type sandbox struct {
	pause *exec.Cmd
	ip    net.IP
	host  string // the veth end on the bridge
}

func (s *sandbox) netnsPath() string { return fmt.Sprintf("/proc/%d/ns/net", s.pause.Process.Pid) }

// newSandbox creates the pod's network namespace and wires it to the bridge.
func newSandbox(id string, podIP net.IP) (*sandbox, error) {
	pause := exec.Command("unshare", "--net", "--", "sleep", "infinity")
	pause.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := pause.Start(); err != nil {
		return nil, fmt.Errorf("start the pod's network namespace: %w", err)
	}
	s := &sandbox{pause: pause, ip: podIP, host: "vh" + id}
	// unshare execs sleep only after entering the namespace; wait for that.
	self, _ := os.Readlink("/proc/self/ns/net")
	for i := 0; i < 200; i++ {
		if ns, err := os.Readlink(s.netnsPath()); err == nil && ns != self {
			if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pause.Process.Pid)); strings.HasSuffix(exe, "sleep") {
				break
			}
		}
		sleepMs(5)
	}
	peer := "vp" + id
	nsPID := fmt.Sprint(pause.Process.Pid)
	steps := [][]string{
		{"link", "add", s.host, "type", "veth", "peer", "name", peer},
		{"link", "set", s.host, "master", bridgeName},
		{"link", "set", s.host, "up"},
		{"link", "set", peer, "netns", nsPID},
	}
	for _, args := range steps {
		if err := ip(args...); err != nil {
			s.close()
			return nil, err
		}
	}
	in := func(args ...string) error { return nsenterIP(nsPID, args...) }
	for _, args := range [][]string{
		{"link", "set", "lo", "up"},
		{"link", "set", peer, "name", "eth0"},
		{"addr", "add", fmt.Sprintf("%s/%d", podIP, podPrefix), "dev", "eth0"},
		{"link", "set", "eth0", "up"},
		{"route", "add", "default", "via", NodeIP},
	} {
		if err := in(args...); err != nil {
			s.close()
			return nil, err
		}
	}
	return s, nil
}

func nsenterIP(pid string, args ...string) error {
	full := append([]string{"--net=/proc/" + pid + "/ns/net", "ip"}, args...)
	out, err := exec.Command("nsenter", full...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s (pod netns): %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

func (s *sandbox) close() {
	_ = ip("link", "del", s.host)
	if s.pause.Process != nil {
		_ = s.pause.Process.Kill()
		_ = s.pause.Wait()
	}
}

func sleepMs(n int) { time.Sleep(time.Duration(n) * time.Millisecond) }
