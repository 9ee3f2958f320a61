package io.clusterpeering.support;

/**
 * The two ways API Gateway hands a request to a function, each with its own fixtures: an HTTP API's payload
 * format 2.0 ({@code events/*.json}) and a REST API's Lambda proxy format, payload 1.0
 * ({@code events/rest-api/*.json}, stage {@code v1}, so the stage is the first segment of Consul's paths).
 * Handler tests run once per format.
 */
public enum PayloadFormat {
    /** An HTTP API event, payload format 2.0. */
    HTTP_API_2_0("events/"),
    /** A REST API proxy event, payload format 1.0. */
    REST_API_1_0("events/rest-api/");

    private final String fixtures;

    PayloadFormat(String fixtures) {
        this.fixtures = fixtures;
    }

    /** The resource folder of this format's fixtures, ending in a slash. */
    public String fixtures() {
        return fixtures;
    }
}
