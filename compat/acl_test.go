package compat

import (
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
)

const anonymousSuffix = ". The anonymous token is used implicitly when a request does not specify a token."

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func aclClusters(t *testing.T) (cluster, cluster) {
	t.Helper()
	c1, c2 := clusters(t)
	if !aclMode() {
		t.Skipf("%s is not 1: the ACL cases need clusters started with PEERING_ACL_ENABLED=true", envACL)
	}
	return c1, c2
}

// ACL().Bootstrap gives the management token once; a second bootstrap is refused with Consul's text.
func TestACLBootstrap(t *testing.T) {
	c1, c2 := aclClusters(t)
	for _, c := range []cluster{c1, c2} {
		t.Run(c.label, func(t *testing.T) {
			r := bootstrap(t, c)
			if r.err != nil {
				t.Fatal(r.err)
			}
			token := r.token
			if r.bootstraped && token.Description != "Bootstrap Token (Global Management)" {
				t.Fatalf("bootstrap token Description %q", token.Description)
			}
			if !uuidPattern.MatchString(token.AccessorID) || !uuidPattern.MatchString(token.SecretID) ||
				token.AccessorID == token.SecretID {
				t.Fatalf("bootstrap token AccessorID %q SecretID %q: want two different UUIDs", token.AccessorID, token.SecretID)
			}
			if len(token.Policies) != 1 || token.Policies[0].Name != "global-management" ||
				token.Policies[0].ID != "00000000-0000-0000-0000-000000000001" {
				t.Fatalf("bootstrap token policies %+v, want global-management", token.Policies)
			}
			self, _, err := c.client(t, token.SecretID).ACL().TokenReadSelf(nil)
			if err != nil || self.AccessorID != token.AccessorID {
				t.Fatalf("token/self with the management token: %+v, %v", self, err)
			}
			_, _, err = c.client(t, "").ACL().Bootstrap()
			if err == nil {
				t.Fatalf("a second bootstrap succeeded")
			}
			if !regexp.MustCompile(`^Unexpected response code: 403 \(Permission denied: ACL bootstrap no longer allowed \(reset index: \d+\)\)$`).
				MatchString(err.Error()) {
				t.Fatalf("second bootstrap: %v", err)
			}
		})
	}
}

// operator creates, with the management token, a policy with these rules and a token linking it by name, and
// checks both answers; it returns the token.
func operator(t *testing.T, c cluster, policyName, rules string) *api.ACLToken {
	t.Helper()
	acl := c.admin(t).ACL()
	policy, _, err := acl.PolicyCreate(&api.ACLPolicy{Name: policyName, Description: "compat suite", Rules: rules}, nil)
	if err != nil {
		t.Fatalf("%s: policy create %s: %v", c.label, policyName, err)
	}
	if !uuidPattern.MatchString(policy.ID) || policy.Name != policyName || policy.Rules != rules ||
		policy.CreateIndex == 0 || policy.ModifyIndex != policy.CreateIndex || len(policy.Hash) == 0 {
		t.Fatalf("%s: policy create answered %+v", c.label, policy)
	}
	t.Cleanup(func() { _, _ = acl.PolicyDelete(policy.ID, nil) })
	token, _, err := acl.TokenCreate(&api.ACLToken{Description: policyName + " token",
		Policies: []*api.ACLTokenPolicyLink{{Name: policyName}}}, nil)
	if err != nil {
		t.Fatalf("%s: token create: %v", c.label, err)
	}
	if !uuidPattern.MatchString(token.AccessorID) || !uuidPattern.MatchString(token.SecretID) ||
		len(token.Policies) != 1 || token.Policies[0].ID != policy.ID || token.Policies[0].Name != policyName {
		t.Fatalf("%s: token create answered %+v (policies %+v)", c.label, token, token.Policies)
	}
	t.Cleanup(func() { _, _ = acl.TokenDelete(token.AccessorID, nil) })
	read, _, err := acl.TokenRead(token.AccessorID, nil)
	if err != nil || read.SecretID != token.SecretID || read.Description != policyName+" token" {
		t.Fatalf("%s: token read with the management token: %+v, %v", c.label, read, err)
	}
	byName, _, err := acl.PolicyReadByName(policyName, nil)
	if err != nil || byName == nil || byName.ID != policy.ID {
		t.Fatalf("%s: policy read by name: %+v, %v", c.label, byName, err)
	}
	return token
}

