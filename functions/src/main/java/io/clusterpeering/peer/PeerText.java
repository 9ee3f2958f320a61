package io.clusterpeering.peer;

/**
 * Text that came from a peer (an answer's body, an error naming it), made fit to quote in our own messages, logs
 * and reasons: one line, printable, at most {@link #MAX_CHARS} characters. A hostile or broken peer's bytes never
 * reach a reader as control, format or line-separator characters.
 */
public final class PeerText {
    /** The most characters quoted; longer text ends in {@code ...}. */
    public static final int MAX_CHARS = 300;

    private PeerText() {
    }

    /** The excerpt of {@code text} ({@code "null"} for null). */
    public static String excerpt(String text) {
        String line = String.valueOf(text).replaceAll("[\\p{C}\\p{Zl}\\p{Zp}\\s\\uFFFD]+", " ").strip();
        return line.length() <= MAX_CHARS ? line : line.substring(0, MAX_CHARS) + "...";
    }
}
