package io.clusterpeering.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.clusterpeering.domain.PeeringException.InvalidRequest;

/**
 * The JSON codec of Consul's HTTP API. Reading follows Go's {@code encoding/json} as Consul uses it: keys
 * match case-insensitively and unknown keys are ignored; a body that does not decode is a 400
 * {@code Body decoding failed: <reason>}. Writing is compact, times are RFC 3339 strings.
 */
public final class ConsulJson {
    private static final ObjectMapper READER = JsonMapper.builder()
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addModule(new JavaTimeModule())
            .build();
    /** Consul decodes ACL bodies strictly: unknown keys are refused. */
    private static final ObjectMapper STRICT_READER = JsonMapper.builder()
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addModule(new JavaTimeModule())
            .build();
    private static final ObjectMapper WRITER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    /** Go's {@code json.MarshalIndent(v, "", "    ")}: four spaces, {@code "key": value}. */
    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter(Separators.createDefaultInstance()
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
            .withArrayEmptySeparator("")
            .withObjectEmptySeparator(""))
            .withObjectIndenter(new DefaultIndenter("    ", "\n"))
            .withArrayIndenter(new DefaultIndenter("    ", "\n"));

    private ConsulJson() {
    }

    /**
     * Decodes a request body.
     *
     * @throws InvalidRequest with Consul's {@code Body decoding failed: ...} text, {@code EOF} for an empty body
     */
    public static <T> T read(String body, Class<T> type) {
        if (body == null || body.isBlank()) {
            throw new InvalidRequest("Body decoding failed: EOF");
        }
        try {
            T value = READER.readValue(body, type);
            if (value == null) {
                throw new InvalidRequest("Body decoding failed: the body is null, an object is expected");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new InvalidRequest("Body decoding failed: " + e.getOriginalMessage());
        }
    }

    /**
     * Decodes an ACL request body strictly, as Consul's {@code lib.DecodeJSON} does.
     *
     * @param what the object's name in the error text ({@code Token}, {@code Policy})
     * @throws InvalidRequest with Consul's {@code <What> decoding failed: json: unknown field "Foo"} for an unknown
     *                        key, {@code <What> decoding failed: EOF} for an empty body, or the parser's reason
     */
    public static <T> T readStrict(String body, Class<T> type, String what) {
        if (body == null || body.isBlank()) {
            throw new InvalidRequest(what + " decoding failed: EOF");
        }
        try {
            T value = STRICT_READER.readValue(body, type);
            if (value == null) {
                throw new InvalidRequest(what + " decoding failed: the body is null, an object is expected");
            }
            return value;
        } catch (com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException e) {
            throw new InvalidRequest(what + " decoding failed: json: unknown field \"" + e.getPropertyName() + "\"");
        } catch (JsonProcessingException e) {
            throw new InvalidRequest(what + " decoding failed: " + e.getOriginalMessage());
        }
    }

    /** Encodes a response body; {@code pretty} indents it as Consul's {@code ?pretty} does. */
    public static String write(Object value, boolean pretty) {
        try {
            return pretty ? WRITER.writer(PRETTY).writeValueAsString(value) + "\n"
                    : WRITER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response cannot be encoded", e);
        }
    }
}
