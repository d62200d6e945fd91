package localcluster

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// container is one container of a running pod: a local process in the pod's
// network namespace and its own mount namespace (its volumes bind-mounted
// at their mountPaths, resolv.conf pointing at the cluster DNS), restarted
// as restartPolicy says, its output in a log file the kubelet serves.
type container struct {
	pod     *podRuntime
	spec    corev1.Container
	argv    []string
	env     []string
	workDir string
	logPath string

	mu         sync.Mutex
	cmd        *exec.Cmd
	running    bool
	ready      bool
	started    metav1.Time
	restarts   int32
	lastExit   *corev1.ContainerStateTerminated
	waitReason string
	stopping   bool
	exited     chan struct{}
}

func (c *container) logFile(previous bool) string {
	if previous {
		return c.logPath + ".previous"
	}
	return c.logPath
}

// shellQuote quotes s for sh.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// command builds: nsenter into the pod's network namespace, a new private
// mount namespace, the bind mounts, then exec the program. The kubelet's own
// host paths (the checkout, the tools, the pod's directory) are bound first,
// at fixed paths under podPaths, and everything after reads from there: a
// volume's mountPath may cover the host paths (the Envoy fleet's emptyDir at
// /tmp covers a checkout or a cluster directory under /tmp), never those.
func (c *container) command() *exec.Cmd {
	var script strings.Builder
	script.WriteString("set -e\n")
	// hostPath is what src is on the host, to tell a file from a directory.
	mount := func(hostPath, src, dst string, readOnly bool) {
		st, err := os.Stat(hostPath)
		if err == nil && !st.IsDir() {
			fmt.Fprintf(&script, "mkdir -p %s; [ -e %s ] || : > %s\n", shellQuote(filepath.Dir(dst)), shellQuote(dst), shellQuote(dst))
		} else {
			fmt.Fprintf(&script, "mkdir -p %s\n", shellQuote(dst))
		}
		fmt.Fprintf(&script, "mount --bind %s %s\n", shellQuote(src), shellQuote(dst))
		if readOnly {
			fmt.Fprintf(&script, "mount -o remount,bind,ro %s\n", shellQuote(dst))
		}
	}
	opts := c.pod.k.c.opts
	mount(opts.RepoRoot, opts.RepoRoot, podRepoRoot, false)
	mount(opts.BinDir, opts.BinDir, podBinDir, false)
	mount(c.pod.dir, c.pod.dir, podDir, false)
	mount(filepath.Join(c.pod.dir, "resolv.conf"), filepath.Join(podDir, "resolv.conf"), "/etc/resolv.conf", true)
	for _, m := range c.spec.VolumeMounts {
		rel := filepath.Join("volumes", m.Name, m.SubPath)
		mount(filepath.Join(c.pod.dir, rel), filepath.Join(podDir, rel), m.MountPath, m.ReadOnly)
	}
	if c.workDir != "" {
		// After the mounts: the working directory may be under podPaths or a volume.
		fmt.Fprintf(&script, "cd %s\n", shellQuote(c.workDir))
	}
	script.WriteString(`exec "$@"` + "\n")
	args := []string{"--net=" + c.pod.sandbox.netnsPath(), "--",
		"unshare", "--mount", "--propagation", "private", "--",
		"sh", "-c", script.String(), "sh"}
	cmd := exec.Command("nsenter", append(args, c.argv...)...)
	cmd.Env = c.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	return cmd
}

// run starts the container and restarts it until the pod stops.
func (c *container) run() {
	defer close(c.exited)
	backoff := time.Second
	for {
		c.mu.Lock()
		if c.stopping {
			c.mu.Unlock()
			return
		}
		if _, err := os.Stat(c.logPath); err == nil {
			_ = os.Rename(c.logPath, c.logFile(true))
		}
		out, err := os.Create(c.logPath)
		if err != nil {
			c.mu.Unlock()
			c.pod.k.logf("localcluster: %s: %v", c.pod.key, err)
			return
		}
		cmd := c.command()
		cmd.Stdout, cmd.Stderr = out, out
		err = cmd.Start()
		start := time.Now()
		if err == nil {
			c.cmd, c.running, c.started, c.waitReason = cmd, true, metav1.NewTime(start), ""
			c.ready = c.spec.ReadinessProbe == nil
		}
		c.mu.Unlock()
		c.pod.statusChanged()
		exitCode := 128
		if err == nil {
			err = cmd.Wait()
			exitCode = cmd.ProcessState.ExitCode()
			if st, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && st.Signaled() {
				exitCode = 128 + int(st.Signal())
			}
		} else {
			fmt.Fprintf(out, "localcluster: start %v: %v\n", c.argv, err)
		}
		out.Close()
		c.mu.Lock()
		c.running, c.ready = false, false
		reason := "Completed"
		if exitCode != 0 {
			reason = "Error"
		}
		c.lastExit = &corev1.ContainerStateTerminated{ExitCode: int32(exitCode), Reason: reason, StartedAt: c.started, FinishedAt: metav1.Now()}
		stopping := c.stopping
		policy := c.pod.pod.Spec.RestartPolicy
		again := !stopping && (policy == corev1.RestartPolicyAlways || policy == "" || (policy == corev1.RestartPolicyOnFailure && exitCode != 0))
		if again {
			c.restarts++
			c.waitReason = "CrashLoopBackOff"
		}
		c.mu.Unlock()
		c.pod.statusChanged()
		if !again {
			return
		}
		if time.Since(start) > time.Minute {
			backoff = time.Second
		}
		select {
		case <-c.pod.done:
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 20*time.Second)
	}
}

