package localcluster

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// podRuntime is a pod the kubelet runs: its network sandbox, volumes and
// containers.
type podRuntime struct {
	k       *kubelet
	key     string
	pod     *corev1.Pod // as the kubelet admitted it
	dir     string
	started metav1.Time
	done    chan struct{}
	changed chan struct{}

	// mu guards what start (setUp) writes and the status writer, the log
	// server and stop read from other goroutines.
	mu         sync.Mutex
	sandbox    *sandbox
	containers []*container
	running    bool // the containers' goroutines are started
	stopped    bool // stop has run: start no longer sets anything up
	setupErr   string
}

// errPodStopped ends setUp when the pod was stopped meanwhile.
var errPodStopped = errors.New("pod stopped")

// state is what the other goroutines may read of the pod, taken under mu.
func (r *podRuntime) state() (*sandbox, []*container, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sandbox, r.containers, r.setupErr
}

func (r *podRuntime) statusChanged() {
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// start sets the pod up: address and network namespace, volumes, containers.
// A step that fails is retried (as the kubelet does) and reported as an event.
func (r *podRuntime) start(ctx context.Context, images map[string]image) {
	go r.writeStatusLoop(ctx)
	for attempt := 0; ; attempt++ {
		err := r.setUp(ctx, images)
		if err == nil {
			break
		}
		r.mu.Lock()
		stopped := r.stopped
		r.setupErr = err.Error()
		r.mu.Unlock()
		if stopped {
			return
		}
		r.statusChanged()
		r.k.event(r.pod, corev1.EventTypeWarning, "FailedMount", err.Error())
		select {
		case <-r.done:
			return
		case <-time.After(min(time.Duration(attempt+1)*time.Second, 10*time.Second)):
		}
	}
	// Under mu, so that stop either sees the containers running (and stops
	// them) or has already run (and none start).
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		return
	}
	r.setupErr, r.running = "", true
	for _, c := range r.containers {
		go c.run()
		go c.probeReadiness()
	}
	n, ip := len(r.containers), r.sandbox.ip
	r.mu.Unlock()
	r.statusChanged()
	r.k.event(r.pod, corev1.EventTypeNormal, "Started", fmt.Sprintf("Started %d container(s) on %s", n, ip))
}

// setUp runs on start's goroutine, the only writer of sandbox and
// containers: it reads them without mu and writes them under it.
func (r *podRuntime) setUp(ctx context.Context, images map[string]image) error {
	for _, spec := range r.pod.Spec.Containers {
		for i, m := range spec.VolumeMounts {
			if coversPodPaths(m.MountPath) {
				return fmt.Errorf("container %q: volumeMounts[%d].mountPath %q covers %s, where this kubelet keeps what containers run", spec.Name, i, m.MountPath, podPaths)
			}
		}
	}
	if r.sandbox == nil {
		ip, err := r.k.c.ipam.pod()
		if err != nil {
			return err
		}
		sb, err := newSandbox(fmt.Sprintf("%d", ipToU32(ip)&0xffff), ip)
		if err != nil {
			r.k.c.ipam.releasePod(ip)
			return err
		}
		r.mu.Lock()
		stopped := r.stopped
		if !stopped {
			r.sandbox = sb
		}
		r.mu.Unlock()
		if stopped {
			sb.close()
			r.k.c.ipam.releasePod(ip)
			return errPodStopped
		}
		r.statusChanged()
	}
	resolv := fmt.Sprintf("nameserver %s\nsearch %s.svc.%s svc.%s %s\noptions ndots:5\n", NodeIP, r.pod.Namespace, clusterDomain, clusterDomain, clusterDomain)
	if err := writeFile(filepath.Join(r.dir, "resolv.conf"), []byte(resolv)); err != nil {
		return err
	}
	pod := r.pod.DeepCopy()
	pod.Status.PodIP = r.sandbox.ip.String()
	if err := writeVolumes(ctx, r.k.c.client, pod, filepath.Join(r.dir, "volumes")); err != nil {
		return err
	}
	var containers []*container
	for _, spec := range r.pod.Spec.Containers {
		img, err := resolveImage(images, spec.Image)
		if err != nil {
			return err
		}
		env, err := r.k.containerEnv(ctx, pod, spec)
		if err != nil {
			return fmt.Errorf("container %q env: %w", spec.Name, err)
		}
		argv := append([]string{}, img.entrypoint...)
		args := spec.Args
		if len(spec.Command) > 0 {
			// The known images stand for a program, not a file system: a
			// command override replaces only the image's default args.
			args = append(append([]string{}, spec.Command...), spec.Args...)
		} else if len(args) == 0 {
			args = img.defaultArgs
		}
		for _, a := range args {
			argv = append(argv, expandVars(a, env))
		}
		workDir := img.workDir
		if spec.WorkingDir != "" {
			workDir = spec.WorkingDir
		}
		logDir := filepath.Join(r.dir, "logs")
		if err := os.MkdirAll(logDir, 0o755); err != nil {
			return err
		}
		containers = append(containers, &container{pod: r, spec: spec, argv: argv, workDir: workDir,
			env: envList(env), logPath: filepath.Join(logDir, spec.Name+".log"), exited: make(chan struct{})})
	}
	r.mu.Lock()
	r.containers = containers
	r.mu.Unlock()
	return nil
}

