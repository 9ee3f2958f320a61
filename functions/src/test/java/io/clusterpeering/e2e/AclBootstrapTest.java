package io.clusterpeering.e2e;

import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.support.AclFlow;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.Race;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static io.clusterpeering.support.PeeringFlow.client;
import static io.clusterpeering.support.PeeringFlow.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ACL bootstrap through HTTP on fresh clusters: the texts before bootstrap, a race of eight bootstraps with
 * exactly one winner (a conditional write), Consul's answer to every later call, and a default {@code allow}
 * policy that still never grants ACL access.
 */
class AclBootstrapTest {
    private LocalCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void eightConcurrentBootstrapsHaveExactlyOneWinner() throws InterruptedException {
        cluster = AclFlow.startCluster("dc1", "deny", Map.of());
        ConsulHttp anonymous = client(cluster).withToken(null);
        HttpResponse<String> beforeBootstrap = anonymous.withToken("11111111-2222-3333-4444-555555555555").get("/v1/acl/tokens");
        assertEquals(403, beforeBootstrap.statusCode());
        assertEquals("ACL system must be bootstrapped before making any requests that require authorization: ACL not found",
                beforeBootstrap.body());

        List<Callable<HttpResponse<String>>> racers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            racers.add(() -> anonymous.put("/v1/acl/bootstrap", null));
        }
        List<Object> outcomes = Race.run(racers);

        List<HttpResponse<String>> winners = new ArrayList<>();
        for (Object outcome : outcomes) {
            @SuppressWarnings("unchecked")
            HttpResponse<String> response = (HttpResponse<String>) outcome;
            if (response.statusCode() == 200) {
                winners.add(response);
            } else {
                assertEquals(403, response.statusCode(), response.body());
                assertTrue(response.body().matches("Permission denied: ACL bootstrap no longer allowed \\(reset index: \\d+\\)"),
                        response.body());
            }
        }
        assertEquals(1, winners.size(), "exactly one bootstrap wins");
        var token = json(winners.get(0).body());
        assertEquals(token.get("ID").asText(), token.get("SecretID").asText());
        assertEquals("Bootstrap Token (Global Management)", token.get("Description").asText());
        assertEquals("global-management", token.get("Policies").get(0).get("Name").asText());
        assertEquals("00000000-0000-0000-0000-000000000001", token.get("Policies").get(0).get("ID").asText());

        HttpResponse<String> later = anonymous.put("/v1/acl/bootstrap", null);
        assertEquals(403, later.statusCode());
        assertTrue(later.body().startsWith("Permission denied: ACL bootstrap no longer allowed (reset index: "));
        assertEquals(200, anonymous.withToken(token.get("SecretID").asText()).get("/v1/acl/tokens").statusCode());
    }

    @Test
    void defaultAllowOpensEverythingButTheAclApi() {
        cluster = AclFlow.startCluster("dc1", "allow", Map.of());
        ConsulHttp anonymous = client(cluster).withToken(null);
        AclFlow.bootstrap(anonymous);

        HttpResponse<String> peerings = anonymous.get("/v1/peerings");
        assertEquals(200, peerings.statusCode());
        assertEquals("allow", peerings.headers().firstValue("X-Consul-Default-ACL-Policy").orElseThrow());
        HttpResponse<String> policies = anonymous.get("/v1/acl/policies");
        assertEquals(403, policies.statusCode());
        assertEquals(AclFlow.deniedAnonymous("acl:read"), policies.body());
    }
}
