package io.clusterpeering.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * The content coding of every HTTP answer, in one place, as Consul's agent HTTP server applies it: Consul wraps
 * each API handler in a gzip handler ({@code agent/http.go}, with {@code github.com/NYTimes/gziphandler}) that adds
 * {@code Vary: Accept-Encoding} to every answer and gzips the body, whatever its content type or status, when the
 * request's {@code Accept-Encoding} allows gzip and the body has at least {@value #MIN_SIZE_BYTES} bytes; an answer
 * that already names a {@code Content-Encoding} is left alone.
 *
 * <p>A gzipped answer leaves the function as base64 with {@code isBase64Encoded} set, which is how a Lambda proxy
 * integration returns bytes: an HTTP API decodes it itself, a REST API does so for the binary media types its
 * stack declares. Lambda refuses a result over 6 MB, so this is what lets the large reads (a partition's
 * {@code /v1/peerings}, a health read of a big imported service) through.
 */
public final class ContentCoding {
    /** The smallest body, in bytes of its UTF-8 text, that is gzipped: Consul's gzip handler's default minimum. */
    public static final int MIN_SIZE_BYTES = 1400;
    /** The coding named in {@code Content-Encoding} of a gzipped answer. */
    public static final String GZIP = "gzip";

    private ContentCoding() {
    }

    /**
     * Whether an {@code Accept-Encoding} value allows gzip (RFC 9110, section 12.5.3): {@code gzip} (or its alias
     * {@code x-gzip}) listed with a weight above zero, or, when neither is listed, {@code *} with a weight above
     * zero. No weight reads as 1; {@code gzip;q=0} refuses it. A list element whose weight is not a number is
     * ignored, as Consul's handler ignores it. Coding names are case-insensitive.
     *
     * @param acceptEncoding the header's value (several headers joined by commas), or null when there is none
     * @return true when the answer may be gzipped
     */
    public static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null || acceptEncoding.isBlank()) {
            return false;
        }
        Double gzip = null;
        Double any = null;
        for (String element : acceptEncoding.split(",")) {
            String[] parts = element.split(";");
            String coding = parts[0].trim().toLowerCase(Locale.ROOT);
            Double weight = weight(parts);
            if (weight == null) {
                continue;
            }
            if (coding.equals("gzip") || coding.equals("x-gzip")) {
                gzip = gzip == null ? weight : Math.max(gzip, weight);
            } else if (coding.equals("*")) {
                any = weight;
            }
        }
        Double decisive = gzip != null ? gzip : any;
        return decisive != null && decisive > 0;
    }

    /** The element's {@code q} weight, 1 when it has none, clamped to [0, 1]; null when it is not a number. */
    private static Double weight(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim();
            if (parameter.length() >= 2 && Character.toLowerCase(parameter.charAt(0)) == 'q' && parameter.charAt(1) == '=') {
                try {
                    double q = Double.parseDouble(parameter.substring(2).trim());
                    return Double.isNaN(q) ? null : Math.min(1, Math.max(0, q));
                } catch (NumberFormatException notANumber) {
                    return null;
                }
            }
        }
        return 1.0;
    }

    /**
     * Codes one answer for the request that asked for it: adds {@code Vary: Accept-Encoding}, and gzips a body of
     * at least {@value #MIN_SIZE_BYTES} bytes when {@code acceptEncoding} allows it ({@link #acceptsGzip}), setting
     * {@code Content-Encoding: gzip} and the body to the gzipped bytes in base64 with {@code isBase64Encoded}.
     * A body already in base64, or an answer that names a {@code Content-Encoding}, is left as it is.
     *
     * @param acceptEncoding the request's {@code Accept-Encoding}, or null
     * @param response       the answer; its headers are changed in place when they can be
     * @return the answer to send
     */
    public static APIGatewayV2HTTPResponse apply(String acceptEncoding, APIGatewayV2HTTPResponse response) {
        Map<String, String> headers = response.getHeaders() == null ? new HashMap<>() : new HashMap<>(response.getHeaders());
        String vary = headers.get("Vary");
        headers.put("Vary", vary == null || vary.isBlank() ? "Accept-Encoding" : vary + ", Accept-Encoding");
        response.setHeaders(headers);
        String body = response.getBody();
        if (body == null || response.getIsBase64Encoded() || headers.containsKey("Content-Encoding")
                || !acceptsGzip(acceptEncoding)) {
            return response;
        }
        byte[] plain = body.getBytes(StandardCharsets.UTF_8);
        if (plain.length < MIN_SIZE_BYTES) {
            return response;
        }
        headers.put("Content-Encoding", GZIP);
        response.setBody(Base64.getEncoder().encodeToString(gzip(plain)));
        response.setIsBase64Encoded(true);
        return response;
    }

    private static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length / 4 + 64);
        try (GZIPOutputStream gzip = new GZIPOutputStream(out, 64 * 1024)) {
            gzip.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException("gzip into memory failed", e);
        }
        return out.toByteArray();
    }
}
