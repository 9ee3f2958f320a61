package io.clusterpeering.support;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks real responses against {@code openapi/peering.yaml} with Atlassian's swagger-request-validator:
 * status, content type, headers and body schema. A response the document does not describe fails the test.
 */
public final class OpenApiContract {
    /** The document: found from the functions module (Surefire's working directory) or the repository root. */
    public static final Path DOCUMENT = java.util.stream.Stream.of(Path.of("..", "openapi", "peering.yaml"),
                    Path.of("openapi", "peering.yaml"))
            .filter(java.nio.file.Files::isRegularFile).findFirst()
            .orElseThrow(() -> new IllegalStateException("openapi/peering.yaml not found from " + Path.of("").toAbsolutePath()));
    private static final OpenApiInteractionValidator VALIDATOR = OpenApiInteractionValidator
            .createForSpecificationUrl(DOCUMENT.toAbsolutePath().normalize().toUri().toString())
            .build();

    private OpenApiContract() {
    }

    /**
     * Fails when the response does not match the document.
     *
     * @param method the request method
     * @param path   the request path, without the query
     */
    public static void assertConforms(String method, String path, HttpResponse<String> response) {
        assertConforms(method, path, response.statusCode(), response.headers().map(), response.body());
    }

    /**
     * Fails when an answer, as the client reads it (body decoded), does not match the document: for answers read
     * from a function's Lambda entry point.
     *
     * @param method  the request method
     * @param path    the request path, without the query
     * @param status  the HTTP status
     * @param headers the answer's headers, each with its values
     * @param body    the body text as the client reads it, or null
     */
    public static void assertConforms(String method, String path, int status, java.util.Map<String, List<String>> headers,
                                      String body) {
        SimpleResponse.Builder builder = SimpleResponse.Builder.status(status);
        headers.forEach(builder::withHeader);
        if (body != null && !body.isEmpty()) {
            builder.withBody(body);
        }
        headers.entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase("Content-Type") && !h.getValue().isEmpty())
                .findFirst().ifPresent(h -> builder.withContentType(h.getValue().get(0)));
        ValidationReport report = VALIDATOR.validateResponse(path, Request.Method.valueOf(method), builder.build());
        if (report.hasErrors()) {
            String shown = body == null || body.length() <= 2_000 ? body : body.substring(0, 2_000) + "...";
            fail(method + " " + path + " -> " + status + " does not match openapi/peering.yaml:\n"
                    + report.getMessages().stream().map(ValidationReport.Message::toString)
                    .collect(Collectors.joining("\n")) + "\nbody: " + shown);
        }
    }
}
