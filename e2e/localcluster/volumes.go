package localcluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// writeVolumes writes every volume of the pod under dir/<volume name>, as the
// kubelet's volume plugins would: ConfigMap and Secret keys as files,
// projected ServiceAccount tokens (TokenRequest), downward-API fields,
// emptyDirs. A missing ConfigMap or Secret that is not optional is an error
// naming it (the pod waits, as it does in a real cluster).
func writeVolumes(ctx context.Context, client kubernetes.Interface, pod *corev1.Pod, dir string) error {
	for _, v := range pod.Spec.Volumes {
		vdir := filepath.Join(dir, v.Name)
		if err := os.MkdirAll(vdir, 0o755); err != nil {
			return err
		}
		sources, ok := volumeSources(v)
		if !ok {
			return fmt.Errorf("volume %q: only emptyDir, configMap, secret, downwardAPI and projected volumes are supported here", v.Name)
		}
		for _, src := range sources {
			if err := writeSource(ctx, client, pod, src, vdir); err != nil {
				return fmt.Errorf("volume %q: %w", v.Name, err)
			}
		}
	}
	return nil
}

// volumeSources is what a volume holds, as projected-volume sources: a plain
// configMap, secret or downwardAPI volume is the one source of that kind, an
// emptyDir none. False for a kind of volume not supported here.
func volumeSources(v corev1.Volume) ([]corev1.VolumeProjection, bool) {
	switch {
	case v.EmptyDir != nil:
		return nil, true
	case v.ConfigMap != nil:
		cm := v.ConfigMap
		return []corev1.VolumeProjection{{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: cm.LocalObjectReference, Items: cm.Items, Optional: cm.Optional}}}, true
	case v.Secret != nil:
		s := v.Secret
		return []corev1.VolumeProjection{{Secret: &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: s.SecretName}, Items: s.Items, Optional: s.Optional}}}, true
	case v.DownwardAPI != nil:
		return []corev1.VolumeProjection{{DownwardAPI: &corev1.DownwardAPIProjection{Items: v.DownwardAPI.Items}}}, true
	case v.Projected != nil:
		return v.Projected.Sources, true
	}
	return nil, false
}

// writeSource writes one source's files into the volume's directory.
func writeSource(ctx context.Context, client kubernetes.Interface, pod *corev1.Pod, src corev1.VolumeProjection, vdir string) error {
	switch {
	case src.ConfigMap != nil:
		return writeConfigMap(ctx, client, pod.Namespace, src.ConfigMap.Name, src.ConfigMap.Items, src.ConfigMap.Optional, vdir)
	case src.Secret != nil:
		return writeSecret(ctx, client, pod.Namespace, src.Secret.Name, src.Secret.Items, src.Secret.Optional, vdir)
	case src.DownwardAPI != nil:
		return writeDownwardAPI(pod, src.DownwardAPI.Items, vdir)
	case src.ServiceAccountToken != nil:
		return writeToken(ctx, client, pod, src.ServiceAccountToken, vdir)
	}
	return nil
}

func writeKeys(data map[string][]byte, items []corev1.KeyToPath, dir string) error {
	if len(items) == 0 {
		keys := make([]string, 0, len(data))
		for k := range data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			items = append(items, corev1.KeyToPath{Key: k, Path: k})
		}
	}
	for _, it := range items {
		b, ok := data[it.Key]
		if !ok {
			return fmt.Errorf("key %q not found", it.Key)
		}
		if err := writeFile(filepath.Join(dir, it.Path), b); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func writeConfigMap(ctx context.Context, client kubernetes.Interface, ns, name string, items []corev1.KeyToPath, optional *bool, dir string) error {
	cm, err := client.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		if optional != nil && *optional {
			return nil
		}
		return fmt.Errorf("ConfigMap %s/%s: %w", ns, name, err)
	}
	data := map[string][]byte{}
	for k, v := range cm.Data {
		data[k] = []byte(v)
	}
	for k, v := range cm.BinaryData {
		data[k] = v
	}
	return writeKeys(data, items, dir)
}

func writeSecret(ctx context.Context, client kubernetes.Interface, ns, name string, items []corev1.KeyToPath, optional *bool, dir string) error {
	s, err := client.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		if optional != nil && *optional {
			return nil
		}
		return fmt.Errorf("Secret %s/%s: %w", ns, name, err)
	}
	return writeKeys(s.Data, items, dir)
}

func writeDownwardAPI(pod *corev1.Pod, items []corev1.DownwardAPIVolumeFile, dir string) error {
	for _, it := range items {
		if it.FieldRef == nil {
			return fmt.Errorf("%s: only fieldRef is supported", it.Path)
		}
		v, err := podField(pod, it.FieldRef.FieldPath)
		if err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, it.Path), []byte(v)); err != nil {
			return err
		}
	}
	return nil
}

// podField resolves a fieldRef as the kubelet does for env and volumes.
func podField(pod *corev1.Pod, path string) (string, error) {
	switch path {
	case "metadata.name":
		return pod.Name, nil
	case "metadata.namespace":
		return pod.Namespace, nil
	case "metadata.uid":
		return string(pod.UID), nil
	case "spec.nodeName":
		return pod.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return pod.Spec.ServiceAccountName, nil
	case "status.podIP":
		return pod.Status.PodIP, nil
	case "status.hostIP":
		return NodeIP, nil
	case "metadata.labels":
		return formatMap(pod.Labels), nil
	case "metadata.annotations":
		return formatMap(pod.Annotations), nil
	}
	for _, p := range []struct {
		prefix string
		m      map[string]string
	}{{"metadata.labels['", pod.Labels}, {"metadata.annotations['", pod.Annotations}} {
		if strings.HasPrefix(path, p.prefix) && strings.HasSuffix(path, "']") {
			return p.m[strings.TrimSuffix(strings.TrimPrefix(path, p.prefix), "']")], nil
		}
	}
	return "", fmt.Errorf("fieldRef %q is not supported", path)
}

func formatMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%q\n", k, m[k])
	}
	return b.String()
}

func writeToken(ctx context.Context, client kubernetes.Interface, pod *corev1.Pod, src *corev1.ServiceAccountTokenProjection, dir string) error {
	sa := pod.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	req := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
		ExpirationSeconds: src.ExpirationSeconds,
		BoundObjectRef:    &authenticationv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: pod.Name, UID: pod.UID},
	}}
	if src.Audience != "" {
		req.Spec.Audiences = []string{src.Audience}
	}
	tr, err := client.CoreV1().ServiceAccounts(pod.Namespace).CreateToken(ctx, sa, req, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("token for ServiceAccount %s/%s: %w", pod.Namespace, sa, err)
	}
	return writeFile(filepath.Join(dir, src.Path), []byte(tr.Status.Token))
}
