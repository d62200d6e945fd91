package localcluster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"switchyard.dev/e2e/localcluster"
)

var cluster *localcluster.Cluster

// TestMain runs the tests in the harness's own network namespace with one
// cluster for all of them (starting one takes ~10 s).
func TestMain(m *testing.M) {
	if !localcluster.InHarnessNetns() {
		code, err := localcluster.ReexecInNetns()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(code)
	}
	bin, _ := filepath.Abs("../bin")
	c, err := localcluster.Start(context.Background(), localcluster.Options{BinDir: bin, Logf: func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cluster = c
	code := m.Run()
	c.Stop()
	os.Exit(code)
}

func namespace(t *testing.T, client kubernetes.Interface) string {
	t.Helper()
	name := strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	if len(name) > 50 {
		name = name[:50]
	}
	_, err := client.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The ServiceAccount admission plugin refuses pods until the namespace's
	// default ServiceAccount exists (the controller manager creates it).
	waitFor(t, 30*time.Second, "default ServiceAccount", func() (bool, error) {
		_, err := client.CoreV1().ServiceAccounts(name).Get(context.Background(), "default", metav1.GetOptions{})
		return err == nil, nil
	})
	return name
}

func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, timeout, true, func(context.Context) (bool, error) {
		ok, err := cond()
		last = err
		return ok, nil
	})
	if err != nil {
		t.Fatalf("%s: not after %s (last error: %v)", what, timeout, last)
	}
}

func echoDeployment(ns string, replicas int32) *appsv1.Deployment {
	labels := map[string]string{"app": "echo"}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "echo", Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name:  "echo",
					Image: "registry.k8s.io/gateway-api/echo-basic:v1.5.1",
					Env: []corev1.EnvVar{
						{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
						{Name: "NAMESPACE", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}},
					},
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 3000}},
					ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/", Port: intstr.FromString("http")}},
						PeriodSeconds: 1},
				}}},
			},
		},
	}
}

// echoed is what echo-basic answers: which pod served the request.
type echoed struct {
	Pod       string `json:"pod"`
	Namespace string `json:"namespace"`
}

func get(url string) (echoed, error) {
	client := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(url)
	if err != nil {
		return echoed{}, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return echoed{}, fmt.Errorf("%s: %d %s", url, resp.StatusCode, body)
	}
	var e echoed
	err = json.Unmarshal(body, &e)
	return e, err
}

func readyPods(t *testing.T, client kubernetes.Interface, ns string, want int) []corev1.Pod {
	t.Helper()
	var ready []corev1.Pod
	waitFor(t, 90*time.Second, fmt.Sprintf("%d ready pods in %s", want, ns), func() (bool, error) {
		pods, err := client.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		ready = nil
		for _, p := range pods.Items {
			for _, c := range p.Status.Conditions {
				if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue && p.DeletionTimestamp == nil {
					ready = append(ready, p)
				}
			}
		}
		return len(ready) == want, nil
	})
	return ready
}

// A Deployment of echo-basic becomes Ready; each pod answers on its own pod
// IP, through its Service's ClusterIP and name (cluster DNS) and through the
// address the LoadBalancer stand-in gives the Service; its logs come through
// the API server; a deleted pod is finalised and replaced.
func TestEchoDeploymentServesOnPodIPsAndLoadBalancer(t *testing.T) {
	client := cluster.Client()
	ctx := context.Background()
	ns := namespace(t, client)
	if _, err := client.AppsV1().Deployments(ns).Create(ctx, echoDeployment(ns, 2), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "echo", Namespace: ns},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": "echo"},
			Ports: []corev1.ServicePort{{Name: "http", Port: 8080, TargetPort: intstr.FromInt32(3000)}}},
	}
	if _, err := client.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pods := readyPods(t, client, ns, 2)
	names := map[string]bool{}
	for _, p := range pods {
		names[p.Name] = true
		if p.Status.PodIP == "" || p.Status.Phase != corev1.PodRunning {
			t.Fatalf("pod %s: phase %s, podIP %q", p.Name, p.Status.Phase, p.Status.PodIP)
		}
		e, err := get("http://" + net.JoinHostPort(p.Status.PodIP, "3000") + "/")
		if err != nil {
			t.Fatal(err)
		}
		if e.Pod != p.Name || e.Namespace != ns {
			t.Fatalf("pod IP %s answered as %s/%s, want %s/%s", p.Status.PodIP, e.Namespace, e.Pod, ns, p.Name)
		}
	}

	var lb string
	waitFor(t, 30*time.Second, "LoadBalancer address", func() (bool, error) {
		s, err := client.CoreV1().Services(ns).Get(ctx, "echo", metav1.GetOptions{})
		if err != nil || len(s.Status.LoadBalancer.Ingress) == 0 {
			return false, err
		}
		lb = s.Status.LoadBalancer.Ingress[0].IP
		return true, nil
	})
	s, _ := client.CoreV1().Services(ns).Get(ctx, "echo", metav1.GetOptions{})
	for _, addr := range []string{lb, s.Spec.ClusterIP} {
		seen := map[string]bool{}
		waitFor(t, 30*time.Second, "both pods through "+addr, func() (bool, error) {
			e, err := get("http://" + net.JoinHostPort(addr, "8080") + "/")
			if err != nil {
				return false, err
			}
			if !names[e.Pod] {
				return false, fmt.Errorf("answered by %q, not a pod of the Deployment", e.Pod)
			}
			seen[e.Pod] = true
			return len(seen) == 2, nil
		})
	}

	// The cluster DNS pods use answers the Service's name with its ClusterIP.
	m := new(dns.Msg)
	m.SetQuestion("echo."+ns+".svc.cluster.local.", dns.TypeA)
	r, err := dns.Exchange(m, net.JoinHostPort(localcluster.NodeIP, "53"))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != s.Spec.ClusterIP {
		t.Fatalf("DNS answer for the Service: %v, want %s", r.Answer, s.Spec.ClusterIP)
	}

	// Logs through the API server.
	logs, err := client.CoreV1().Pods(ns).GetLogs(pods[0].Name, &corev1.PodLogOptions{Container: "echo"}).DoRaw(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logs), "Starting server") && !strings.Contains(string(logs), "3000") {
		t.Fatalf("logs of %s do not show echo-basic starting:\n%s", pods[0].Name, logs)
	}

	// Deletion: the pod is finalised (gone from the API) and replaced.
	if err := client.CoreV1().Pods(ns).Delete(ctx, pods[0].Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "deleted pod gone", func() (bool, error) {
		_, err := client.CoreV1().Pods(ns).Get(ctx, pods[0].Name, metav1.GetOptions{})
		return err != nil, nil
	})
	readyPods(t, client, ns, 2)
}

