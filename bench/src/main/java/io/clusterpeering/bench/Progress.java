package io.clusterpeering.bench;

import java.time.Duration;

/**
 * The progress line on standard error: elapsed time, section, step. On a terminal it rewrites one line; in a log it
 * writes one line per step.
 */
public final class Progress {
    private final long start = System.nanoTime();
    private final boolean terminal = System.console() != null;
    private String section = "";

    /** Starts a section. */
    public void section(String name) {
        section = name;
        step("");
    }

    /** Says what runs now. */
    public synchronized void step(String what) {
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        String line = String.format("[%02d:%02d] %s%s", elapsed.toMinutes(), elapsed.toSecondsPart(), section,
                what.isEmpty() ? "" : ": " + what);
        if (terminal) {
            System.err.print("\r\033[K" + (line.length() > 150 ? line.substring(0, 150) : line));
        } else {
            System.err.println(line);
        }
        System.err.flush();
    }

    /** Ends the line (before other output). */
    public synchronized void done() {
        if (terminal) {
            System.err.println();
        }
    }
}
