package io.clusterpeering.support;

import io.clusterpeering.local.EmbeddedDynamoDb;
import io.clusterpeering.local.LocalCluster;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static io.clusterpeering.support.PeeringFlow.client;
import static io.clusterpeering.support.PeeringFlow.json;
import static io.clusterpeering.support.PeeringFlow.startCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two local clusters for replication tests: an exporter (dc1) and an importer (dc2) that the exporter reaches only
 * through a TCP forwarder, which a test cuts to drop the exporter's messages (the importer still reaches the
 * exporter directly). Each {@link #peer()} peers a fresh pair of names in a partition of its own, so tests do not
 * see each other's exports.
 */
public final class CuttableLink implements AutoCloseable {
    private final LocalCluster exporterCluster;
    private final LocalCluster importerCluster;
    private final ConsulHttp exporter;
    private final ConsulHttp importer;
    private final int forwardedPort;
    private final int importerPort;
    private TcpForwarder forwarder;

    private CuttableLink(LocalCluster exporterCluster, LocalCluster importerCluster, int forwardedPort,
                         int importerPort) throws IOException {
        this.exporterCluster = exporterCluster;
        this.importerCluster = importerCluster;
        this.forwardedPort = forwardedPort;
        this.importerPort = importerPort;
        this.forwarder = TcpForwarder.start(forwardedPort, importerPort);
        this.exporter = client(exporterCluster);
        this.importer = client(importerCluster);
    }

    /** Starts both clusters, each with {@code settings} on top of {@link PeeringFlow#startCluster}'s. */
    public static CuttableLink start(Map<String, Object> settings) throws IOException {
        LocalCluster dc1 = startCluster("dc1", settings);
        int forwardedPort = EmbeddedDynamoDb.freePort();
        Map<String, Object> importerSettings = new HashMap<>(settings);
        importerSettings.put("peering.advertise-url", "http://127.0.0.1:" + forwardedPort);
        LocalCluster dc2 = startCluster("dc2", importerSettings);
        return new CuttableLink(dc1, dc2, forwardedPort, PeeringFlow.port(dc2));
    }

    /**
     * A fresh peering: the exporter's name for the importer, the importer's name for the exporter, and their
     * partition.
     */
    public record Pair(String importerName, String exporterName, String partition) {
    }

    /** Peers a fresh pair of names in a new partition (token on the exporter, established by the importer). */
    public Pair peer() {
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        Pair pair = new Pair("imp-" + suffix, "exp-" + suffix, "p" + suffix);
        HttpResponse<String> token = exporter.post("/v1/peering/token?partition=" + pair.partition(),
                "{\"PeerName\":\"" + pair.importerName() + "\"}");
        HttpResponse<String> established = importer.post("/v1/peering/establish?partition=" + pair.partition(),
                "{\"PeerName\":\"" + pair.exporterName() + "\",\"PeeringToken\":\""
                        + json(token.body()).get("PeeringToken").asText() + "\"}");
        assertEquals(200, established.statusCode(), established.body());
        return pair;
    }

    /** Makes the pair's exported-services entry export exactly these services to the importer. */
    public void export(Pair pair, String... services) {
        StringBuilder list = new StringBuilder();
        for (String service : services) {
            list.append(list.length() == 0 ? "" : ",").append("{\"Name\":\"").append(service)
                    .append("\",\"Consumers\":[{\"Peer\":\"").append(pair.importerName()).append("\"}]}");
        }
        HttpResponse<String> response = exporter.send("PUT", "/v1/config?partition=" + pair.partition(),
                "{\"Kind\":\"exported-services\",\"Name\":\"" + pair.partition() + "\",\"Services\":[" + list + "]}");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("true", response.body());
    }

    /** Cuts the exporter's path to the importer: its messages are dropped until {@link #restore}. */
    public void cut() throws IOException {
        forwarder.close();
    }

    /** Opens the exporter's path to the importer again. */
    public void restore() throws IOException {
        forwarder = TcpForwarder.start(forwardedPort, importerPort);
    }

    public LocalCluster exporterCluster() {
        return exporterCluster;
    }

    public LocalCluster importerCluster() {
        return importerCluster;
    }

    public ConsulHttp exporter() {
        return exporter;
    }

    public ConsulHttp importer() {
        return importer;
    }

    @Override
    public void close() throws IOException {
        forwarder.close();
        exporterCluster.close();
        importerCluster.close();
    }
}
