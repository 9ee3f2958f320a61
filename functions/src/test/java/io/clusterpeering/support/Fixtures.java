package io.clusterpeering.support;

import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads event fixtures from {@code src/test/resources/events} with the Lambda runtime's own event
 * deserializer, so a fixture is read exactly as Lambda would hand it to a function.
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** The fixture {@code events/<name>} as an event of the given type. */
    public static <T> T event(String name, Class<T> type) {
        try (InputStream json = Fixtures.class.getResourceAsStream("/events/" + name)) {
            if (json == null) {
                throw new IllegalArgumentException("no fixture events/" + name);
            }
            return LambdaEventSerializers.serializerFor(type, Fixtures.class.getClassLoader()).fromJson(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