// stop sends SIGTERM, then SIGKILL after grace.
func (c *container) stop(grace time.Duration) {
	c.mu.Lock()
	c.stopping = true
	cmd := c.cmd
	running := c.running
	c.mu.Unlock()
	if running && cmd != nil && cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-c.exited:
			return
		case <-time.After(grace):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	}
	<-c.exited
}

// probeReadiness runs the readiness probe while the pod lives.
func (c *container) probeReadiness() {
	p := c.spec.ReadinessProbe
	if p == nil {
		return
	}
	period := time.Duration(max(p.PeriodSeconds, 1)) * time.Second
	success, failure := max(p.SuccessThreshold, 1), max(p.FailureThreshold, 1)
	var ok, bad int32
	select {
	case <-c.pod.done:
		return
	case <-time.After(time.Duration(p.InitialDelaySeconds) * time.Second):
	}
	tick := time.NewTicker(min(period, 2*time.Second)) // probe soon after start, then every period
	defer tick.Stop()
	last := time.Time{}
	for {
		select {
		case <-c.pod.done:
			return
		case <-tick.C:
		}
		c.mu.Lock()
		running, ready := c.running, c.ready
		c.mu.Unlock()
		if !running {
			ok, bad = 0, 0
			continue
		}
		if ready && time.Since(last) < period {
			continue
		}
		last = time.Now()
		if c.probe(p) {
			ok, bad = ok+1, 0
		} else {
			ok, bad = 0, bad+1
		}
		if (!ready && ok >= success) || (ready && bad >= failure) {
			c.mu.Lock()
			c.ready = !ready
			c.mu.Unlock()
			c.pod.statusChanged()
		}
	}
}

func (c *container) probe(p *corev1.Probe) bool {
	timeout := time.Duration(max(p.TimeoutSeconds, 1)) * time.Second
	ip := c.pod.sandbox.ip.String()
	switch {
	case p.HTTPGet != nil:
		port, err := c.resolvePort(p.HTTPGet.Port)
		if err != nil {
			return false
		}
		scheme := "http"
		client := &http.Client{Timeout: timeout}
		if p.HTTPGet.Scheme == corev1.URISchemeHTTPS {
			scheme = "https"
			client.Transport = insecureTransport()
		}
		resp, err := client.Get(fmt.Sprintf("%s://%s%s", scheme, net.JoinHostPort(ip, strconv.Itoa(port)), p.HTTPGet.Path))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode >= 200 && resp.StatusCode < 400
	case p.TCPSocket != nil:
		port, err := c.resolvePort(p.TCPSocket.Port)
		if err != nil {
			return false
		}
		conn, err := net.DialTimeout("tcp", net.JoinHostPort(ip, strconv.Itoa(port)), timeout)
		if err != nil {
			return false
		}
		conn.Close()
		return true
	case p.Exec != nil:
		// Inside the container: its network and mount namespaces.
		c.mu.Lock()
		cmd := c.cmd
		c.mu.Unlock()
		if cmd == nil || cmd.Process == nil {
			return false
		}
		args := append([]string{"--target", strconv.Itoa(cmd.Process.Pid), "--net", "--mount", "--"}, p.Exec.Command...)
		probe := exec.Command("nsenter", args...)
		probe.Env = c.env
		return probe.Run() == nil
	}
	return false
}

func (c *container) resolvePort(p intstr.IntOrString) (int, error) {
	if p.Type == intstr.Int {
		return p.IntValue(), nil
	}
	for _, cp := range c.spec.Ports {
		if cp.Name == p.StrVal {
			return int(cp.ContainerPort), nil
		}
	}
	return 0, fmt.Errorf("no port named %q", p.StrVal)
}

func (c *container) status() corev1.ContainerStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := corev1.ContainerStatus{Name: c.spec.Name, Image: c.spec.Image, ImageID: c.spec.Image, Ready: c.ready, RestartCount: c.restarts,
		ContainerID: fmt.Sprintf("localcluster://%s/%s", c.pod.pod.UID, c.spec.Name)}
	started := c.running
	st.Started = &started
	switch {
	case c.running:
		st.State.Running = &corev1.ContainerStateRunning{StartedAt: c.started}
	case c.waitReason != "":
		st.State.Waiting = &corev1.ContainerStateWaiting{Reason: c.waitReason}
	case c.lastExit != nil:
		st.State.Terminated = c.lastExit
	default:
		st.State.Waiting = &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}
	}
	if c.lastExit != nil && (c.running || c.waitReason != "") {
		st.LastTerminationState.Terminated = c.lastExit
	}
	return st
}