// An image the kubelet does not know: a Warning event naming it, the pod
// stays Pending, and the rest of the cluster carries on.
func TestUnknownImageStaysPendingWithWarning(t *testing.T) {
	client := cluster.Client()
	ctx := context.Background()
	ns := namespace(t, client)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "mystery", Namespace: ns},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "example.com/mystery:1.0"}}}}
	if _, err := client.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "Warning event", func() (bool, error) {
		evs, err := client.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=mystery"})
		if err != nil {
			return false, err
		}
		for _, e := range evs.Items {
			if e.Type == corev1.EventTypeWarning && strings.Contains(e.Message, "example.com/mystery:1.0") {
				return true, nil
			}
		}
		return false, nil
	})
	time.Sleep(2 * time.Second)
	p, err := client.CoreV1().Pods(ns).Get(ctx, "mystery", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Status.Phase != corev1.PodPending || len(p.Status.ContainerStatuses) != 1 || p.Status.ContainerStatuses[0].State.Waiting == nil ||
		p.Status.ContainerStatuses[0].State.Waiting.Reason != "ErrImagePull" {
		t.Fatalf("pod status: phase %s, containers %+v", p.Status.Phase, p.Status.ContainerStatuses)
	}
	// A pod with a known image in the same namespace still runs.
	if _, err := client.AppsV1().Deployments(ns).Create(ctx, echoDeployment(ns, 1), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	readyPods(t, client, ns, 1)
}

// Volumes appear where the container mounts them: the readiness probe runs
// inside the container's mount namespace and passes only when the
// ConfigMap key, the Secret key, the projected ServiceAccount token (with the
// cluster CA) and the downward-API file are there with the right content.
func TestVolumesAtTheirMountPaths(t *testing.T) {
	client := cluster.Client()
	ctx := context.Background()
	ns := namespace(t, client)
	if _, err := client.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cfg"},
		Data: map[string]string{"greeting": "hello"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "sec"},
		Data: map[string][]byte{"tls.key": []byte("secret-key")}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	check := `grep -qx hello /run/localcluster-test/cfg/greeting && grep -qx secret-key /run/localcluster-test/sec/tls.key &&
		test -s /var/run/secrets/kubernetes.io/serviceaccount/token && grep -q CERTIFICATE /var/run/secrets/kubernetes.io/serviceaccount/ca.crt &&
		grep -qx "$POD_NAMESPACE" /run/localcluster-test/podinfo/namespace`
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "volumes", Namespace: ns, Labels: map[string]string{"app": "v"}},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name: "echo", Image: "registry.k8s.io/gateway-api/echo-basic:v1.6.0-dev.2",
				Env: []corev1.EnvVar{{Name: "POD_NAMESPACE", Value: ns}},
				VolumeMounts: []corev1.VolumeMount{
					{Name: "cfg", MountPath: "/run/localcluster-test/cfg", ReadOnly: true},
					{Name: "sec", MountPath: "/run/localcluster-test/sec", ReadOnly: true},
					{Name: "podinfo", MountPath: "/run/localcluster-test/podinfo"},
				},
				ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"sh", "-c", check}}}, PeriodSeconds: 1},
			}},
			Volumes: []corev1.Volume{
				{Name: "cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}}}},
				{Name: "sec", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "sec"}}},
				{Name: "podinfo", VolumeSource: corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{Items: []corev1.DownwardAPIVolumeFile{
					{Path: "namespace", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.namespace"}},
				}}}},
			},
		}}
	if _, err := client.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	readyPods(t, client, ns, 1)
	// The same files are not visible outside the pod.
	if _, err := os.Stat("/run/localcluster-test/cfg/greeting"); err == nil {
		t.Fatal("/run/localcluster-test/cfg/greeting exists outside the pod")
	}
}

