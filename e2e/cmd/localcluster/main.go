// Command localcluster runs a Kubernetes cluster without containers (see
// package switchyard.dev/e2e/localcluster) inside its own network namespace.
//
//	localcluster run [flags] -- COMMAND [ARGS...]
//	    start the cluster, run COMMAND in its network namespace with
//	    KUBECONFIG set, stop everything when COMMAND exits (or on Ctrl-C);
//	    exit with COMMAND's exit code.
//	localcluster up [flags]
//	    start the cluster and keep it until Ctrl-C; prints how to reach it.
//	localcluster dns [--listen ADDR]
//	    the small DNS server pods of the coredns image run (NXDOMAIN for all).
//
// Flags: --bin DIR (e2e/bin: etcd, kube-apiserver, kube-controller-manager,
// echo-basic, localcluster; default: the directory of this program),
// --dir DIR (state and logs; default a temporary directory removed at exit,
// kept when LOCALCLUSTER_KEEP is set). The Envoy image runs
// $LOCALCLUSTER_ENVOY_COMMAND (default: node e2e/envoy-standin/bin/envoy-standin.js).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"

	"switchyard.dev/e2e/localcluster"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "run", "up":
		os.Exit(runCluster(os.Args[1], os.Args[2:]))
	case "dns":
		fs := flag.NewFlagSet("dns", flag.ExitOnError)
		listen := fs.String("listen", ":53", "address to answer DNS queries on (UDP and TCP)")
		_ = fs.Parse(os.Args[2:])
		if _, err := localcluster.ServeDNS(*listen, nil); err != nil {
			fmt.Fprintln(os.Stderr, "localcluster dns:", err)
			os.Exit(1)
		}
		fmt.Println("localcluster dns: answering on", *listen)
		select {}
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: localcluster run [--bin DIR] [--dir DIR] -- COMMAND [ARGS...] | localcluster up [--bin DIR] [--dir DIR] | localcluster dns [--listen ADDR]")
	os.Exit(2)
}

func runCluster(mode string, args []string) int {
	fs := flag.NewFlagSet(mode, flag.ExitOnError)
	self, _ := os.Executable()
	bin := fs.String("bin", filepath.Dir(self), "directory with etcd, kube-apiserver, kube-controller-manager, echo-basic")
	dir := fs.String("dir", "", "state and log directory (default: a temporary directory)")
	_ = fs.Parse(args)
	command := fs.Args()
	if mode == "run" && len(command) == 0 {
		usage()
	}
	if !localcluster.InHarnessNetns() {
		code, err := localcluster.ReexecInNetns()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return code
	}
	// Ctrl-C and SIGTERM stop the command and then the cluster; a second
	// Ctrl-C is not needed (the process group receives the first).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logf := func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }
	c, err := localcluster.Start(ctx, localcluster.Options{Dir: *dir, BinDir: *bin, Logf: logf})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer c.Stop()
	if mode == "up" {
		logf("localcluster: KUBECONFIG=%s; reach it from the harness network namespace: nsenter --net=/proc/%d/ns/net kubectl ...", c.Kubeconfig(), os.Getpid())
		<-ctx.Done()
		return 0
	}
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "KUBECONFIG="+c.Kubeconfig(), "LOCALCLUSTER_DIR="+c.Dir())
	// Its own process group, so that stopping reaches everything it started
	// (a script's go test, say), not just the command itself.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "localcluster:", err)
		return 1
	}
	go func() {
		<-ctx.Done()
		if cmd.Process != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		}
	}()
	err = cmd.Wait()
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // anything it left behind
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return max(exit.ExitCode(), 1)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "localcluster:", err)
		return 1
	}
	return 0
}
