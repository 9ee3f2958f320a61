package io.clusterpeering.bench;

import io.clusterpeering.local.LocalCluster;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Replication between two local clusters on the shared engine: an exported instance is registered on the
 * exporter and the importer's {@code /v1/health/service/bench?peer=} is read until it lists it. The push is driven
 * by the table's stream, which the local runtime polls every {@code peering.local.stream-poll-interval} (in AWS,
 * Lambda's DynamoDB Streams event source mapping polls); that interval is the denominator: half of it is the
 * expected wait for the next poll.
 */
final class ReplicationSection implements Section {
    static final String TITLE = "Replication";
    static final Duration POLL = Duration.ofMillis(200);

    @Override
    public String id() {
        return "replication";
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public void run(BenchRun run) throws Exception {
        int samples = run.options().quick() ? 30 : 200;
        Map<String, Object> settings = Map.of("peering.local.stream-poll-interval", POLL.toMillis() + "ms");
        try (LocalCluster dc1 = Cluster.local(run, "dc1", settings);
             LocalCluster dc2 = Cluster.local(run, "dc2", settings)) {
            Cluster exporter = Cluster.over(dc1);
            Cluster importer = Cluster.over(dc2);
            String token = exporter.ok("POST", "/v1/peering/token", "{\"PeerName\":\"cluster-02\"}").get("PeeringToken").asText();
            importer.ok("POST", "/v1/peering/establish", "{\"PeerName\":\"cluster-01\",\"PeeringToken\":\"" + token + "\"}");
            exporter.ok("PUT", "/v1/config", "{\"Kind\":\"exported-services\",\"Name\":\"default\","
                    + "\"Services\":[{\"Name\":\"bench\",\"Consumers\":[{\"Peer\":\"cluster-02\"}]}]}");
            Histogram visible = Latency.histogram();
            for (int i = -5; i < samples; i++) {
                run.progress().step("register -> visible " + (i + 1) + "/" + samples);
                String id = "bench-" + i + "-" + System.nanoTime();
                long start = System.nanoTime();
                exporter.ok("PUT", "/v1/catalog/register", "{\"Node\":\"node-1\",\"Address\":\"10.0.0.1\","
                        + "\"Service\":{\"ID\":\"" + id + "\",\"Service\":\"bench\",\"Port\":8080}}");
                long deadline = start + Duration.ofSeconds(30).toNanos();
                while (!importer.call("GET", "/v1/health/service/bench?peer=cluster-01", null).getBody()
                        .contains("\"ID\":\"" + id + "\"")) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("instance " + id + " not visible on the peer after 30 s");
                    }
                    Thread.sleep(2);
                }
                if (i >= 0) {
                    visible.recordValue(System.nanoTime() - start);
                }
            }
            Map<String, Histogram> series = new LinkedHashMap<>();
            series.put("register -> visible on the peer", visible);
            Charts.latency(run.results().dir().resolve("replication.png"), "Replication: register to visible on the peer", series);
            for (double p : new double[]{50, 99}) {
                run.results().add(Figure.versus("replication.visible.p" + (int) p, TITLE,
                        "register -> visible on the peer p" + (int) p, Latency.ms(visible, p), "ms",
                        "the local stream poll interval", POLL.toMillis(), visible.getTotalCount() + " samples",
                        "replication.png"));
            }
        }
        run.results().note(TITLE, "Two local clusters (HTTP servers, stream pollers) on the shared engine. The exporter's "
                + "register writes the catalog; its stream poller (every " + POLL.toMillis() + " ms) hands the change to "
                + "the export handler, which pushes the signed snapshot over HTTP; the importer writes what changed. "
                + "Each sample registers a new instance and polls the importer's health read every 2 ms.");
    }
}
