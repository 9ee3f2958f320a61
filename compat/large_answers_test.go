package compat

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/consul/api"
)

// envLargeAnswers names the folder of the answers CompressedAnswersTest keeps (functions/target/large-answers by
// default); envRequireLargeAnswers=1 (CI) turns their absence into a failure instead of a skip.
const (
	envLargeAnswers        = "COMPAT_LARGE_ANSWERS_DIR"
	envRequireLargeAnswers = "COMPAT_REQUIRE_LARGE_ANSWERS"
)

// capturedAnswer is one answer kept by CompressedAnswersTest: the gzipped body as a client receives it once API
// Gateway has decoded Lambda's base64, and the headers beside it.
type capturedAnswer struct {
	body []byte
	meta struct {
		ContentType     string `json:"Content-Type"`
		ContentEncoding string `json:"Content-Encoding"`
		Vary            string `json:"Vary"`
		Index           string `json:"X-Consul-Index"`
		Peer            string `json:"peer"`
		Peerings        int    `json:"peerings"`
		Instances       int    `json:"instances"`
	}
}

func loadCaptured(t *testing.T, dir, name string) capturedAnswer {
	t.Helper()
	var answer capturedAnswer
	body, err := os.ReadFile(filepath.Join(dir, name+".body"))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	answer.body = body
	meta, err := os.ReadFile(filepath.Join(dir, name+".json"))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	if err := json.Unmarshal(meta, &answer.meta); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return answer
}

// TestLargeAnswersThroughLambda: the largest answers the Java suite produced through the Lambda entry point
// (CompressedAnswersTest: GET /v1/peerings of 10,000 peerings, a ?peer= health read of 20,000 imported instances,
// in both API Gateway payload formats) are read by Consul's Go client as they would reach it from API Gateway.
// A local server plays API Gateway: it answers the client's requests with the kept bytes and headers, and only
// when the client asked for gzip (its Go transport does by itself). The client must list every peering and every
// health entry, with the answer's X-Consul-Index as LastIndex.
func TestLargeAnswersThroughLambda(t *testing.T) {
	dir := os.Getenv(envLargeAnswers)
	if dir == "" {
		dir = filepath.Join("..", "functions", "target", "large-answers")
	}
	if _, err := os.Stat(filepath.Join(dir, "http_api_2_0-peerings.body")); err != nil {
		if os.Getenv(envRequireLargeAnswers) == "1" {
			t.Fatalf("no kept answers in %s (CompressedAnswersTest writes them): %v", dir, err)
		}
		t.Skipf("no kept answers in %s: run CompressedAnswersTest first (mvn -pl functions test -Dtest=CompressedAnswersTest)", dir)
	}
	for _, format := range []string{"http_api_2_0", "rest_api_1_0"} {
		t.Run(format, func(t *testing.T) {
			peerings := loadCaptured(t, dir, format+"-peerings")
			health := loadCaptured(t, dir, format+"-health-web")
			client := gatewayPlayingClient(t, map[string]capturedAnswer{
				"/v1/peerings":           peerings,
				"/v1/health/service/web": health,
			})

			list, meta, err := client.Peerings().List(ctx(t), nil)
			if err != nil {
				t.Fatalf("Peerings().List: %v", err)
			}
			if len(list) != peerings.meta.Peerings {
				t.Fatalf("Peerings().List read %d peerings, want %d", len(list), peerings.meta.Peerings)
			}
			if list[0].Name == "" || len(list[len(list)-1].PeerCAPems) == 0 || list[len(list)-1].State != api.PeeringStateActive {
				t.Fatalf("the last peering read back incomplete: %+v", list[len(list)-1])
			}
			assertLastIndex(t, "Peerings().List", meta.LastIndex, peerings)

			entries, qm, err := client.Health().Service("web", "", false, &api.QueryOptions{Peer: health.meta.Peer})
			if err != nil {
				t.Fatalf("Health().Service: %v", err)
			}
			if len(entries) != health.meta.Instances {
				t.Fatalf("Health().Service read %d entries, want %d", len(entries), health.meta.Instances)
			}
			// (PeerName is the kept instances' own: the Java test's fixtures store them as from "peer".)
			if entries[0].Service.Service != "web" || entries[0].Service.PeerName == "" {
				t.Fatalf("first entry: service %q from peer %q", entries[0].Service.Service, entries[0].Service.PeerName)
			}
			assertLastIndex(t, "Health().Service", qm.LastIndex, health)
			t.Logf("%s: %d peerings from %d gzipped bytes, %d health entries from %d gzipped bytes", format,
				len(list), len(peerings.body), len(entries), len(health.body))
		})
	}
}

// gatewayPlayingClient is Consul's Go client pointed at a local server that answers each path with its kept
// answer, gzipped as kept, and refuses (406) a request that did not ask for gzip: those bytes are gzip only.
func gatewayPlayingClient(t *testing.T, answers map[string]capturedAnswer) *api.Client {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answer, ok := answers[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			http.Error(w, fmt.Sprintf("the kept answer is gzip; the client asked for %q", r.Header.Get("Accept-Encoding")),
				http.StatusNotAcceptable)
			return
		}
		w.Header().Set("Content-Type", answer.meta.ContentType)
		w.Header().Set("Content-Encoding", answer.meta.ContentEncoding)
		w.Header().Set("Vary", answer.meta.Vary)
		w.Header().Set("X-Consul-Index", answer.meta.Index)
		w.Header().Set("Content-Length", strconv.Itoa(len(answer.body)))
		_, _ = w.Write(answer.body)
	}))
	t.Cleanup(server.Close)
	client, err := api.NewClient(&api.Config{Address: strings.TrimPrefix(server.URL, "http://")})
	if err != nil {
		t.Fatalf("api.NewClient: %v", err)
	}
	return client
}

func assertLastIndex(t *testing.T, what string, got uint64, answer capturedAnswer) {
	t.Helper()
	want, err := strconv.ParseUint(answer.meta.Index, 10, 64)
	if err != nil || want == 0 {
		t.Fatalf("%s: the kept answer's X-Consul-Index %q is not an index", what, answer.meta.Index)
	}
	if got != want {
		t.Fatalf("%s: LastIndex %d, want the answer's X-Consul-Index %d", what, got, want)
	}
	if answer.meta.ContentEncoding != "gzip" || answer.meta.Vary != "Accept-Encoding" {
		t.Fatalf("%s: kept with Content-Encoding %q and Vary %q", what, answer.meta.ContentEncoding, answer.meta.Vary)
	}
}
