package io.clusterpeering.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Waits for an asynchronous outcome (a stream record handled, a heartbeat sent), polling every 100 ms. */
public final class Eventually {
    private Eventually() {
    }

    /** Fails with the description when the condition does not hold within the limit. */
    public static void within(Duration limit, String description, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for: " + description);
            }
        }
        fail("not within " + limit.toSeconds() + " s: " + description);
    }
}
