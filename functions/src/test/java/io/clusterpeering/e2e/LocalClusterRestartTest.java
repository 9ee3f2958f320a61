package io.clusterpeering.e2e;

import io.clusterpeering.local.EmbeddedDynamoDb;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.PeeringFlow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A cluster started with a data folder (PEERING_DATA_DIR) keeps its peerings and its identity across a restart. */
class LocalClusterRestartTest {

    @Test
    void stateSurvivesARestartWithTheSameDataFolder(@TempDir Path dataDir) {
        int port = EmbeddedDynamoDb.freePort();
        Map<String, Object> properties = Map.of("micronaut.server.port", port, "peering.datacenter", "dc7",
                "peering.advertise-url", "http://127.0.0.1:" + port);
        String before;
        String clusterBefore;
        try (LocalCluster first = LocalCluster.start(dataDir, properties)) {
            ConsulHttp http = new ConsulHttp("http://127.0.0.1:" + port);
            assertEquals(200, http.post("/v1/peering/token", "{\"PeerName\":\"kept\"}").statusCode());
            before = PeeringFlow.read(http, "kept").get("ID").asText();
            clusterBefore = PeeringFlow.json(http.get("/v1/agent/self").body()).get("Config").get("NodeID").asText();
        }
        // Another port for the second start: the first one may still be in TIME_WAIT.
        int secondPort = EmbeddedDynamoDb.freePort();
        Map<String, Object> restarted = Map.of("micronaut.server.port", secondPort, "peering.datacenter", "dc7",
                "peering.advertise-url", "http://127.0.0.1:" + secondPort);
        try (LocalCluster second = LocalCluster.start(dataDir, restarted)) {
            ConsulHttp http = new ConsulHttp("http://127.0.0.1:" + secondPort);
            assertEquals(before, PeeringFlow.read(http, "kept").get("ID").asText());
            assertEquals(clusterBefore, PeeringFlow.json(http.get("/v1/agent/self").body())
                    .get("Config").get("NodeID").asText(), "the cluster keeps its CA and signing key");
            assertTrue(http.get("/v1/peerings").body().contains("\"Name\":\"kept\""));
        }
    }
}
