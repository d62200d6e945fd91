package localcluster

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	listersv1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

const (
	nodeName    = "localcluster-node"
	kubeletPort = 10250
)

// kubelet binds pending pods to the one Node (there is no scheduler) and runs
// them: see podRuntime and container.
type kubelet struct {
	c      *Cluster
	ctx    context.Context
	images map[string]image
	pods   listersv1.PodLister
	queue  workqueue.TypedRateLimitingInterface[string]
	logf   func(string, ...any)
	server *http.Server

	mu          sync.Mutex
	running     map[string]*podRuntime // namespace/name -> pod being run
	unknown     map[types.UID]bool     // pods already told their image is unknown
	terminating map[types.UID]bool     // pods being stopped after deletion
}

func startKubelet(ctx context.Context, c *Cluster) (*kubelet, error) {
	k := &kubelet{c: c, ctx: ctx, images: knownImages(podBinDir, podRepoRoot), logf: c.logf,
		queue:   workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]()),
		running: map[string]*podRuntime{}, unknown: map[types.UID]bool{}, terminating: map[types.UID]bool{}}
	if err := k.serve(); err != nil {
		return nil, err
	}
	if err := k.registerNode(ctx); err != nil {
		return nil, err
	}
	f := informers.NewSharedInformerFactory(c.client, 0)
	inf := f.Core().V1().Pods().Informer()
	k.pods = f.Core().V1().Pods().Lister()
	enqueue := func(o any) {
		if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(o); err == nil {
			k.queue.Add(key)
		}
	}
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: enqueue, UpdateFunc: func(_, o any) { enqueue(o) }, DeleteFunc: enqueue})
	f.Start(ctx.Done())
	f.WaitForCacheSync(ctx.Done())
	for i := 0; i < 4; i++ {
		go k.work()
	}
	go func() { <-ctx.Done(); k.queue.ShutDown() }()
	return k, nil
}

func (k *kubelet) registerNode(ctx context.Context) error {
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("64"),
		corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods:   resource.MustParse("1000"),
	}
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: nodeName, Labels: map[string]string{
			"kubernetes.io/hostname": nodeName, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
		}},
		Spec: corev1.NodeSpec{PodCIDR: "10.244.0.0/16", PodCIDRs: []string{"10.244.0.0/16"}},
	}
	created, err := k.c.client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("register Node: %w", err)
	}
	now := metav1.Now()
	created.Status = corev1.NodeStatus{
		Capacity: capacity, Allocatable: capacity, Phase: corev1.NodeRunning,
		Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
			Message: "localcluster process kubelet", LastHeartbeatTime: now, LastTransitionTime: now}},
		Addresses:       []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: NodeIP}, {Type: corev1.NodeHostName, Address: nodeName}},
		DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: kubeletPort}},
		NodeInfo:        corev1.NodeSystemInfo{OperatingSystem: "linux", Architecture: "amd64", KubeletVersion: "v1.36.3", ContainerRuntimeVersion: "localcluster://process"},
	}
	updated, err := k.c.client.CoreV1().Nodes().UpdateStatus(ctx, created, metav1.UpdateOptions{})
	if err != nil {
		return err
	}
	// The API server taints a new Node not-ready (TaintNodesByCondition);
	// the node lifecycle controller, which would lift it, does not run here.
	updated.Spec.Taints = nil
	_, err = k.c.client.CoreV1().Nodes().Update(ctx, updated, metav1.UpdateOptions{})
	return err
}

func (k *kubelet) work() {
	for {
		key, quit := k.queue.Get()
		if quit {
			return
		}
		if err := k.sync(key); err != nil {
			k.logf("localcluster: kubelet %s: %v", key, err)
			k.queue.AddRateLimited(key)
		} else {
			k.queue.Forget(key)
		}
		k.queue.Done(key)
	}
}

func (k *kubelet) sync(key string) error {
	ns, name, _ := cache.SplitMetaNamespaceKey(key)
	pod, err := k.pods.Pods(ns).Get(name)
	k.mu.Lock()
	rt := k.running[key]
	k.mu.Unlock()
	if apierrors.IsNotFound(err) || (err == nil && rt != nil && rt.pod.UID != pod.UID) {
		if rt != nil {
			k.remove(key, rt, 0)
		}
		if err != nil {
			return nil
		}
		rt = nil
	} else if err != nil {
		return err
	}
	if pod.Spec.NodeName == "" {
		if pod.Spec.SchedulerName != "" && pod.Spec.SchedulerName != corev1.DefaultSchedulerName {
			return nil
		}
		return k.bind(pod)
	}
	if pod.Spec.NodeName != nodeName {
		return nil
	}
	if pod.DeletionTimestamp != nil {
		grace := time.Duration(30) * time.Second
		if pod.DeletionGracePeriodSeconds != nil {
			grace = time.Duration(*pod.DeletionGracePeriodSeconds) * time.Second
		}
		// Stopping takes up to the grace period: not on a worker, so one
		// slow pod does not hold up the others.
		k.mu.Lock()
		busy := k.terminating[pod.UID]
		k.terminating[pod.UID] = true
		k.mu.Unlock()
		if !busy {
			go k.terminate(key, rt, pod, grace)
		}
		return nil
	}
	if rt != nil || pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return nil
	}
	for _, c := range append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...) {
		if _, err := resolveImage(k.images, c.Image); err != nil {
			return k.refuseImage(pod, c, err)
		}
	}
	if len(pod.Spec.InitContainers) > 0 {
		k.event(pod, corev1.EventTypeWarning, "Failed", "localcluster does not run init containers")
		return nil
	}
	dir := filepath.Join(k.c.dir, "pods", string(pod.UID))
	rt = &podRuntime{k: k, key: key, pod: pod.DeepCopy(), dir: dir, started: metav1.Now(),
		done: make(chan struct{}), changed: make(chan struct{}, 1)}
	k.mu.Lock()
	k.running[key] = rt
	k.mu.Unlock()
	go rt.start(k.ctx, k.images)
	return nil
}

