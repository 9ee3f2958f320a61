package io.clusterpeering.infra;

import java.util.Locale;
import java.util.function.Function;

/**
 * How a cluster's API is put in front of its functions, from the app's context values.
 *
 * <ul>
 *   <li>{@code -c api=http} (default) or {@code -c api=rest}: an API Gateway HTTP API, or a REST API (which
 *       LocalStack's free plan serves; the HTTP API needs a paid plan there).</li>
 *   <li>{@code -c throttleRate=} (requests per second, default {@value #DEFAULT_THROTTLE_RATE}) and
 *       {@code -c throttleBurst=} (requests, default {@value #DEFAULT_THROTTLE_BURST}): the API's throttle, for
 *       every route together, in both variants.</li>
 *   <li>{@code -c localstack=true}: the stack is deployed to LocalStack, so its URL is LocalStack's
 *       ({@code http://<api-id>.execute-api.localhost.localstack.cloud:4566}) and calls to the peer wait longer,
 *       since LocalStack starts a Java function without SnapStart.</li>
 * </ul>
 *
 * @param variant             which kind of API Gateway API
 * @param throttleRatePerSecond steady requests per second before API Gateway answers 429
 * @param throttleBurst       requests allowed in a burst
 * @param onLocalStack        whether the stack is for LocalStack
 */
public record ApiSettings(ApiVariant variant, int throttleRatePerSecond, int throttleBurst, boolean onLocalStack) {
    /** Default steady rate, requests per second: far above a control plane's traffic, low enough to cap a runaway client. */
    public static final int DEFAULT_THROTTLE_RATE = 100;
    /** Default burst, requests. */
    public static final int DEFAULT_THROTTLE_BURST = 200;

    /** The defaults: an HTTP API on AWS with the default throttle. */
    public static final ApiSettings DEFAULTS = new ApiSettings(ApiVariant.HTTP, DEFAULT_THROTTLE_RATE, DEFAULT_THROTTLE_BURST, false);

    /**
     * @throws IllegalArgumentException when a rate or burst is not positive, or the burst is below the rate
     */
    public ApiSettings {
        if (throttleRatePerSecond <= 0 || throttleBurst <= 0) {
            throw new IllegalArgumentException("throttleRate and throttleBurst must be positive, not "
                    + throttleRatePerSecond + " and " + throttleBurst);
        }
        if (throttleBurst < throttleRatePerSecond) {
            throw new IllegalArgumentException("throttleBurst (" + throttleBurst + ") must be at least throttleRate ("
                    + throttleRatePerSecond + ")");
        }
    }

    /**
     * Reads {@code api}, {@code throttleRate}, {@code throttleBurst} and {@code localstack}; an absent or blank
     * value takes its default.
     *
     * @param context looks up a context value by key (null when absent)
     * @throws IllegalArgumentException naming the key, when a value is not one the key takes
     */
    public static ApiSettings fromContext(Function<String, Object> context) {
        String api = text(context, "api", "http").toLowerCase(Locale.ROOT);
        ApiVariant variant = switch (api) {
            case "http" -> ApiVariant.HTTP;
            case "rest" -> ApiVariant.REST;
            default -> throw new IllegalArgumentException("-c api=" + api + ": api must be http (an HTTP API) or rest (a REST API)");
        };
        String localstack = text(context, "localstack", "false").toLowerCase(Locale.ROOT);
        if (!localstack.equals("true") && !localstack.equals("false")) {
            throw new IllegalArgumentException("-c localstack=" + localstack + ": localstack must be true or false");
        }
        return new ApiSettings(variant, number(context, "throttleRate", DEFAULT_THROTTLE_RATE),
                number(context, "throttleBurst", DEFAULT_THROTTLE_BURST), localstack.equals("true"));
    }

    private static String text(Function<String, Object> context, String key, String fallback) {
        Object value = context.apply(key);
        return value == null || value.toString().isBlank() ? fallback : value.toString().strip();
    }

    /**
     * A whole-number context value, or {@code fallback} when it is not set.
     *
     * @throws IllegalArgumentException naming the {@code -c key=value} when the value is not a whole number
     */
    static int number(Function<String, Object> context, String key, int fallback) {
        String value = text(context, key, Integer.toString(fallback));
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-c " + key + "=" + value + ": " + key + " must be a whole number");
        }
    }

    /** The two kinds of API Gateway API a cluster can stand behind. */
    public enum ApiVariant {
        /** API Gateway v2 HTTP API, payload format 2.0: the default, cheaper and faster on AWS. */
        HTTP,
        /** API Gateway v1 REST API, Lambda proxy payload format 1.0: what LocalStack's free plan serves. */
        REST
    }
}
