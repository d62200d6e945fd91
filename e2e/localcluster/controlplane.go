package localcluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

const apiServerPort = 6443

// process is a control-plane process whose output goes to a log file.
type process struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
}

func startProcess(logDir, name, bin string, args ...string) (*process, error) {
	logFile, err := os.Create(filepath.Join(logDir, name+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s (%s): %w", name, bin, err)
	}
	p := &process{name: name, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logFile.Close(); close(p.done) }()
	return p, nil
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the process group, then SIGKILL after grace.
func (p *process) stop(grace time.Duration) {
	if p.exited() {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (c *Cluster) startEtcd() error {
	client, err := freePort()
	if err != nil {
		return err
	}
	peer, err := freePort()
	if err != nil {
		return err
	}
	c.etcdURL = fmt.Sprintf("http://127.0.0.1:%d", client)
	p, err := startProcess(c.dir, "etcd", c.bin("etcd"),
		"--data-dir", filepath.Join(c.dir, "etcd"),
		"--listen-client-urls", c.etcdURL, "--advertise-client-urls", c.etcdURL,
		"--listen-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", peer),
		"--initial-advertise-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", peer),
		"--initial-cluster", fmt.Sprintf("default=http://127.0.0.1:%d", peer),
		"--unsafe-no-fsync", "--log-level=error")
	if err != nil {
		return err
	}
	c.procs = append(c.procs, p)
	return nil
}

func (c *Cluster) startAPIServer() error {
	p, err := startProcess(c.dir, "kube-apiserver", c.bin("kube-apiserver"),
		"--etcd-servers="+c.etcdURL,
		"--bind-address=0.0.0.0",
		"--advertise-address="+NodeIP,
		fmt.Sprintf("--secure-port=%d", apiServerPort),
		"--tls-cert-file="+c.pki.serverCert, "--tls-private-key-file="+c.pki.serverKey,
		"--client-ca-file="+c.pki.caCert,
		"--kubelet-client-certificate="+c.pki.adminCert, "--kubelet-client-key="+c.pki.adminKey,
		"--kubelet-preferred-address-types=InternalIP",
		"--service-cluster-ip-range="+ServiceCIDR,
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file="+c.pki.saPub,
		"--service-account-signing-key-file="+c.pki.saKey,
		"--api-audiences=https://kubernetes.default.svc",
		"--authorization-mode=RBAC",
		"--allow-privileged=true",
		"--enable-priority-and-fairness=false",
		"--feature-gates=ClusterTrustBundle=true", "--runtime-config=certificates.k8s.io/v1beta1/clustertrustbundles=true",
		"--v=0")
	if err != nil {
		return err
	}
	c.procs = append(c.procs, p)
	return c.waitHealthy(p, fmt.Sprintf("https://%s:%d/readyz", NodeIP, apiServerPort), 90*time.Second)
}

func (c *Cluster) startControllerManager() error {
	p, err := startProcess(c.dir, "kube-controller-manager", c.bin("kube-controller-manager"),
		"--kubeconfig="+c.kubeconfig,
		"--authentication-kubeconfig="+c.kubeconfig,
		"--authorization-kubeconfig="+c.kubeconfig,
		"--controllers=*,-node-lifecycle-controller,-taint-eviction-controller,-cloud-node-lifecycle-controller,-service-lb-controller,-node-route-controller,-node-ipam-controller",
		"--root-ca-file="+c.pki.caCert,
		"--service-account-private-key-file="+c.pki.saKey,
		"--use-service-account-credentials=false",
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port=0",
		"--concurrent-deployment-syncs=10",
		"--v=0")
	if err != nil {
		return err
	}
	c.procs = append(c.procs, p)
	return nil
}

// waitHealthy polls url with the admin client certificate until it answers 200.
func (c *Cluster) waitHealthy(p *process, url string, timeout time.Duration) error {
	pool := x509.NewCertPool()
	ca, _ := os.ReadFile(c.pki.caCert)
	pool.AppendCertsFromPEM(ca)
	cert, err := tls.LoadX509KeyPair(c.pki.adminCert, c.pki.adminKey)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}}}}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		if p.exited() {
			return fmt.Errorf("%s exited; see %s", p.name, filepath.Join(c.dir, p.name+".log"))
		}
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %s; see %s", p.name, timeout, filepath.Join(c.dir, p.name+".log"))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (c *Cluster) writeKubeconfig() error {
	c.kubeconfig = filepath.Join(c.dir, "kubeconfig")
	kc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://%s:%d
    certificate-authority: %s
users:
- name: admin
  user:
    client-certificate: %s
    client-key: %s
contexts:
- name: local
  context: {cluster: local, user: admin}
current-context: local
`, NodeIP, apiServerPort, c.pki.caCert, c.pki.adminCert, c.pki.adminKey)
	return os.WriteFile(c.kubeconfig, []byte(kc), 0o600)
}