// Volumes may cover the host paths the kubelet works from, as the Envoy
// fleet's emptyDir at /tmp covers a checkout (and a cluster directory) under
// /tmp: here an emptyDir over the directory holding the container's program
// (e2e/bin) and one over the cluster's directory, which holds the files of
// the pod's other volumes. The program still starts and serves, the later
// ConfigMap volume is still there, and the probe checks that both host paths
// are indeed covered inside the container.
func TestVolumesOverTheKubeletsHostPaths(t *testing.T) {
	client := cluster.Client()
	ctx := context.Background()
	ns := namespace(t, client)
	bin, err := filepath.Abs("../bin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cfg"},
		Data: map[string]string{"greeting": "hello"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	check := fmt.Sprintf(`grep -qx hello /run/localcluster-test/covered/cfg/greeting && ! test -e %s/echo-basic && ! test -e %s/pods`,
		bin, cluster.Dir())
	empty := corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "covered", Namespace: ns},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name: "echo", Image: "registry.k8s.io/gateway-api/echo-basic:v1.6.0-dev.2",
				Env: []corev1.EnvVar{{Name: "POD_NAME", Value: "covered"}, {Name: "NAMESPACE", Value: ns}},
				VolumeMounts: []corev1.VolumeMount{
					{Name: "over-bin", MountPath: bin},
					{Name: "over-cluster", MountPath: cluster.Dir()},
					{Name: "cfg", MountPath: "/run/localcluster-test/covered/cfg", ReadOnly: true},
				},
				ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"sh", "-c", check}}}, PeriodSeconds: 1},
			}},
			Volumes: []corev1.Volume{
				{Name: "over-bin", VolumeSource: empty},
				{Name: "over-cluster", VolumeSource: empty},
				{Name: "cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}}}},
			},
		}}
	if _, err := client.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	p := readyPods(t, client, ns, 1)[0]
	e, err := get("http://" + net.JoinHostPort(p.Status.PodIP, "3000") + "/")
	if err != nil {
		t.Fatal(err)
	}
	if e.Pod != "covered" || e.Namespace != ns {
		t.Fatalf("pod answered as %s/%s, want %s/covered", e.Namespace, e.Pod, ns)
	}
}

// A DaemonSet (the default Envoy fleet workload) gets its pod on the Node:
// the Node carries no not-ready taint, and the kubelet binds and runs it.
func TestDaemonSetPodRunsOnTheNode(t *testing.T) {
	client := cluster.Client()
	ctx := context.Background()
	ns := namespace(t, client)
	d := echoDeployment(ns, 1)
	ds := &appsv1.DaemonSet{ObjectMeta: metav1.ObjectMeta{Name: "echo", Namespace: ns},
		Spec: appsv1.DaemonSetSpec{Selector: d.Spec.Selector, Template: d.Spec.Template}}
	if _, err := client.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod := readyPods(t, client, ns, 1)[0]
	if _, err := get("http://" + net.JoinHostPort(pod.Status.PodIP, "3000") + "/"); err != nil {
		t.Fatal(err)
	}
}

// The LoadBalancer stand-in honours spec.loadBalancerIP inside its range,
// leaves a Service that asks for another address without one, and moves a
// Service to a newly requested address.
func TestLoadBalancerHonoursRequestedAddress(t *testing.T) {
	client := cluster.Client()
	ctx := context.Background()
	ns := namespace(t, client)
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "static", Namespace: ns},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": "none"}, LoadBalancerIP: "10.244.255.20",
			Ports: []corev1.ServicePort{{Name: "http", Port: 8080, TargetPort: intstr.FromInt32(3000)}}},
	}
	if _, err := client.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ingress := func(want string) func() (bool, error) {
		return func() (bool, error) {
			s, err := client.CoreV1().Services(ns).Get(ctx, "static", metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			var got []string
			for _, i := range s.Status.LoadBalancer.Ingress {
				got = append(got, i.IP)
			}
			if strings.Join(got, ",") != want {
				return false, fmt.Errorf("status.loadBalancer.ingress %v, want %q", got, want)
			}
			return true, nil
		}
	}
	request := func(addr string) {
		t.Helper()
		patch := fmt.Sprintf(`{"spec":{"loadBalancerIP":%q}}`, addr)
		if _, err := client.CoreV1().Services(ns).Patch(ctx, "static", types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 30*time.Second, "the requested address", ingress("10.244.255.20"))
	request("192.0.2.1")
	waitFor(t, 30*time.Second, "no address for a request outside the range", ingress(""))
	request("10.244.255.21")
	waitFor(t, 30*time.Second, "the newly requested address", ingress("10.244.255.21"))
}
