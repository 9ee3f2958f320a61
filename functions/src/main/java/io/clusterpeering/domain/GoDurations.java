package io.clusterpeering.domain;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's duration syntax, as Consul reads and writes it: {@code 30s}, {@code 5m}, {@code 1m30s}, {@code 500ms},
 * {@code 1.5h}, units {@code ns us µs ms s m h}.
 */
public final class GoDurations {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    private GoDurations() {
    }

    /**
     * Parses a Go duration; a leading {@code -} makes it negative.
     *
     * @throws IllegalArgumentException when the text is not one
     */
    public static Duration parse(String text) {
        boolean negative = text.startsWith("-");
        String body = negative || text.startsWith("+") ? text.substring(1) : text;
        Matcher matcher = PART.matcher(body);
        Duration total = Duration.ZERO;
        int consumed = 0;
        while (matcher.find() && matcher.start() == consumed) {
            double amount = Double.parseDouble(matcher.group(1));
            total = total.plusNanos((long) (amount * nanosPer(matcher.group(2))));
            consumed = matcher.end();
        }
        if (consumed == 0 || consumed != body.length()) {
            if (body.equals("0")) {
                return Duration.ZERO;
            }
            throw new IllegalArgumentException("\"" + text + "\" is not a duration such as 30s or 5m");
        }
        return negative ? total.negated() : total;
    }

    /** Formats as Go's {@code Duration.String()} does for whole seconds and more: {@code 24h0m0s}, {@code 1m0s}. */
    public static String format(Duration duration) {
        long seconds = duration.getSeconds();
        String sign = seconds < 0 ? "-" : "";
        seconds = Math.abs(seconds);
        if (seconds < 60) {
            return sign + seconds + "s";
        }
        if (seconds < 3600) {
            return sign + seconds / 60 + "m" + seconds % 60 + "s";
        }
        return sign + seconds / 3600 + "h" + (seconds % 3600) / 60 + "m" + seconds % 60 + "s";
    }

    private static double nanosPer(String unit) {
        return switch (unit) {
            case "ns" -> 1;
            case "us", "µs" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            default -> 3600e9;
        };
    }
}
