package compat

import (
	"reflect"
	"strconv"
	"testing"
)

// Spring Cloud Consul's health indicator and the npm `consul` client call these before anything else. A one-server
// Consul answers its own address as leader and as the only peer; here that is the cluster's advertised address.
// Status endpoints need no ACL permission, so they answer without a token, and an unknown token is not resolved.
func TestStatusLeaderAndPeers(t *testing.T) {
	c1, c2 := clusters(t)
	for _, c := range []cluster{c1, c2} {
		t.Run(c.label, func(t *testing.T) {
			self, err := c.admin(t).Agent().Self()
			if err != nil {
				t.Fatalf("agent self: %v", err)
			}
			addr, _ := self["Member"]["Addr"].(string)
			port, _ := self["Member"]["Port"].(float64)
			advertised := addr + ":" + strconv.Itoa(int(port))
			if advertised != c.hostPort(t) {
				t.Fatalf("agent self advertises %s, the suite reaches the cluster at %s", advertised, c.hostPort(t))
			}
			tokens := map[string]string{"no token": ""}
			if aclMode() {
				tokens["unknown token"] = "11111111-2222-3333-4444-555555555555"
				tokens["management token"] = managementToken(t, c).SecretID
			}
			for name, token := range tokens {
				client := c.client(t, token)
				leader, err := client.Status().Leader()
				if err != nil {
					t.Fatalf("%s: leader: %v", name, err)
				}
				if leader != advertised {
					t.Fatalf("%s: leader %q, want the advertised address %q", name, leader, advertised)
				}
				peers, err := client.Status().Peers()
				if err != nil {
					t.Fatalf("%s: peers: %v", name, err)
				}
				if !reflect.DeepEqual(peers, []string{advertised}) {
					t.Fatalf("%s: peers %q, want [%q]", name, peers, advertised)
				}
			}
		})
	}
}
