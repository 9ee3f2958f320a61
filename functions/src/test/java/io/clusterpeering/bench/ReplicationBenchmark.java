package io.clusterpeering.bench;

import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.store.ImportedDataStore;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.PeeringFlow;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Prints two replication figures between two local clusters (heartbeat resync every minute, so only the
 * stream-driven push is measured):
 * <ol>
 *   <li>register → visible: N times (default 200) an exported instance is registered on the exporter and the
 *       importer's {@code /v1/health/service/bench?peer=} is polled until it lists it; median and p99;</li>
 *   <li>purge: the importer holds 1,000 imported instances; time from {@code DELETE /v1/peering} until none is
 *       left in its table.</li>
 * </ol>
 * <pre>
 * mvn -q -pl functions test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.clusterpeering.bench.ReplicationBenchmark [-Dexec.args=200]
 * </pre>
 */
public final class ReplicationBenchmark {
    private static final int PURGED_INSTANCES = 1000;

    private ReplicationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Map<String, Object> slowResync = Map.of("peering.heartbeat-interval", "60s");
        try (LocalCluster dc1 = PeeringFlow.startCluster("dc1", slowResync);
             LocalCluster dc2 = PeeringFlow.startCluster("dc2", slowResync)) {
            ConsulHttp exporter = PeeringFlow.client(dc1);
            ConsulHttp importer = PeeringFlow.client(dc2);
            PeeringFlow.establish(importer, "cluster-01", PeeringFlow.generate(exporter, "cluster-02"));
            exporter.send("PUT", "/v1/config", "{\"Kind\":\"exported-services\",\"Name\":\"default\",\"Services\":"
                    + "[{\"Name\":\"bench\",\"Consumers\":[{\"Peer\":\"cluster-02\"}]},"
                    + "{\"Name\":\"bulk\",\"Consumers\":[{\"Peer\":\"cluster-02\"}]}]}");

            List<Double> millis = new ArrayList<>();
            for (int i = 0; i < samples; i++) {
                String id = "bench-" + i;
                long start = System.nanoTime();
                register(exporter, "bench", id);
                while (!importer.sendUnchecked("GET", "/v1/health/service/bench?peer=cluster-01", null).body()
                        .contains("\"ID\":\"" + id + "\"")) {
                    Thread.sleep(2);
                }
                millis.add((System.nanoTime() - start) / 1e6);
            }
            Collections.sort(millis);
            System.out.printf("register -> visible on the peer, %d samples: median %.0f ms, p99 %.0f ms, min %.0f ms, max %.0f ms%n",
                    samples, percentile(millis, 50), percentile(millis, 99), millis.get(0), millis.get(millis.size() - 1));

            for (int i = 0; i < PURGED_INSTANCES; i++) {
                register(exporter, "bulk", "bulk-" + i);
            }
            ImportedDataStore imported = dc2.context().getBean(ImportedDataStore.class);
            PeeringKey peer = new PeeringKey(null, "cluster-01");
            long waitStart = System.nanoTime();
            io.clusterpeering.store.CatalogStore catalog = dc2.context().getBean(io.clusterpeering.store.CatalogStore.class);
            while (catalog.importedInstances(peer, "bulk").value().size() < PURGED_INSTANCES) {
                Thread.sleep(50);
            }
            System.out.printf("%d instances imported %.1f s after the last registration%n", PURGED_INSTANCES,
                    (System.nanoTime() - waitStart) / 1e9);
            int items = imported.count(peer);
            long purgeStart = System.nanoTime();
            HttpResponse<String> deleted = importer.delete("/v1/peering/cluster-01");
            if (deleted.statusCode() != 200) {
                throw new IllegalStateException("delete failed: " + deleted.body());
            }
            while (imported.count(peer) > 0) {
                Thread.sleep(20);
            }
            System.out.printf("purge of %d imported items (%d instances): %.0f ms from DELETE to none left%n",
                    items, PURGED_INSTANCES, (System.nanoTime() - purgeStart) / 1e6);
        }
        System.exit(0);
    }

    private static void register(ConsulHttp exporter, String service, String id) {
        HttpResponse<String> response = exporter.sendUnchecked("PUT", "/v1/catalog/register",
                "{\"Node\":\"node-1\",\"Address\":\"10.0.0.1\",\"Service\":{\"ID\":\"" + id + "\",\"Service\":\""
                        + service + "\",\"Port\":8080}}");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("register failed: " + response.body());
        }
    }

    private static double percentile(List<Double> sorted, int percent) {
        int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, index));
    }
}