// A peering made by operators whose tokens come from CONSUL_HTTP_TOKEN, as the consul CLI and every program using
// api.DefaultConfig() get them; without a token, with an unknown one and with a read-only one, the exact 403s.
func TestACLPeeringWithEnvironmentToken(t *testing.T) {
	c1, c2 := aclClusters(t)
	peer2, peer1 := "acl-cluster-02-"+run, "acl-cluster-01-"+run
	op1 := operator(t, c1, "peering-operator-"+run, "peering = \"write\"\nmesh = \"write\"\n")
	op2 := operator(t, c2, "peering-operator-"+run, "peering = \"write\"\n")
	observer := operator(t, c1, "peering-observer-"+run, "peering = \"read\"\n")

	envClient := func(t *testing.T, c cluster, secret string) *api.Client {
		t.Helper()
		t.Setenv("CONSUL_HTTP_TOKEN", secret)
		cfg := api.DefaultConfig() // reads CONSUL_HTTP_TOKEN
		if cfg.Token != secret {
			t.Fatalf("api.DefaultConfig() did not take CONSUL_HTTP_TOKEN")
		}
		cfg.Address = c.addr
		client, err := api.NewClient(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return client
	}
	o1 := envClient(t, c1, op1.SecretID)
	o2 := envClient(t, c2, op2.SecretID)
	t.Setenv("CONSUL_HTTP_TOKEN", "")

	resp, _, err := o1.Peerings().GenerateToken(ctx(t), api.PeeringGenerateTokenRequest{PeerName: peer2}, nil)
	if err != nil {
		t.Fatalf("generate with the operator's token: %v", err)
	}
	t.Cleanup(func() { _, _ = o1.Peerings().Delete(ctx(t), peer2, nil) })
	if _, _, err := o2.Peerings().Establish(ctx(t),
		api.PeeringEstablishRequest{PeerName: peer1, PeeringToken: resp.PeeringToken}, nil); err != nil {
		t.Fatalf("establish with the operator's token: %v", err)
	}
	t.Cleanup(func() { _, _ = o2.Peerings().Delete(ctx(t), peer1, nil) })
	eventually(t, 30*time.Second, "both sides ACTIVE, read with the operators' tokens", func() (bool, string) {
		a, _, err1 := o1.Peerings().Read(ctx(t), peer2, nil)
		d, _, err2 := o2.Peerings().Read(ctx(t), peer1, nil)
		if err1 != nil || err2 != nil || a == nil || d == nil {
			return false, errString(err1) + " / " + errString(err2)
		}
		return a.State == api.PeeringStateActive && d.State == api.PeeringStateActive && d.PeerID == a.ID,
			string(a.State) + " / " + string(d.State)
	})
	list, _, err := c1.client(t, observer.SecretID).Peerings().List(ctx(t), nil)
	if err != nil || len(list) == 0 {
		t.Fatalf("list with the observer's peering:read: %v, %v", list, err)
	}

	anonymous := c1.client(t, "")
	_, _, err = anonymous.Peerings().Read(ctx(t), peer2, nil)
	statusError(t, err, 403, "Permission denied: anonymous token lacks permission 'peering:read'"+anonymousSuffix)
	_, _, err = anonymous.Peerings().List(ctx(t), nil)
	statusError(t, err, 403, "Permission denied: anonymous token lacks permission 'peering:read'"+anonymousSuffix)
	_, _, err = anonymous.Peerings().GenerateToken(ctx(t), api.PeeringGenerateTokenRequest{PeerName: "x-" + run}, nil)
	statusError(t, err, 403, "Permission denied: anonymous token lacks permission 'peering:write'"+anonymousSuffix)
	_, err = c2.client(t, "").Peerings().Delete(ctx(t), peer1, nil)
	statusError(t, err, 403, "Permission denied: anonymous token lacks permission 'peering:write'"+anonymousSuffix)

	_, _, err = c1.client(t, observer.SecretID).Peerings().GenerateToken(ctx(t),
		api.PeeringGenerateTokenRequest{PeerName: "x-" + run}, nil)
	statusError(t, err, 403, "Permission denied: token with AccessorID '"+observer.AccessorID+
		"' lacks permission 'peering:write'")
	_, _, err = c1.client(t, "11111111-2222-3333-4444-555555555555").Peerings().List(ctx(t), nil)
	statusError(t, err, 403, "ACL not found")
	_, _, err = anonymous.ACL().TokenList(nil)
	statusError(t, err, 403, "Permission denied: anonymous token lacks permission 'acl:read'"+anonymousSuffix)
}
