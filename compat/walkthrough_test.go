package compat

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
)

// The README's walkthrough through Consul's Go client: generate (with Meta), establish, reuse refused, read and
// list, a blocking list that wakes on a change, a service exported with config entries written as
// `consul config write` sends them, the imported service read with Health().Service(..., Peer), an intention
// with a peer source, a resolver failing over to the peer, and the deletion with the reads that follow.
func TestWalkthrough(t *testing.T) {
	c1, c2 := clusters(t)
	a1, a2 := c1.admin(t), c2.admin(t)
	dc1, dc2 := c1.datacenter(t), c2.datacenter(t)
	peer2 := "cluster-02-" + run // cluster1's name for cluster2
	peer1 := "cluster-01-" + run // cluster2's name for cluster1
	service := "backend-" + run
	node := "node-" + run
	meta := map[string]string{"suite": "compat", "run": run}
	var peeringToken string
	var acceptor, dialer *api.Peering

	parent := t // cleanups that must outlive a step
	step := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.FailNow()
		}
	}

	step("generate", func(t *testing.T) {
		resp, _, err := a1.Peerings().GenerateToken(ctx(t), api.PeeringGenerateTokenRequest{PeerName: peer2, Meta: meta}, nil)
		if err != nil {
			t.Fatalf("generate: %v", err)
		}
		if len(resp.PeeringToken) < 100 {
			t.Fatalf("peering token too short to be one: %q", resp.PeeringToken)
		}
		peeringToken = resp.PeeringToken
		p, _, err := a1.Peerings().Read(ctx(t), peer2, nil)
		if err != nil || p == nil {
			t.Fatalf("read after generate: %v, %v", p, err)
		}
		if p.State != api.PeeringStatePending || !reflect.DeepEqual(p.Meta, meta) {
			t.Fatalf("after generate: State %s Meta %v, want PENDING and %v", p.State, p.Meta, meta)
		}
	})
	t.Cleanup(func() { _, _ = a1.Peerings().Delete(ctx(t), peer2, nil) })

	establish := api.PeeringEstablishRequest{PeerName: peer1, PeeringToken: peeringToken, Meta: meta}
	step("establish", func(t *testing.T) {
		establish.PeeringToken = peeringToken
		if _, _, err := a2.Peerings().Establish(ctx(t), establish, nil); err != nil {
			t.Fatalf("establish: %v", err)
		}
	})
	t.Cleanup(func() { _, _ = a2.Peerings().Delete(ctx(t), peer1, nil) })

	step("reuse refused", func(t *testing.T) {
		_, _, err := a2.Peerings().Establish(ctx(t), establish, nil)
		statusError(t, err, 403,
			"a new peering token must be generated: invalid peering establishment secret: this token was already used")
	})

	step("read both sides", func(t *testing.T) {
		eventually(t, 30*time.Second, "both sides ACTIVE", func() (bool, string) {
			var err1, err2 error
			acceptor, _, err1 = a1.Peerings().Read(ctx(t), peer2, nil)
			dialer, _, err2 = a2.Peerings().Read(ctx(t), peer1, nil)
			if err1 != nil || err2 != nil || acceptor == nil || dialer == nil {
				return false, "read errors " + errString(err1) + " / " + errString(err2)
			}
			return acceptor.State == api.PeeringStateActive && dialer.State == api.PeeringStateActive,
				"states " + string(acceptor.State) + " / " + string(dialer.State)
		})
		if acceptor.ID == "" || dialer.ID == "" || acceptor.ID == dialer.ID {
			t.Fatalf("IDs %q / %q: want two different, non-empty", acceptor.ID, dialer.ID)
		}
		if dialer.PeerID != acceptor.ID {
			t.Fatalf("dialer's PeerID %q, want the acceptor's ID %q", dialer.PeerID, acceptor.ID)
		}
		if acceptor.Remote.Datacenter != dc2 || dialer.Remote.Datacenter != dc1 {
			t.Fatalf("Remote.Datacenter %q / %q, want %q / %q", acceptor.Remote.Datacenter, dialer.Remote.Datacenter, dc2, dc1)
		}
		if acceptor.Remote.Partition != "default" || dialer.Remote.Partition != "default" {
			t.Fatalf("Remote.Partition %q / %q, want default", acceptor.Remote.Partition, dialer.Remote.Partition)
		}
		if !reflect.DeepEqual(acceptor.Meta, meta) || !reflect.DeepEqual(dialer.Meta, meta) {
			t.Fatalf("Meta %v / %v, want %v on both", acceptor.Meta, dialer.Meta, meta)
		}
		if !reflect.DeepEqual(dialer.PeerServerAddresses, []string{c1.hostPort(t)}) || dialer.PeerServerName == "" {
			t.Fatalf("dialer's PeerServerAddresses %v PeerServerName %q, want [%s] and a name",
				dialer.PeerServerAddresses, dialer.PeerServerName, c1.hostPort(t))
		}
		if len(acceptor.PeerCAPems) == 0 || len(dialer.PeerCAPems) == 0 {
			t.Fatalf("PeerCAPems %d / %d, want the peer's CA on both sides", len(acceptor.PeerCAPems), len(dialer.PeerCAPems))
		}
		for side, p := range map[string]*api.Peering{"acceptor": acceptor, "dialer": dialer} {
			s := p.StreamStatus
			if !recent(s.LastHeartbeat) || !recent(s.LastReceive) || !recent(s.LastSend) {
				t.Fatalf("%s StreamStatus times %v %v %v: want all three set and recent", side, s.LastHeartbeat,
					s.LastReceive, s.LastSend)
			}
			if p.CreateIndex == 0 || p.ModifyIndex < p.CreateIndex {
				t.Fatalf("%s indexes Create %d Modify %d", side, p.CreateIndex, p.ModifyIndex)
			}
		}
	})

	step("list", func(t *testing.T) {
		list, qm, err := a2.Peerings().List(ctx(t), nil)
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		if qm.LastIndex == 0 {
			t.Fatalf("list: X-Consul-Index 0")
		}
		i := slices.IndexFunc(list, func(p *api.Peering) bool { return p.Name == peer1 })
		if i < 0 {
			t.Fatalf("list of cluster2 lacks %s", peer1)
		}
		if list[i].PeerID != acceptor.ID || list[i].ID != dialer.ID || list[i].State != api.PeeringStateActive ||
			list[i].Remote.Datacenter != dc1 {
			t.Fatalf("listed %s: ID %s PeerID %s State %s Remote %v", peer1, list[i].ID, list[i].PeerID, list[i].State,
				list[i].Remote)
		}
	})

	step("blocking list wakes on a change", func(t *testing.T) {
		_, qm, err := a2.Peerings().List(ctx(t), nil)
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		pending := "cluster-03-" + run
		type woke struct {
			list  []*api.Peering
			index uint64
			at    time.Time
			err   error
		}
		done := make(chan woke, 1)
		go func() {
			index := qm.LastIndex
			for {
				list, m, err := a2.Peerings().List(ctx(t), &api.QueryOptions{WaitIndex: index, WaitTime: 20 * time.Second})
				if err != nil || slices.ContainsFunc(list, func(p *api.Peering) bool { return p.Name == pending }) ||
					m.LastIndex == index {
					w := woke{list: list, at: time.Now(), err: err}
					if m != nil {
						w.index = m.LastIndex
					}
					done <- w
					return
				}
				index = m.LastIndex // woken by another change (a heartbeat): wait again
			}
		}()
		time.Sleep(time.Second)
		changed := time.Now()
		if _, _, err := a2.Peerings().GenerateToken(ctx(t), api.PeeringGenerateTokenRequest{PeerName: pending}, nil); err != nil {
			t.Fatalf("generate %s: %v", pending, err)
		}
		t.Cleanup(func() { _, _ = a2.Peerings().Delete(ctx(t), pending, nil) })
		select {
		case w := <-done:
			if w.err != nil {
				t.Fatalf("blocking list: %v", w.err)
			}
			if w.index <= qm.LastIndex {
				t.Fatalf("blocking list returned index %d, not past %d: it timed out instead of waking", w.index, qm.LastIndex)
			}
			if !slices.ContainsFunc(w.list, func(p *api.Peering) bool { return p.Name == pending && p.State == api.PeeringStatePending }) {
				t.Fatalf("woken list lacks the new PENDING peering %s", pending)
			}
			if lag := w.at.Sub(changed); lag > 5*time.Second {
				t.Fatalf("blocking list woke %s after the change", lag)
			}
		case <-time.After(25 * time.Second):
			t.Fatalf("blocking list did not return within 25 s")
		}
	})

	step("catalog register", func(t *testing.T) {
		_, err := a1.Catalog().Register(&api.CatalogRegistration{
			Node:    node,
			Address: "10.0.0.1",
			Service: &api.AgentService{ID: service + "-1", Service: service, Port: 8080, Tags: []string{"v1"}},
			Check: &api.AgentCheck{CheckID: service + "-1-http", Name: "backend http", Status: api.HealthPassing,
				ServiceID: service + "-1"},
		}, nil)
		if err != nil {
			t.Fatalf("register: %v", err)
		}
		parent.Cleanup(func() { _, _ = a1.Catalog().Deregister(&api.CatalogDeregistration{Node: node}, nil) })
		entries, _, err := a1.Health().Service(service, "", true, nil)
		if err != nil || len(entries) != 1 || entries[0].Service.Port != 8080 || entries[0].Node.Address != "10.0.0.1" {
			t.Fatalf("local health read: %v, %v", entries, err)
		}
	})

	step("export with config write", func(t *testing.T) {
		configWrite(t, a1, `{"Kind":"exported-services","Name":"default",
			"Services":[{"Name":"`+service+`","Consumers":[{"Peer":"`+peer2+`"}]}]}`)
		entry, _, err := a1.ConfigEntries().Get(api.ExportedServices, "default", nil)
		if err != nil {
			t.Fatalf("read back: %v", err)
		}
		exported := entry.(*api.ExportedServicesConfigEntry)
		if len(exported.Services) != 1 || exported.Services[0].Name != service ||
			len(exported.Services[0].Consumers) != 1 || exported.Services[0].Consumers[0].Peer != peer2 || exported.CreateIndex == 0 {
			t.Fatalf("exported-services read back: %+v", exported)
		}
		list, _, err := a1.ExportedServices(nil)
		if err != nil {
			t.Fatalf("exported services: %v", err)
		}
		if !slices.ContainsFunc(list, func(s api.ResolvedExportedService) bool {
			return s.Service == service && reflect.DeepEqual(s.Consumers.Peers, []string{peer2})
		}) {
			t.Fatalf("GET /v1/exported-services lacks %s for %s: %+v", service, peer2, list)
		}
	})

	step("imported health read with Peer", func(t *testing.T) {
		var entries []*api.ServiceEntry
		eventually(t, 30*time.Second, "the imported instance on cluster2", func() (bool, string) {
			var err error
			entries, _, err = a2.Health().Service(service, "", false, &api.QueryOptions{Peer: peer1})
			return err == nil && len(entries) == 1, "err " + errString(err)
		})
		e := entries[0]
		if e.Service.ID != service+"-1" || e.Service.Service != service || e.Service.Port != 8080 ||
			!reflect.DeepEqual(e.Service.Tags, []string{"v1"}) || e.Service.PeerName != peer1 {
			t.Fatalf("imported service: %+v", e.Service)
		}
		if e.Node.Node != node || e.Node.Address != "10.0.0.1" || e.Node.PeerName != peer1 || e.Node.Datacenter != dc1 {
			t.Fatalf("imported node: %+v", e.Node)
		}
		if len(e.Checks) != 1 || e.Checks[0].CheckID != service+"-1:overall-check" ||
			e.Checks[0].Status != api.HealthPassing || e.Checks[0].PeerName != peer1 {
			t.Fatalf("imported checks: %+v", e.Checks)
		}
		passing, _, err := a2.Health().Service(service, "", true, &api.QueryOptions{Peer: peer1})
		if err != nil || len(passing) != 1 {
			t.Fatalf("passing only: %v, %v", passing, err)
		}
		catalog, _, err := a2.Catalog().Service(service, "", &api.QueryOptions{Peer: peer1})
		if err != nil || len(catalog) != 1 || catalog[0].ServicePort != 8080 || catalog[0].Node != node || catalog[0].Address != "10.0.0.1" {
			t.Fatalf("catalog read with Peer: %+v, %v", catalog, err)
		}
		local, _, err := a2.Health().Service(service, "", false, nil)
		if err != nil || len(local) != 0 {
			t.Fatalf("without Peer cluster2 has no %s of its own: %v, %v", service, local, err)
		}
		imported, _, err := a2.ImportedServices(nil)
		if err != nil || !slices.Contains(imported, api.ImportedService{Service: service, SourcePeer: peer1}) {
			t.Fatalf("imported services: %+v, %v", imported, err)
		}
		eventually(t, 40*time.Second, "StreamStatus names the service on both sides", func() (bool, string) {
			d, _, err1 := a2.Peerings().Read(ctx(t), peer1, nil)
			a, _, err2 := a1.Peerings().Read(ctx(t), peer2, nil)
			if err1 != nil || err2 != nil || d == nil || a == nil {
				return false, errString(err1) + " / " + errString(err2)
			}
			return slices.Contains(d.StreamStatus.ImportedServices, service) &&
					slices.Contains(a.StreamStatus.ExportedServices, service),
				"imported " + join(d.StreamStatus.ImportedServices) + ", exported " + join(a.StreamStatus.ExportedServices)
		})
	})

	step("intention with a peer source", func(t *testing.T) {
		source := "frontend-" + run
		configWrite(t, a1, `{"Kind":"service-intentions","Name":"`+service+`",
			"Sources":[{"Name":"`+source+`","Peer":"`+peer2+`","Action":"allow"}]}`)
		t.Cleanup(func() { _, _ = a1.ConfigEntries().Delete(api.ServiceIntentions, service, nil) })
		entry, _, err := a1.ConfigEntries().Get(api.ServiceIntentions, service, nil)
		if err != nil {
			t.Fatalf("read back: %v", err)
		}
		intentions := entry.(*api.ServiceIntentionsConfigEntry)
		if len(intentions.Sources) != 1 || intentions.Sources[0].Name != source || intentions.Sources[0].Peer != peer2 ||
			intentions.Sources[0].Action != api.IntentionActionAllow {
			t.Fatalf("service-intentions read back: %+v", intentions.Sources)
		}
		wildcard, err := api.DecodeConfigEntryFromJSON([]byte(`{"Kind":"service-intentions","Name":"` + service + `",
			"Sources":[{"Name":"` + source + `","Peer":"*","Action":"allow"}]}`))
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		_, _, err = a1.ConfigEntries().Set(wildcard, nil)
		statusError(t, err, 400, "Sources[0].Peer: cannot use wildcard '*' in peer")
	})

	step("resolver failing over to the peer", func(t *testing.T) {
		configWrite(t, a2, `{"Kind":"service-resolver","Name":"`+service+`","ConnectTimeout":"15s",
			"Failover":{"*":{"Targets":[{"Peer":"`+peer1+`"}]}}}`)
		t.Cleanup(func() { _, _ = a2.ConfigEntries().Delete(api.ServiceResolver, service, nil) })
		entry, _, err := a2.ConfigEntries().Get(api.ServiceResolver, service, nil)
		if err != nil {
			t.Fatalf("read back: %v", err)
		}
		resolver := entry.(*api.ServiceResolverConfigEntry)
		failover, ok := resolver.Failover["*"]
		if resolver.ConnectTimeout != 15*time.Second || !ok || len(failover.Targets) != 1 || failover.Targets[0].Peer != peer1 {
			t.Fatalf("service-resolver read back: ConnectTimeout %s Failover %+v", resolver.ConnectTimeout, resolver.Failover)
		}
		// consul config write -cas -modify-index=N: ConfigEntries().CAS, PUT /v1/config?cas=N.
		resolver.ConnectTimeout = 20 * time.Second
		written, _, err := a2.ConfigEntries().CAS(resolver, resolver.ModifyIndex+1000, nil)
		if err != nil || written {
			t.Fatalf("CAS with a stale index: written %v, %v; want false", written, err)
		}
		written, _, err = a2.ConfigEntries().CAS(resolver, resolver.ModifyIndex, nil)
		if err != nil || !written {
			t.Fatalf("CAS with the entry's ModifyIndex: written %v, %v; want true", written, err)
		}
		entry, _, err = a2.ConfigEntries().Get(api.ServiceResolver, service, nil)
		if err != nil || entry.(*api.ServiceResolverConfigEntry).ConnectTimeout != 20*time.Second ||
			entry.GetModifyIndex() <= resolver.ModifyIndex {
			t.Fatalf("after CAS: %+v, %v", entry, err)
		}
		// consul config delete -cas -modify-index=N: ConfigEntries().DeleteCAS, DELETE ...?cas=N.
		deleted, _, err := a2.ConfigEntries().DeleteCAS(api.ServiceResolver, service, entry.GetModifyIndex()+1000, nil)
		if err != nil || deleted {
			t.Fatalf("DeleteCAS with a stale index: deleted %v, %v; want false", deleted, err)
		}
		deleted, _, err = a2.ConfigEntries().DeleteCAS(api.ServiceResolver, service, entry.GetModifyIndex(), nil)
		if err != nil || !deleted {
			t.Fatalf("DeleteCAS with the entry's ModifyIndex: deleted %v, %v; want true", deleted, err)
		}
		_, _, err = a2.ConfigEntries().Get(api.ServiceResolver, service, nil)
		statusError(t, err, 404, `Config entry not found for "service-resolver" / "`+service+`"`)
	})

	step("delete and the reads that follow", func(t *testing.T) {
		before, qm, err := a1.Peerings().Read(ctx(t), peer2, nil)
		if err != nil || before == nil {
			t.Fatalf("acceptor read: %v, %v", before, err)
		}
		terminated := make(chan *api.Peering, 1)
		go func() { // cluster1's side, in blocking reads, until the peer's deletion reaches it
			index := qm.LastIndex
			deadline := time.Now().Add(30 * time.Second)
			for time.Now().Before(deadline) {
				p, m, err := a1.Peerings().Read(ctx(t), peer2, &api.QueryOptions{WaitIndex: index, WaitTime: 10 * time.Second})
				if err == nil && p != nil && p.State == api.PeeringStateTerminated {
					terminated <- p
					return
				}
				if m != nil {
					index = m.LastIndex
				}
			}
			terminated <- nil
		}()

		if _, err := a2.Peerings().Delete(ctx(t), peer1, nil); err != nil {
			t.Fatalf("delete: %v", err)
		}
		p, _, err := a2.Peerings().Read(ctx(t), peer1, nil)
		if err != nil {
			t.Fatalf("read right after delete: %v", err)
		}
		if p != nil && (p.State != api.PeeringStateDeleting || p.DeletedAt == nil) {
			t.Fatalf("read right after delete: State %s DeletedAt %v, want DELETING with DeletedAt (or gone)", p.State, p.DeletedAt)
		}
		eventually(t, 30*time.Second, "the deleted peering reads as not found (nil, nil)", func() (bool, string) {
			p, _, err := a2.Peerings().Read(ctx(t), peer1, nil)
			if err != nil {
				return false, err.Error()
			}
			if p != nil {
				return false, "State " + string(p.State)
			}
			return true, ""
		})
		list, _, err := a2.Peerings().List(ctx(t), nil)
		if err != nil || slices.ContainsFunc(list, func(p *api.Peering) bool { return p.Name == peer1 }) {
			t.Fatalf("list after delete still has %s (err %v)", peer1, err)
		}
		entries, _, err := a2.Health().Service(service, "", false, &api.QueryOptions{Peer: peer1})
		if err != nil || len(entries) != 0 {
			t.Fatalf("imported instances after delete: %v, %v", entries, err)
		}
		imported, _, err := a2.ImportedServices(nil)
		if err != nil || slices.ContainsFunc(imported, func(s api.ImportedService) bool { return s.SourcePeer == peer1 }) {
			t.Fatalf("imported services after delete: %+v, %v", imported, err)
		}
		if p := <-terminated; p == nil {
			t.Fatalf("cluster1's side never read TERMINATED in its blocking reads")
		} else if p.ID != acceptor.ID {
			t.Fatalf("terminated peering has ID %s, want %s", p.ID, acceptor.ID)
		}
		if _, err := a1.Peerings().Delete(ctx(t), peer2, nil); err != nil {
			t.Fatalf("delete on cluster1: %v", err)
		}
		eventually(t, 30*time.Second, "cluster1's side gone", func() (bool, string) {
			p, _, err := a1.Peerings().Read(ctx(t), peer2, nil)
			return err == nil && p == nil, "err " + errString(err)
		})
	})
}

// configWrite does what `consul config write <file>` does with a JSON file: decode it into the client's config
// entry struct (api.DecodeConfigEntry), then ConfigEntries().Set, which PUTs the struct to /v1/config.
func configWrite(t *testing.T, client *api.Client, file string) {
	t.Helper()
	entry, err := api.DecodeConfigEntryFromJSON([]byte(file))
	if err != nil {
		t.Fatalf("decode %s: %v", file, err)
	}
	written, _, err := client.ConfigEntries().Set(entry, nil)
	if err != nil {
		t.Fatalf("config write %s %s: %v", entry.GetKind(), entry.GetName(), err)
	}
	if !written {
		t.Fatalf("config write %s %s: the server answered false", entry.GetKind(), entry.GetName())
	}
}

func errString(err error) string {
	if err == nil {
		return "none"
	}
	return err.Error()
}

func join(s []string) string {
	if s == nil {
		return "null"
	}
	return "[" + strings.Join(s, ",") + "]"
}
