package io.clusterpeering.domain;

import java.time.Duration;

/**
 * A point in time work must stop by, on the monotonic clock ({@link System#nanoTime()}): what is left of a Lambda
 * invocation, less a safety margin, for a purge that chains its passes while time remains.
 *
 * @param nanoTime the deadline in {@link System#nanoTime()} terms
 */
public record Deadline(long nanoTime) {

    /** The deadline {@code time} from now; a zero or negative duration has already passed. */
    public static Deadline after(Duration time) {
        return new Deadline(System.nanoTime() + time.toNanos());
    }

    /** Whether the deadline has passed. */
    public boolean passed() {
        return System.nanoTime() - nanoTime >= 0;
    }
}
