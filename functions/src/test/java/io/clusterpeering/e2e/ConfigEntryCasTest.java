package io.clusterpeering.e2e;

import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.PeeringFlow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static io.clusterpeering.support.PeeringFlow.client;
import static io.clusterpeering.support.PeeringFlow.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code PUT /v1/config?cas=<index>} through HTTP, the check-and-set that the Go client's
 * {@code ConfigEntries().CAS} and {@code consul config write -cas -modify-index} send: 0 writes only a new entry,
 * any other index only over the entry with that ModifyIndex, and a mismatch answers {@code false} and changes
 * nothing; the same for {@code DELETE /v1/config/:kind/:name?cas=} ({@code DeleteCAS}). Without {@code cas} a
 * write or delete always lands, as before.
 */
class ConfigEntryCasTest {
    private static LocalCluster cluster;
    private static ConsulHttp http;

    @BeforeAll
    static void start() {
        cluster = PeeringFlow.startCluster("dc1");
        http = client(cluster);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static String resolver(String timeout) {
        return "{\"Kind\":\"service-resolver\",\"Name\":\"cas-web\",\"ConnectTimeout\":\"" + timeout + "\"}";
    }

    private static long modifyIndex() {
        HttpResponse<String> read = http.get("/v1/config/service-resolver/cas-web");
        assertEquals(200, read.statusCode(), read.body());
        return json(read.body()).get("ModifyIndex").asLong();
    }

    private static String connectTimeout() {
        return json(http.get("/v1/config/service-resolver/cas-web").body()).get("ConnectTimeout").asText();
    }

    @Test
    void writesOnlyOverTheIndexItWasGiven() {
        HttpResponse<String> created = http.put("/v1/config?cas=0", resolver("5s"));
        assertEquals(200, created.statusCode(), created.body());
        assertEquals("true", created.body(), "cas=0 creates an entry that does not exist yet");
        assertEquals("false", http.put("/v1/config?cas=0", resolver("6s")).body(), "cas=0 never overwrites");
        assertEquals("5s", connectTimeout());

        long index = modifyIndex();
        assertEquals("false", http.put("/v1/config?cas=" + (index + 1000), resolver("7s")).body());
        assertEquals("5s", connectTimeout(), "a mismatched cas changes nothing");
        assertEquals(index, modifyIndex());

        assertEquals("true", http.put("/v1/config?cas=" + index, resolver("8s")).body());
        assertEquals("8s", connectTimeout());
        assertTrue(modifyIndex() > index);
        assertEquals("false", http.put("/v1/config?cas=" + index, resolver("9s")).body(), "the old index is stale now");

        assertEquals("true", http.put("/v1/config", resolver("10s")).body(), "without cas the write always lands");
        assertEquals("10s", connectTimeout());
    }

    @Test
    void deletesOnlyTheEntryWithTheIndexItWasGiven() {
        assertEquals("true", http.put("/v1/config", "{\"Kind\":\"service-resolver\",\"Name\":\"cas-del\","
                + "\"ConnectTimeout\":\"5s\"}").body());
        long index = json(http.get("/v1/config/service-resolver/cas-del").body()).get("ModifyIndex").asLong();
        assertEquals("false", http.delete("/v1/config/service-resolver/cas-del?cas=" + (index + 1000)).body());
        assertEquals(200, http.get("/v1/config/service-resolver/cas-del").statusCode(), "a stale cas deletes nothing");
        assertEquals("true", http.delete("/v1/config/service-resolver/cas-del?cas=" + index).body());
        assertEquals(404, http.get("/v1/config/service-resolver/cas-del").statusCode());
        assertEquals("false", http.delete("/v1/config/service-resolver/cas-del?cas=" + index).body(),
                "nothing left to delete with that index");
        assertEquals("true", http.delete("/v1/config/service-resolver/cas-del").body(),
                "without cas a delete always succeeds, also when there is none");
    }

    @Test
    void aCasThatIsNoNumberIsA400() {
        HttpResponse<String> response = http.put("/v1/config?cas=abc", resolver("5s"));
        assertEquals(400, response.statusCode(), response.body());
        assertEquals("Invalid cas: cas must be an unsigned integer, not \"abc\"", response.body());
    }
}
