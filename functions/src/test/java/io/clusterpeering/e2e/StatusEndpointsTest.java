package io.clusterpeering.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.support.AclFlow;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.PeeringFlow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;

import static io.clusterpeering.support.PeeringFlow.client;
import static io.clusterpeering.support.PeeringFlow.json;
import static io.clusterpeering.support.PeeringFlow.port;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /v1/status/leader} and {@code /v1/status/peers} through HTTP, as a one-server Consul answers them:
 * the cluster's advertised {@code host:port} as a JSON string, and an array holding only it. As in Consul they
 * need no ACL permission: with ACLs on and default deny they answer without a token, with an unknown one and
 * before bootstrap. Every answer is checked against the OpenAPI document by {@link ConsulHttp}.
 */
class StatusEndpointsTest {
    private LocalCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void answerTheAdvertisedAddressAsAOneServerConsul() {
        cluster = PeeringFlow.startCluster("dc1");
        ConsulHttp http = client(cluster);
        String address = "127.0.0.1:" + port(cluster);

        HttpResponse<String> leader = http.get("/v1/status/leader");
        assertEquals(200, leader.statusCode(), leader.body());
        assertEquals("\"" + address + "\"", leader.body());
        assertTrue(leader.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        HttpResponse<String> peers = http.get("/v1/status/peers");
        assertEquals(200, peers.statusCode(), peers.body());
        assertEquals("[\"" + address + "\"]", peers.body());

        HttpResponse<String> post = http.sendUnchecked("POST", "/v1/status/leader", "");
        assertEquals(405, post.statusCode(), post.body());
        assertEquals("OPTIONS,GET", post.headers().firstValue("Allow").orElse(""));
    }

    @Test
    void agentSelfNamesTheSameAddressAlsoWhenTheUrlNamesNoPort() {
        cluster = PeeringFlow.startCluster("dc1", Map.of("peering.advertise-url", "https://peering.example.com"));
        ConsulHttp http = client(cluster);
        HttpResponse<String> self = http.get("/v1/agent/self");
        assertEquals(200, self.statusCode(), self.body());
        JsonNode member = json(self.body()).get("Member");
        assertEquals("peering.example.com", member.get("Addr").asText());
        assertEquals(443, member.get("Port").asInt(), "the scheme's port, not -1");
        assertEquals("\"peering.example.com:443\"", http.get("/v1/status/leader").body());
    }

    @Test
    void needNoTokenWithAclsOnAndAnswerTheSchemesDefaultPort() {
        cluster = AclFlow.startCluster("dc1", "deny", Map.of("peering.advertise-url", "https://peering.example.com"));
        ConsulHttp anonymous = client(cluster).withToken(null);
        for (ConsulHttp http : new ConsulHttp[] {anonymous, anonymous.withToken(UUID.randomUUID().toString())}) {
            HttpResponse<String> leader = http.get("/v1/status/leader");
            assertEquals(200, leader.statusCode(), leader.body());
            assertEquals("\"peering.example.com:443\"", leader.body());
            HttpResponse<String> peers = http.get("/v1/status/peers");
            assertEquals(200, peers.statusCode(), peers.body());
            assertEquals("[\"peering.example.com:443\"]", peers.body());
        }
        HttpResponse<String> peerings = anonymous.get("/v1/peerings");
        assertEquals(403, peerings.statusCode(), "the same caller is refused elsewhere: " + peerings.body());
    }
}
