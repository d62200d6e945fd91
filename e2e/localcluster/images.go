package localcluster

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// EnvEnvoyCommand overrides the command Envoy pods run: the Envoy stand-in
// (e2e/envoy-standin), given the container's args, in the pod's network
// namespace with its volumes mounted where the fleet manifest says.
const EnvEnvoyCommand = "LOCALCLUSTER_ENVOY_COMMAND"

// Where every container's mount namespace sees the kubelet's host paths:
// the checkout (RepoRoot), the tools (BinDir) and the pod's own directory
// (its volumes' files, resolv.conf). The kubelet binds them there before the
// pod's volumes, so a volume over the host paths hides nothing a container
// runs or mounts; a volume over podPaths itself is refused (coversPodPaths).
const (
	podPaths    = "/run/localcluster"
	podRepoRoot = podPaths + "/repo"
	podBinDir   = podPaths + "/bin"
	podDir      = podPaths + "/pod"
)

// coversPodPaths says whether a volume mounted at mountPath would hide podPaths.
func coversPodPaths(mountPath string) bool {
	p := filepath.Clean(mountPath)
	return p == "/" || p == podPaths || strings.HasPrefix(podPaths, p+"/")
}

// image is what a known image runs: its entrypoint (the container's args
// follow, or defaultArgs when it has none) and working directory.
type image struct {
	entrypoint  []string
	defaultArgs []string
	workDir     string
}

// knownImages maps an image repository (tag and digest ignored) to the
// local program that stands for it, by its path in the container's mount
// namespace (binDir and repoRoot: podBinDir and podRepoRoot). Only the
// LOCALCLUSTER_ENVOY_COMMAND override names host paths as given.
func knownImages(binDir, repoRoot string) map[string]image {
	envoy := []string{"node", filepath.Join(repoRoot, "e2e/envoy-standin/bin/envoy-standin.js")}
	if cmd := strings.Fields(os.Getenv(EnvEnvoyCommand)); len(cmd) > 0 {
		envoy = cmd
	}
	echo := image{entrypoint: []string{filepath.Join(binDir, "echo-basic")}}
	return map[string]image{
		// Every echo-basic tag the conformance suite uses: the one built
		// from the module the pinned conformance module requires (since
		// Gateway API v1.7 the image is .../gateway-api/conformance/echo-basic).
		"registry.k8s.io/gateway-api/conformance/echo-basic": echo,
		"registry.k8s.io/gateway-api/echo-basic":             echo,
		"gcr.io/k8s-staging-gateway-api/echo-basic":          echo,
		// The UDPRoute test's backend: a DNS server that answers every query
		// (NXDOMAIN; the test needs only an answer). Its args (-conf) are ignored.
		"registry.k8s.io/coredns/coredns": {entrypoint: []string{filepath.Join(binDir, "localcluster"), "dns", "--"}},
		// Switchyard from this checkout, as the Dockerfile runs it.
		"ghcr.io/switchyard-dev/switchyard": {
			entrypoint:  []string{"node", filepath.Join(repoRoot, "packages/cli/dist/main.js")},
			defaultArgs: []string{"serve"},
			workDir:     repoRoot,
		},
		"switchyard": {
			entrypoint:  []string{"node", filepath.Join(repoRoot, "packages/cli/dist/main.js")},
			defaultArgs: []string{"serve"},
			workDir:     repoRoot,
		},
		"docker.io/envoyproxy/envoy": {entrypoint: envoy, workDir: repoRoot},
	}
}

// imageRepository strips the tag and digest and names Docker Hub images in
// full, as a container runtime resolves them.
func imageRepository(ref string) string {
	if i := strings.Index(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref = ref[:i]
	}
	first, _, hasSlash := strings.Cut(ref, "/")
	if hasSlash && !strings.ContainsAny(first, ".:") && first != "localhost" {
		ref = "docker.io/" + ref
	}
	return ref
}

// resolveImage finds what runs for an image reference.
func resolveImage(images map[string]image, ref string) (image, error) {
	if img, ok := images[imageRepository(ref)]; ok {
		return img, nil
	}
	if img, ok := images[ref]; ok {
		return img, nil
	}
	names := make([]string, 0, len(images))
	for n := range images {
		names = append(names, n)
	}
	sort.Strings(names)
	return image{}, fmt.Errorf("localcluster runs only the images it knows (%s); %q is not one of them", strings.Join(names, ", "), ref)
}
