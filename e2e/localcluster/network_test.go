package localcluster

import (
	"net"
	"testing"
)

// The LoadBalancer pool hands out free addresses from the top, and a Service
// may claim a particular free one of the range; nothing outside it.
func TestLoadBalancerPoolClaims(t *testing.T) {
	a := newIPAM()
	want := net.ParseIP("10.244.255.254").To4()
	if err := a.claimLoadBalancer(want); err != nil {
		t.Fatalf("claim %s: %v", want, err)
	}
	if err := a.claimLoadBalancer(want); err == nil {
		t.Fatalf("claimed %s twice", want)
	}
	got, err := a.loadBalancer()
	if err != nil || got.String() != "10.244.255.253" {
		t.Fatalf("next dynamic address = %v, %v; want 10.244.255.253 (the claimed one skipped)", got, err)
	}
	for _, bad := range []string{"192.0.2.1", "10.244.1.5", "10.244.255.255"} {
		if err := a.claimLoadBalancer(net.ParseIP(bad)); err == nil {
			t.Errorf("claimed %s, outside %v", bad, LoadBalancerRange)
		}
	}
	a.releaseLoadBalancer(want)
	if err := a.claimLoadBalancer(want); err != nil {
		t.Fatalf("claim after release: %v", err)
	}
}