// terminate stops the pod's containers, then finalises the deletion.
func (k *kubelet) terminate(key string, rt *podRuntime, pod *corev1.Pod, grace time.Duration) {
	if rt != nil {
		k.remove(key, rt, grace)
	}
	zero := int64(0)
	err := k.c.client.CoreV1().Pods(pod.Namespace).Delete(k.ctx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero,
		Preconditions: &metav1.Preconditions{UID: &pod.UID}})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) && k.ctx.Err() == nil {
		k.logf("localcluster: finalise deletion of %s: %v", key, err)
	}
	k.mu.Lock()
	delete(k.terminating, pod.UID)
	delete(k.unknown, pod.UID)
	k.mu.Unlock()
	if err != nil && k.ctx.Err() == nil {
		k.queue.AddAfter(key, time.Second)
	}
}

func (k *kubelet) remove(key string, rt *podRuntime, grace time.Duration) {
	rt.stop(grace)
	k.mu.Lock()
	if k.running[key] == rt {
		delete(k.running, key)
	}
	k.mu.Unlock()
}

func (k *kubelet) bind(pod *corev1.Pod) error {
	b := &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace, UID: pod.UID},
		Target: corev1.ObjectReference{Kind: "Node", Name: nodeName}}
	err := k.c.client.CoreV1().Pods(pod.Namespace).Bind(k.ctx, b, metav1.CreateOptions{})
	if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
		return nil
	}
	if err == nil {
		k.event(pod, corev1.EventTypeNormal, "Scheduled", "Successfully assigned "+pod.Namespace+"/"+pod.Name+" to "+nodeName)
	}
	return err
}

// refuseImage is the answer to an image the kubelet cannot run: a Warning
// event naming it, and the pod stays Pending with the container waiting in
// ErrImagePull, as with an image that cannot be pulled.
func (k *kubelet) refuseImage(pod *corev1.Pod, c corev1.Container, cause error) error {
	k.mu.Lock()
	told := k.unknown[pod.UID]
	k.unknown[pod.UID] = true
	k.mu.Unlock()
	if told {
		return nil
	}
	msg := fmt.Sprintf("Failed to pull image %q: %v", c.Image, cause)
	k.event(pod, corev1.EventTypeWarning, "Failed", msg)
	upd := pod.DeepCopy()
	upd.Status.Phase = corev1.PodPending
	upd.Status.HostIP = NodeIP
	upd.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: c.Name, Image: c.Image,
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImagePull", Message: msg}}}}
	upd.Status.Conditions = append(upd.Status.Conditions, corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionFalse,
		Reason: "ContainersNotReady", LastTransitionTime: metav1.Now()})
	_, err := k.c.client.CoreV1().Pods(pod.Namespace).UpdateStatus(k.ctx, upd, metav1.UpdateOptions{})
	return err
}

func (k *kubelet) event(pod *corev1.Pod, typ, reason, msg string) {
	now := metav1.Now()
	ev := &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{GenerateName: pod.Name + ".", Namespace: pod.Namespace},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID},
		Type:           typ, Reason: reason, Message: msg, Count: 1,
		FirstTimestamp: now, LastTimestamp: now,
		Source: corev1.EventSource{Component: "kubelet", Host: nodeName},
	}
	if _, err := k.c.client.CoreV1().Events(pod.Namespace).Create(k.ctx, ev, metav1.CreateOptions{}); err != nil && k.ctx.Err() == nil {
		k.logf("localcluster: event for %s/%s: %v", pod.Namespace, pod.Name, err)
	}
}

