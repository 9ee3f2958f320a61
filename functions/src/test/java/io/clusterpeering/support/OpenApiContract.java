package io.clusterpeering.support;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;

import java.net.http.HttpResponse;
import java.nio.file.Path;
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
        SimpleResponse.Builder builder = SimpleResponse.Builder.status(response.statusCode());
        response.headers().map().forEach((name, values) -> builder.withHeader(name, values));
        String body = response.body();
        if (body != null && !body.isEmpty()) {
            builder.withBody(body);
        }
        response.headers().firstValue("Content-Type").ifPresent(builder::withContentType);
        ValidationReport report = VALIDATOR.validateResponse(path, Request.Method.valueOf(method), builder.build());
        if (report.hasErrors()) {
            fail(method + " " + path + " -> " + response.statusCode() + " does not match openapi/peering.yaml:\n"
                    + report.getMessages().stream().map(ValidationReport.Message::toString)
                    .collect(Collectors.joining("\n")) + "\nbody: " + body);
        }
    }
}
