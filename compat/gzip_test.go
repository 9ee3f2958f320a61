package compat

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/consul/api"
)

// compressedPeerings is how many peerings TestCompressedAnswers makes: enough for a list answer well above the
// 1,400 bytes from which Consul (and we) gzip, few enough to take about a second.
const compressedPeerings = 12

// TestCompressedAnswers: answers are gzipped on the wire as Consul's HTTP server gzips them, and Consul's Go client
// reads them. A raw request with Accept-Encoding: gzip gets Content-Encoding: gzip and Vary: Accept-Encoding on the
// peering list and on a health read, and gunzips to the JSON; the api client (whose Go transport asks for gzip by
// itself) lists the peerings and reads the health entries, and its transport reports that it decompressed them; a
// small answer (/v1/status/leader) stays plain.
func TestCompressedAnswers(t *testing.T) {
	c1, _ := clusters(t)
	admin := c1.admin(t)
	names := make([]string, compressedPeerings)
	for i := range names {
		names[i] = fmt.Sprintf("gzip-%s-%02d", run, i)
		if _, _, err := admin.Peerings().GenerateToken(ctx(t), api.PeeringGenerateTokenRequest{PeerName: names[i]}, nil); err != nil {
			t.Fatalf("generate %s: %v", names[i], err)
		}
	}
	t.Cleanup(func() {
		for _, name := range names {
			_, _ = admin.Peerings().Delete(ctx(t), name, nil)
		}
	})
	service, node := "gzip-web-"+run, "gzip-node-"+run
	for i := 1; i <= 4; i++ {
		id := fmt.Sprintf("%s-%d", service, i)
		if _, err := admin.Catalog().Register(&api.CatalogRegistration{Node: node, Address: "10.0.0.9",
			Service: &api.AgentService{ID: id, Service: service, Port: 8080 + i, Tags: []string{"v1", "gzip"}},
			Check:   &api.AgentCheck{CheckID: id + "-http", Name: "web http", Status: api.HealthPassing, ServiceID: id},
		}, nil); err != nil {
			t.Fatalf("register %s: %v", id, err)
		}
	}
	t.Cleanup(func() { _, _ = admin.Catalog().Deregister(&api.CatalogDeregistration{Node: node}, nil) })

	t.Run("on the wire", func(t *testing.T) {
		var listed []*api.Peering
		rawGzipped(t, c1, "/v1/peerings", &listed)
		if got := countNamed(listed, names); got != compressedPeerings {
			t.Fatalf("the gunzipped list has %d of our %d peerings", got, compressedPeerings)
		}
		var entries []api.ServiceEntry
		rawGzipped(t, c1, "/v1/health/service/"+service, &entries)
		if len(entries) != 4 {
			t.Fatalf("the gunzipped health read has %d entries, want 4", len(entries))
		}
	})

	t.Run("through the api client", func(t *testing.T) {
		seen := &decompressions{}
		client := c1.clientWith(t, adminToken(t, c1), &http.Client{Transport: seen})
		listed, _, err := client.Peerings().List(ctx(t), nil)
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		if got := countNamed(listed, names); got != compressedPeerings {
			t.Fatalf("the client listed %d of our %d peerings", got, compressedPeerings)
		}
		entries, _, err := client.Health().Service(service, "", true, nil)
		if err != nil || len(entries) != 4 || entries[0].Service.Service != service {
			t.Fatalf("health read: %d entries, %v", len(entries), err)
		}
		for _, path := range []string{"/v1/peerings", "/v1/health/service/" + service} {
			if !seen.decompressed(path) {
				t.Fatalf("Go's transport did not gunzip %s: the answer was not gzipped on the wire", path)
			}
		}
	})

	t.Run("a small answer stays plain", func(t *testing.T) {
		resp := rawGet(t, c1, "/v1/status/leader", "gzip")
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" || !strings.Contains(string(body), ":") {
			t.Fatalf("want a plain 200 address, got %d Content-Encoding %q body %q", resp.StatusCode,
				resp.Header.Get("Content-Encoding"), body)
		}
		if resp.Header.Get("Vary") != "Accept-Encoding" {
			t.Fatalf("Vary = %q, want Accept-Encoding on every answer", resp.Header.Get("Vary"))
		}
	})
}

// rawGzipped GETs path asking for gzip itself (so Go's transport leaves the body coded), checks the answer is
// 200, gzip-coded and varies by Accept-Encoding, and decodes the gunzipped JSON into v.
func rawGzipped(t *testing.T, c cluster, path string, v any) {
	t.Helper()
	resp := rawGet(t, c, path, "gzip")
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("GET %s: %d, Content-Encoding %q, Vary %q; want 200, gzip, Accept-Encoding", path, resp.StatusCode,
			resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
	}
	plain, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: not gzip: %v", path, err)
	}
	if err := json.NewDecoder(plain).Decode(v); err != nil {
		t.Fatalf("GET %s: the gunzipped body is not the JSON: %v", path, err)
	}
}

// rawGet sends a GET with this Accept-Encoding (and the admin token in ACL mode) through a plain transport.
func rawGet(t *testing.T, c cluster, path, acceptEncoding string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx(t), http.MethodGet, c.addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", acceptEncoding)
	if token := adminToken(t, c); token != "" {
		req.Header.Set("X-Consul-Token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp
}

// adminToken is the token of c.admin: none with ACLs off, the management token with ACLs on.
func adminToken(t *testing.T, c cluster) string {
	t.Helper()
	if !aclMode() {
		return ""
	}
	return managementToken(t, c).SecretID
}

func countNamed(peerings []*api.Peering, names []string) int {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	n := 0
	for _, p := range peerings {
		if want[p.Name] {
			n++
		}
	}
	return n
}

// decompressions is a RoundTripper over Go's default transport that notes the paths whose answers the transport
// gunzipped (it asks for gzip itself, then sets Response.Uncompressed).
type decompressions struct {
	mu    sync.Mutex
	paths map[string]bool
}

func (d *decompressions) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && resp.Uncompressed {
		d.mu.Lock()
		if d.paths == nil {
			d.paths = map[string]bool{}
		}
		d.paths[r.URL.Path] = true
		d.mu.Unlock()
	}
	return resp, err
}

func (d *decompressions) decompressed(path string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.paths[path]
}