// containerEnv is the container's environment: the Service variables for
// the API server, the container's env (values, fieldRef, ConfigMap and
// Secret keys, envFrom), and PATH/HOME from the harness so programs run.
func (k *kubelet) containerEnv(ctx context.Context, pod *corev1.Pod, c corev1.Container) (map[string]string, error) {
	env := map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME"), "HOSTNAME": pod.Name,
		"KUBERNETES_SERVICE_HOST": NodeIP, "KUBERNETES_SERVICE_PORT": strconv.Itoa(apiServerPort),
		"KUBERNETES_SERVICE_PORT_HTTPS": strconv.Itoa(apiServerPort),
	}
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			cm, err := k.c.client.CoreV1().ConfigMaps(pod.Namespace).Get(ctx, from.ConfigMapRef.Name, metav1.GetOptions{})
			if err != nil {
				if from.ConfigMapRef.Optional != nil && *from.ConfigMapRef.Optional {
					continue
				}
				return nil, err
			}
			for key, v := range cm.Data {
				env[from.Prefix+key] = v
			}
		case from.SecretRef != nil:
			s, err := k.c.client.CoreV1().Secrets(pod.Namespace).Get(ctx, from.SecretRef.Name, metav1.GetOptions{})
			if err != nil {
				if from.SecretRef.Optional != nil && *from.SecretRef.Optional {
					continue
				}
				return nil, err
			}
			for key, v := range s.Data {
				env[from.Prefix+key] = string(v)
			}
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			env[e.Name] = expandVars(e.Value, env)
			continue
		}
		var v string
		var err error
		switch src := e.ValueFrom; {
		case src.FieldRef != nil:
			v, err = podField(pod, src.FieldRef.FieldPath)
		case src.ConfigMapKeyRef != nil:
			var cm *corev1.ConfigMap
			if cm, err = k.c.client.CoreV1().ConfigMaps(pod.Namespace).Get(ctx, src.ConfigMapKeyRef.Name, metav1.GetOptions{}); err == nil {
				v = cm.Data[src.ConfigMapKeyRef.Key]
			}
		case src.SecretKeyRef != nil:
			var s *corev1.Secret
			if s, err = k.c.client.CoreV1().Secrets(pod.Namespace).Get(ctx, src.SecretKeyRef.Name, metav1.GetOptions{}); err == nil {
				v = string(s.Data[src.SecretKeyRef.Key])
			}
		case src.ResourceFieldRef != nil:
			v = "0"
		}
		if err != nil {
			return nil, fmt.Errorf("env %s: %w", e.Name, err)
		}
		env[e.Name] = v
	}
	return env, nil
}

// serve answers the API server's requests for container logs
// (GET /containerLogs/<namespace>/<pod>/<container>?follow&tailLines&previous).
func (k *kubelet) serve() error {
	cert, err := tls.LoadX509KeyPair(k.c.pki.kubeletCert, k.c.pki.kubeletKey)
	if err != nil {
		return err
	}
	l, err := tls.Listen("tcp", net.JoinHostPort(NodeIP, strconv.Itoa(kubeletPort)), &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		return fmt.Errorf("kubelet server: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	mux.HandleFunc("/containerLogs/", k.serveLogs)
	k.server = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = k.server.Serve(l) }()
	return nil
}

func (k *kubelet) serveLogs(w http.ResponseWriter, req *http.Request) {
	parts := strings.Split(strings.TrimPrefix(req.URL.Path, "/containerLogs/"), "/")
	if len(parts) != 3 {
		http.Error(w, "want /containerLogs/<namespace>/<pod>/<container>", http.StatusBadRequest)
		return
	}
	k.mu.Lock()
	rt := k.running[parts[0]+"/"+parts[1]]
	k.mu.Unlock()
	var c *container
	if rt != nil {
		_, containers, _ := rt.state()
		for _, cc := range containers {
			if cc.spec.Name == parts[2] {
				c = cc
			}
		}
	}
	if c == nil {
		http.Error(w, fmt.Sprintf("container %q in pod %s/%s is not running here", parts[2], parts[0], parts[1]), http.StatusNotFound)
		return
	}
	q := req.URL.Query()
	f, err := os.Open(c.logFile(q.Get("previous") == "true"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	defer f.Close()
	data, _ := io.ReadAll(f)
	if n, err := strconv.Atoi(q.Get("tailLines")); err == nil && n >= 0 {
		lines := strings.SplitAfter(string(data), "\n")
		if lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		if len(lines) > n {
			lines = lines[len(lines)-n:]
		}
		data = []byte(strings.Join(lines, ""))
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write(data)
	if q.Get("follow") != "true" {
		return
	}
	flusher, _ := w.(http.Flusher)
	buf := make([]byte, 32*1024)
	for {
		if flusher != nil {
			flusher.Flush()
		}
		select {
		case <-req.Context().Done():
			return
		case <-rt.done:
			return
		case <-time.After(200 * time.Millisecond):
		}
		for {
			n, err := f.Read(buf)
			if n > 0 {
				if _, werr := w.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				break
			}
		}
	}
}

// stopAll stops every pod (short grace: the cluster is going away).
func (k *kubelet) stopAll() {
	if k.server != nil {
		_ = k.server.Close()
	}
	k.mu.Lock()
	rts := make([]*podRuntime, 0, len(k.running))
	for _, rt := range k.running {
		rts = append(rts, rt)
	}
	k.running = map[string]*podRuntime{}
	k.mu.Unlock()
	var wg sync.WaitGroup
	for _, rt := range rts {
		wg.Add(1)
		go func() { defer wg.Done(); rt.stop(3 * time.Second) }()
	}
	wg.Wait()
}
