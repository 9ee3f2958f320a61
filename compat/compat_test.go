// Package compat drives two running Cluster Peering clusters with Consul's own Go API client
// (github.com/hashicorp/consul/api). It starts nothing: compat/run.sh (or you) start the clusters and give their
// addresses in COMPAT_CLUSTER1_ADDR and COMPAT_CLUSTER2_ADDR; COMPAT_ACL=1 says they enforce ACLs.
package compat

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/consul/api"
)

const (
	envCluster1 = "COMPAT_CLUSTER1_ADDR"
	envCluster2 = "COMPAT_CLUSTER2_ADDR"
	envACL      = "COMPAT_ACL"
	// Management tokens of already bootstrapped clusters, for a rerun in ACL mode (bootstrap works once).
	envToken1 = "COMPAT_CLUSTER1_TOKEN"
	envToken2 = "COMPAT_CLUSTER2_TOKEN"
)

// run is this run's suffix: every peering, service and ACL name carries it, so reruns against the same clusters
// never meet what an earlier run left.
var run = randomSuffix()

func randomSuffix() string {
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func TestMain(m *testing.M) {
	// The suite decides every token itself: none may come from the caller's environment.
	for _, name := range []string{"CONSUL_HTTP_TOKEN", "CONSUL_HTTP_TOKEN_FILE", "CONSUL_HTTP_ADDR", "CONSUL_NAMESPACE",
		"CONSUL_PARTITION"} {
		os.Unsetenv(name)
	}
	os.Exit(m.Run())
}

// cluster is one of the two clusters under test.
type cluster struct {
	label string // "cluster1" or "cluster2"
	addr  string // as given, e.g. http://127.0.0.1:18500
	env   string // the variable that gave addr
}

func aclMode() bool { return os.Getenv(envACL) == "1" || strings.EqualFold(os.Getenv(envACL), "true") }

// clusters returns both clusters, or skips the test when the addresses are not given.
func clusters(t *testing.T) (cluster, cluster) {
	t.Helper()
	a, b := os.Getenv(envCluster1), os.Getenv(envCluster2)
	if a == "" || b == "" {
		t.Skipf("%s and %s are not set: this suite needs two running clusters (bash compat/run.sh starts them)",
			envCluster1, envCluster2)
	}
	return cluster{"cluster1", a, envCluster1}, cluster{"cluster2", b, envCluster2}
}

// hostPort is the cluster's address without scheme, as the clusters advertise it by default.
func (c cluster) hostPort(t *testing.T) string {
	t.Helper()
	if !strings.Contains(c.addr, "://") {
		return c.addr
	}
	u, err := url.Parse(c.addr)
	if err != nil {
		t.Fatalf("%s=%q: %v", c.env, c.addr, err)
	}
	return u.Host
}

// client is a Go API client for the cluster with exactly this token ("" for none: the anonymous token).
func (c cluster) client(t *testing.T, token string) *api.Client {
	t.Helper()
	var httpClient *http.Client
	if os.Getenv("COMPAT_TRACE") == "1" {
		httpClient = &http.Client{Transport: traceTransport{t}}
	}
	return c.clientWith(t, token, httpClient)
}

// clientWith is a Go API client for the cluster with this token over this HTTP client (nil: the api's own).
func (c cluster) clientWith(t *testing.T, token string, httpClient *http.Client) *api.Client {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.Address = c.addr
	cfg.Token = token
	cfg.HttpClient = httpClient
	cl, err := api.NewClient(cfg)
	if err != nil {
		t.Fatalf("client for %s: %v", c.addr, err)
	}
	return cl
}

// admin is a client with every permission: no token with ACLs off, the management token with ACLs on.
func (c cluster) admin(t *testing.T) *api.Client {
	t.Helper()
	if !aclMode() {
		return c.client(t, "")
	}
	return c.client(t, managementToken(t, c).SecretID)
}

// datacenter is the cluster's datacenter, from /v1/agent/self.
func (c cluster) datacenter(t *testing.T) string {
	t.Helper()
	self, err := c.admin(t).Agent().Self()
	if err != nil {
		t.Fatalf("%s: agent self: %v", c.label, err)
	}
	dc, _ := self["Config"]["Datacenter"].(string)
	if dc == "" {
		t.Fatalf("%s: agent self has no Config.Datacenter: %v", c.label, self)
	}
	return dc
}

// bootstrapResult is what the suite's one ACL bootstrap of a cluster gave.
type bootstrapResult struct {
	token       *api.ACLToken // the management token
	bootstraped bool          // false: the cluster was bootstrapped before and the token came from the environment
	err         error
}

var (
	bootstrapOnce sync.Map // address -> *sync.Once
	bootstraps    sync.Map // address -> *bootstrapResult
)

// managementToken bootstraps the cluster's ACL system the first time it is asked (a bootstrap works once per
// cluster); on a cluster bootstrapped before, it takes the SecretID from COMPAT_CLUSTERn_TOKEN.
func managementToken(t *testing.T, c cluster) *api.ACLToken {
	t.Helper()
	r := bootstrap(t, c)
	if r.err != nil {
		t.Fatalf("%s: %v", c.label, r.err)
	}
	return r.token
}

func bootstrap(t *testing.T, c cluster) *bootstrapResult {
	t.Helper()
	onceValue, _ := bootstrapOnce.LoadOrStore(c.addr, &sync.Once{})
	onceValue.(*sync.Once).Do(func() {
		r := &bootstrapResult{}
		token, _, err := c.client(t, "").ACL().Bootstrap()
		envName := envToken1
		if c.label == "cluster2" {
			envName = envToken2
		}
		switch {
		case err == nil:
			r.token, r.bootstraped = token, true
		case strings.Contains(err.Error(), "ACL bootstrap no longer allowed") && os.Getenv(envName) != "":
			self, _, selfErr := c.client(t, os.Getenv(envName)).ACL().TokenReadSelf(nil)
			if selfErr != nil {
				r.err = fmt.Errorf("%s does not resolve: %w", envName, selfErr)
			} else {
				r.token = self
			}
		default:
			r.err = fmt.Errorf("ACL bootstrap failed (%w); on a cluster bootstrapped before, give its management "+
				"SecretID in %s", err, envName)
		}
		bootstraps.Store(c.addr, r)
	})
	v, _ := bootstraps.Load(c.addr)
	return v.(*bootstrapResult)
}

// statusError asserts that err is the client's StatusError with this code and exactly this body.
func statusError(t *testing.T, err error, code int, body string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want HTTP %d %q, got no error", code, body)
	}
	var se api.StatusError
	if !errors.As(err, &se) {
		t.Fatalf("want api.StatusError %d %q, got %T: %v", code, body, err, err)
	}
	want := fmt.Sprintf("Unexpected response code: %d (%s)", code, body)
	if se.Code != code || err.Error() != want {
		t.Fatalf("error\n got: %s\nwant: %s", err.Error(), want)
	}
}

// eventually calls f until it reports true or the timeout passes; f's last detail goes into the failure.
func eventually(t *testing.T, timeout time.Duration, what string, f func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, detail := f()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s; last: %s", what, timeout, detail)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// recent says whether a stream time is set and within the last ten minutes (and not in the future).
func recent(ts *time.Time) bool {
	return ts != nil && time.Since(*ts) < 10*time.Minute && time.Until(*ts) < 30*time.Second
}

// traceTransport logs every request and answer (COMPAT_TRACE=1), to see what the client sent when a case fails.
type traceTransport struct{ t *testing.T }

func (tr traceTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		tr.t.Logf("%s %s %s: %v", r.Method, r.URL, body, err)
		return resp, err
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(answer))
	tr.t.Logf("%s %s %s\n  -> %d %s", r.Method, r.URL, body, resp.StatusCode, answer)
	return resp, nil
}