var varRef = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)`)

// expandVars replaces $(VAR) with the container's env, as Kubernetes does in
// command, args and env values.
func expandVars(s string, env map[string]string) string {
	return varRef.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := env[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

func envList(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// stop stops the containers (SIGTERM, then SIGKILL after grace) and removes
// the sandbox.
func (r *podRuntime) stop(grace time.Duration) {
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		return
	}
	r.stopped = true
	close(r.done)
	sb, containers, running := r.sandbox, r.containers, r.running
	r.mu.Unlock()
	if running {
		// Each container's run goroutine ends (closing exited) once stopping is
		// set and its process, if any, is gone.
		for _, c := range containers {
			c.stop(grace)
		}
	}
	if sb != nil {
		sb.close()
		r.k.c.ipam.releasePod(sb.ip)
	}
}

// writeStatusLoop writes the pod's status whenever it changes.
func (r *podRuntime) writeStatusLoop(ctx context.Context) {
	for {
		select {
		case <-r.done:
			return
		case <-ctx.Done():
			return
		case <-r.changed:
		}
		for i := 0; i < 5; i++ {
			if err := r.writeStatus(ctx); err == nil {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

func (r *podRuntime) writeStatus(ctx context.Context) error {
	cur, err := r.k.c.client.CoreV1().Pods(r.pod.Namespace).Get(ctx, r.pod.Name, metav1.GetOptions{})
	if err != nil || cur.UID != r.pod.UID || cur.DeletionTimestamp != nil {
		return nil
	}
	sb, containers, setupErr := r.state()
	st := cur.Status.DeepCopy()
	st.HostIP, st.HostIPs = NodeIP, []corev1.HostIP{{IP: NodeIP}}
	st.StartTime = &r.started
	if sb != nil {
		st.PodIP, st.PodIPs = sb.ip.String(), []corev1.PodIP{{IP: sb.ip.String()}}
	}
	st.ContainerStatuses = nil
	allReady, anyRunning, allDone := len(containers) > 0, false, len(containers) > 0
	for _, c := range containers {
		cs := c.status()
		st.ContainerStatuses = append(st.ContainerStatuses, cs)
		allReady = allReady && cs.Ready
		anyRunning = anyRunning || cs.State.Running != nil
		allDone = allDone && cs.State.Terminated != nil
	}
	if len(containers) == 0 {
		for _, spec := range r.pod.Spec.Containers {
			reason := "ContainerCreating"
			st.ContainerStatuses = append(st.ContainerStatuses, corev1.ContainerStatus{Name: spec.Name, Image: spec.Image,
				State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: setupErr}}})
		}
	}
	switch {
	case allDone:
		st.Phase = corev1.PodSucceeded
		for _, cs := range st.ContainerStatuses {
			if cs.State.Terminated.ExitCode != 0 {
				st.Phase = corev1.PodFailed
			}
		}
	case anyRunning:
		st.Phase = corev1.PodRunning
	default:
		if st.Phase != corev1.PodRunning {
			st.Phase = corev1.PodPending
		}
	}
	set := func(t corev1.PodConditionType, ok bool) {
		v := corev1.ConditionFalse
		if ok {
			v = corev1.ConditionTrue
		}
		for i := range st.Conditions {
			if st.Conditions[i].Type == t {
				if st.Conditions[i].Status != v {
					st.Conditions[i].Status, st.Conditions[i].LastTransitionTime = v, metav1.Now()
				}
				return
			}
		}
		st.Conditions = append(st.Conditions, corev1.PodCondition{Type: t, Status: v, LastTransitionTime: metav1.Now()})
	}
	set(corev1.PodScheduled, true)
	set(corev1.PodReadyToStartContainers, sb != nil)
	set(corev1.PodInitialized, true)
	set(corev1.ContainersReady, allReady)
	set(corev1.PodReady, allReady)
	cur.Status = *st
	_, err = r.k.c.client.CoreV1().Pods(cur.Namespace).UpdateStatus(ctx, cur, metav1.UpdateOptions{})
	return err
}

func insecureTransport() *http.Transport {
	return &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // probes skip verification, as the kubelet does
}

var _ = strconv.Itoa
