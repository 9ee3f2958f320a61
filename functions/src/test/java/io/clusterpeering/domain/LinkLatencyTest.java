package io.clusterpeering.domain;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The link latency window: the latest 20 heartbeats, percentiles by nearest rank. */
class LinkLatencyTest {

    @Test
    void percentilesAreNearestRankOverTheWindow() {
        LinkLatency latency = new LinkLatency(List.of());
        assertTrue(latency.isEmpty());
        assertEquals(0, latency.p50());
        for (long millis = 1; millis <= 10; millis++) {
            latency = latency.plus(millis * 10);
        }
        assertEquals(50, latency.p50(), "the 5th of 10 sorted samples");
        assertEquals(100, latency.p99(), "the slowest of fewer than 100 samples");
    }

    @Test
    void theWindowKeepsTheLatestTwentyHeartbeats() {
        LinkLatency latency = new LinkLatency(List.of());
        for (int i = 0; i < 25; i++) {
            latency = latency.plus(i < 5 ? 1_000 : 2);
        }
        assertEquals(LinkLatency.WINDOW, latency.samples().size());
        assertEquals(2, latency.p99(), "the five slow heartbeats fell out of the window");
        assertEquals(0, new LinkLatency(List.of()).plus(-5).p50(), "a negative round trip (clock step) counts as 0");
    }
}
