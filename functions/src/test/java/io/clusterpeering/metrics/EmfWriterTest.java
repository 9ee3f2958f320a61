package io.clusterpeering.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import software.amazon.cloudwatchlogs.emf.environment.Environment;
import software.amazon.cloudwatchlogs.emf.model.MetricsContext;
import software.amazon.cloudwatchlogs.emf.model.Unit;
import software.amazon.cloudwatchlogs.emf.sinks.ISink;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The EMF lines the functions write in AWS: what CloudWatch needs to extract the metric, and nothing from Lambda's defaults. */
class EmfWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An environment whose sink keeps the serialised lines, as CloudWatch Logs would receive them. */
    private static final class Capturing implements Environment {
        final List<String> lines = new ArrayList<>();

        @Override public boolean probe() { return true; }
        @Override public String getName() { return "test"; }
        @Override public String getType() { return "test"; }
        @Override public String getLogGroupName() { return "test"; }
        @Override public void configureContext(MetricsContext context) { }

        @Override
        public ISink getSink() {
            return new ISink() {
                @Override
                public void accept(MetricsContext context) {
                    try {
                        lines.addAll(context.serialize());
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }

                @Override
                public CompletableFuture<Void> shutdown() {
                    return CompletableFuture.completedFuture(null);
                }
            };
        }
    }

    @Test
    void aPeerMetricIsOneLinePublishedPerPeerAndForTheWholeDatacenter() throws Exception {
        Capturing environment = new Capturing();
        new EmfWriter(environment, "dc1").write("consul.peering.healthy",
                Map.of("peer_name", "cluster-02", "peer_id", "id-1", "partition", "default"), 0, Unit.NONE);

        assertEquals(1, environment.lines.size());
        JsonNode line = JSON.readTree(environment.lines.get(0));
        JsonNode directive = line.get("_aws").get("CloudWatchMetrics").get(0);
        assertEquals("ClusterPeering", directive.get("Namespace").asText());
        assertEquals("[[\"datacenter\",\"partition\",\"peer_id\",\"peer_name\"],[\"datacenter\"]]",
                directive.get("Dimensions").toString().replace(" ", ""));
        assertEquals("consul.peering.healthy", directive.get("Metrics").get(0).get("Name").asText());
        assertEquals(0, line.get("consul.peering.healthy").asDouble());
        assertEquals("dc1", line.get("datacenter").asText());
        assertEquals("cluster-02", line.get("peer_name").asText());
        assertTrue(line.get("_aws").get("Timestamp").asLong() > 0);
    }

    @Test
    void aClusterMetricIsPublishedForTheDatacenterAlone() throws Exception {
        Capturing environment = new Capturing();
        new EmfWriter(environment, "dc2").write("cluster_peering.establish.refused_tokens", Map.of(), 1, Unit.COUNT);
        JsonNode directive = JSON.readTree(environment.lines.get(0)).get("_aws").get("CloudWatchMetrics").get(0);
        assertEquals("[[\"datacenter\"]]", directive.get("Dimensions").toString().replace(" ", ""));
        assertEquals("Count", directive.get("Metrics").get(0).get("Unit").asText());
    }
}
