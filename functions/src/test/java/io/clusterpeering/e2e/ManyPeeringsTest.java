package io.clusterpeering.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.service.HeartbeatService;
import io.clusterpeering.support.ConsulHttp;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.clusterpeering.support.PeeringFlow.client;
import static io.clusterpeering.support.PeeringFlow.establish;
import static io.clusterpeering.support.PeeringFlow.generate;
import static io.clusterpeering.support.PeeringFlow.json;
import static io.clusterpeering.support.PeeringFlow.startCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Many peerings on one cluster, some of them dead: dc1 accepts {@link #PEERINGS} peerings, most from dc2 and
 * {@link #DEAD} from dc3, which is then stopped. The list pages through DynamoDB and shows them all; one heartbeat
 * round beats every one of them (a bounded number at a time) and marks exactly the dead ones FAILING.
 *
 * <p>CI runs 100 peerings with 5 dead (the case is 1,000 with 50: {@code ScaleBenchmark} runs it and times
 * the round). Heartbeat rounds are slowed to one every ten minutes so that the test runs the round itself.
 */
class ManyPeeringsTest {
    static final int PEERINGS = 100;
    static final int DEAD = 5;

    @Test
    void aHundredPeeringsAreListedAndOneRoundBeatsThemAllMarkingOnlyTheDeadFailing() throws Exception {
        Map<String, Object> slowRounds = Map.of("peering.heartbeat-interval", "10m", "peering.heartbeat-timeout", "30m",
                "peering.peer-call-timeout", "10s");
        try (LocalCluster dc1 = startCluster("dc1", slowRounds); LocalCluster dc2 = startCluster("dc2", slowRounds)) {
            ConsulHttp acceptor = client(dc1);
            try (LocalCluster dc3 = startCluster("dc3", slowRounds)) {
                establishMany(acceptor, client(dc2), "live-", PEERINGS - DEAD);
                establishMany(acceptor, client(dc3), "dead-", DEAD);
            }

            JsonNode listed = json(acceptor.get("/v1/peerings").body());
            assertEquals(PEERINGS, listed.size());
            HeartbeatService.Result round = dc1.context().getBean(HeartbeatService.class).sendHeartbeats();

            assertEquals(PEERINGS - DEAD, round.delivered());
            assertEquals(DEAD, round.failed());
            for (JsonNode peering : json(acceptor.get("/v1/peerings").body())) {
                String expected = peering.get("Name").asText().startsWith("dead-") ? "FAILING" : "ACTIVE";
                assertEquals(expected, peering.get("State").asText(), peering.get("Name").asText());
            }
        }
    }

    private static void establishMany(ConsulHttp acceptor, ConsulHttp dialer, String prefix, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> established = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String name = prefix + String.format("%03d", i);
                established.add(pool.submit(() -> establish(dialer, "to-" + name, generate(acceptor, name)).statusCode()));
            }
            for (Future<Integer> status : established) {
                assertEquals(200, status.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
