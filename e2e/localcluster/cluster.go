// Package localcluster is a Kubernetes cluster without containers, for the
// tests that need a real one (the upstream Gateway API conformance suite,
// installs from deploy/): etcd, kube-apiserver and kube-controller-manager
// built from their Go modules, one Node, and a process kubelet that runs each
// Pod's containers as local processes in the Pod's own network namespace
// (a veth on a bridge), with their volumes, probes, status and logs. A
// LoadBalancer stand-in gives LoadBalancer Services an address on the bridge,
// and a Service proxy and DNS server make ClusterIPs and Service names work.
//
// Everything runs inside a network namespace the harness creates
// (ReexecInNetns), so the host's network is never touched. Only images the
// kubelet knows run (images.go); any other gets a Warning event and its Pod
// stays Pending.
package localcluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Options configure Start.
type Options struct {
	// Dir holds the cluster's state (certificates, etcd data, logs, pod
	// volumes). Empty: a new temporary directory, removed by Stop.
	Dir string
	// BinDir holds etcd, kube-apiserver, kube-controller-manager and
	// echo-basic (e2e/bin). Empty: $LOCALCLUSTER_BIN or ../bin from the
	// e2e module.
	BinDir string
	// RepoRoot is this checkout, for the images that run its code
	// (Switchyard, the Envoy stand-in). Empty: found from BinDir.
	RepoRoot string
	// Logf receives the harness's progress lines; nil discards them.
	Logf func(format string, args ...any)
}

// Cluster is a running local cluster.
type Cluster struct {
	opts       Options
	dir        string
	ownDir     bool
	pki        *pki
	etcdURL    string
	kubeconfig string
	procs      []*process
	config     *rest.Config
	client     kubernetes.Interface
	cancel     context.CancelFunc
	kubelet    *kubelet
	services   *serviceProxy
	dns        *dnsServer
	ipam       *ipam
}

// Kubeconfig is the path of an admin kubeconfig for the cluster (reachable
// from inside the harness's network namespace).
func (c *Cluster) Kubeconfig() string { return c.kubeconfig }

// Config is the admin REST config.
func (c *Cluster) Config() *rest.Config { return rest.CopyConfig(c.config) }

// Client is an admin clientset.
func (c *Cluster) Client() kubernetes.Interface { return c.client }

// Dir is where the cluster keeps its state and logs.
func (c *Cluster) Dir() string { return c.dir }

func (c *Cluster) bin(name string) string { return filepath.Join(c.opts.BinDir, name) }

func (c *Cluster) logf(format string, args ...any) {
	if c.opts.Logf != nil {
		c.opts.Logf(format, args...)
	}
}

// Start brings the cluster up in the current network namespace, which must
// be the harness's own (see ReexecInNetns). On error everything started so
// far is stopped.
func Start(ctx context.Context, opts Options) (_ *Cluster, err error) {
	if !InHarnessNetns() {
		return nil, errors.New("localcluster: Start runs only inside the harness's network namespace (call ReexecInNetns first)")
	}
	if opts.BinDir == "" {
		opts.BinDir = os.Getenv("LOCALCLUSTER_BIN")
	}
	if opts.BinDir == "" {
		return nil, errors.New("localcluster: no BinDir (set LOCALCLUSTER_BIN to e2e/bin)")
	}
	if opts.BinDir, err = filepath.Abs(opts.BinDir); err != nil {
		return nil, err
	}
	if opts.RepoRoot == "" {
		opts.RepoRoot = filepath.Dir(filepath.Dir(opts.BinDir))
	}
	for _, b := range []string{"etcd", "kube-apiserver", "kube-controller-manager"} {
		if _, err := os.Stat(filepath.Join(opts.BinDir, b)); err != nil {
			return nil, fmt.Errorf("localcluster: %s missing in %s (run e2e/scripts/build-tools.sh)", b, opts.BinDir)
		}
	}
	c := &Cluster{opts: opts, dir: opts.Dir, ipam: newIPAM()}
	if c.dir == "" {
		if c.dir, err = os.MkdirTemp("", "localcluster-"); err != nil {
			return nil, err
		}
		c.ownDir = true
	}
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()
	ctx, c.cancel = context.WithCancel(ctx)
	start := time.Now()
	if err = setUpHarnessNetwork(); err != nil {
		return nil, err
	}
	ips := []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP(NodeIP), net.ParseIP("10.96.0.1")}
	if c.pki, err = newPKI(filepath.Join(c.dir, "pki"), ips); err != nil {
		return nil, err
	}
	if err = c.writeKubeconfig(); err != nil {
		return nil, err
	}
	if err = c.startEtcd(); err != nil {
		return nil, err
	}
	if err = c.startAPIServer(); err != nil {
		return nil, err
	}
	if c.config, err = clientcmd.BuildConfigFromFlags("", c.kubeconfig); err != nil {
		return nil, err
	}
	c.config.QPS, c.config.Burst = 200, 400
	if c.client, err = kubernetes.NewForConfig(c.config); err != nil {
		return nil, err
	}
	if err = c.startControllerManager(); err != nil {
		return nil, err
	}
	if c.dns, err = startDNS(ctx, c.client, NodeIP+":53"); err != nil {
		return nil, err
	}
	if c.services, err = startServiceProxy(ctx, c.client, c.ipam, c.logf); err != nil {
		return nil, err
	}
	if c.kubelet, err = startKubelet(ctx, c); err != nil {
		return nil, err
	}
	c.logf("localcluster: up in %s (state and logs in %s)", time.Since(start).Round(time.Millisecond), c.dir)
	return c, nil
}

// Stop stops every pod and process the cluster started and removes its
// temporary directory. Safe to call more than once.
func (c *Cluster) Stop() {
	if c.cancel != nil {
		c.cancel()
	}
	if c.kubelet != nil {
		c.kubelet.stopAll()
		c.kubelet = nil
	}
	if c.services != nil {
		c.services.stop()
		c.services = nil
	}
	if c.dns != nil {
		c.dns.stop()
		c.dns = nil
	}
	for i := len(c.procs) - 1; i >= 0; i-- {
		c.procs[i].stop(10 * time.Second)
	}
	c.procs = nil
	if c.ownDir && os.Getenv("LOCALCLUSTER_KEEP") == "" {
		_ = os.RemoveAll(c.dir)
	}
}
