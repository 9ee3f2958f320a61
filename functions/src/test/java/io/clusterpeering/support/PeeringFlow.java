package io.clusterpeering.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clusterpeering.local.EmbeddedDynamoDb;
import io.clusterpeering.local.LocalCluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The steps of the README walkthrough as methods: start a local cluster on a free port over the test
 * DynamoDB engine, generate, establish, read. Shared by the end-to-end tests and the benchmark.
 */
public final class PeeringFlow {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PeeringFlow() {
    }

    /** Starts a local cluster for a datacenter on a free port, its table in the test engine, heartbeats every second. */
    public static LocalCluster startCluster(String datacenter) {
        return startCluster(datacenter, Map.of());
    }

    /** As {@link #startCluster(String)}, with more configuration on top. */
    public static LocalCluster startCluster(String datacenter, Map<String, Object> more) {
        int port = EmbeddedDynamoDb.freePort();
        Map<String, Object> properties = new HashMap<>(TestDynamoDb.freshTable(datacenter));
        properties.put("micronaut.server.port", port);
        properties.put("peering.datacenter", datacenter);
        properties.put("peering.advertise-url", "http://127.0.0.1:" + port);
        properties.put("peering.heartbeat-interval", "1s");
        // The production default: a shorter one made exchanges and heartbeats time out on a loaded 2-core machine.
        // Tests of slow or silent peers set their own.
        properties.put("peering.peer-call-timeout", "5s");
        properties.putAll(more);
        return LocalCluster.start(null, properties);
    }

    /** A client for the cluster's HTTP API. */
    public static ConsulHttp client(LocalCluster cluster) {
        return new ConsulHttp("http://127.0.0.1:" + port(cluster));
    }

    /** The cluster's HTTP port. */
    public static int port(LocalCluster cluster) {
        return cluster.context().getProperty("micronaut.server.port", Integer.class).orElseThrow();
    }

    /** Generates a token on the cluster for the peer name; fails unless 200. */
    public static String generate(ConsulHttp cluster, String peerName) {
        HttpResponse<String> response = cluster.post("/v1/peering/token", "{\"PeerName\":\"" + peerName + "\"}");
        assertEquals(200, response.statusCode(), response.body());
        return json(response.body()).get("PeeringToken").asText();
    }

    /** Establishes on the cluster with the token under the peer name. */
    public static HttpResponse<String> establish(ConsulHttp cluster, String peerName, String token) {
        return cluster.post("/v1/peering/establish", "{\"PeerName\":\"" + peerName + "\",\"PeeringToken\":\"" + token + "\"}");
    }

    /** Reads a peering; fails unless 200. */
    public static JsonNode read(ConsulHttp cluster, String name) {
        HttpResponse<String> response = cluster.get("/v1/peering/" + name);
        assertEquals(200, response.statusCode(), response.body());
        return json(response.body());
    }

    /** Parses JSON text. */
    public static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
