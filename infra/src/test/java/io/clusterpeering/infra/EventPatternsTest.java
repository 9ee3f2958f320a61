package io.clusterpeering.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The subset of Lambda's event filter patterns that {@link EmulatedCluster} applies to stream records. */
class EventPatternsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void valuesPrefixAnythingButAndExistsMatchAsLambdaFiltersDo() throws Exception {
        JsonNode record = json("{\"eventName\":\"MODIFY\",\"dynamodb\":{\"Keys\":{\"pk\":{\"S\":\"IMPORTED#p\"}},"
                + "\"NewImage\":{\"state\":{\"S\":\"ACTIVE\"},\"exported\":{\"BOOL\":false}},\"OldImage\":{\"state\":{\"S\":\"PENDING\"}}}}");
        assertTrue(EventPatterns.matches(json("{\"eventName\":[\"INSERT\",\"MODIFY\"]}"), record));
        assertFalse(EventPatterns.matches(json("{\"eventName\":[\"REMOVE\"]}"), record));
        assertTrue(EventPatterns.matches(json("{\"dynamodb\":{\"Keys\":{\"pk\":{\"S\":[{\"prefix\":\"IMPORTED#\"}]}}}}"), record));
        assertFalse(EventPatterns.matches(json("{\"dynamodb\":{\"Keys\":{\"pk\":{\"S\":[{\"prefix\":\"CATALOG#\"}]}}}}"), record));
        assertTrue(EventPatterns.matches(json("{\"dynamodb\":{\"NewImage\":{\"exported\":{\"BOOL\":[false]}}}}"), record));
        assertTrue(EventPatterns.matches(json("{\"dynamodb\":{\"OldImage\":{\"state\":{\"S\":[{\"anything-but\":[\"ACTIVE\"]}]}}}}"), record));
        assertFalse(EventPatterns.matches(json("{\"dynamodb\":{\"NewImage\":{\"state\":{\"S\":[{\"anything-but\":[\"ACTIVE\"]}]}}}}"), record));
        assertTrue(EventPatterns.matches(json("{\"dynamodb\":{\"OldImage\":{\"lastHeartbeat\":{\"S\":[{\"exists\":false}]}}}}"), record));
        assertFalse(EventPatterns.matches(json("{\"dynamodb\":{\"NewImage\":{\"lastHeartbeat\":{\"S\":[{\"exists\":true}]}}}}"), record));
        assertTrue(EventPatterns.matchesAny(List.of(json("{\"eventName\":[\"REMOVE\"]}"), json("{\"eventName\":[\"MODIFY\"]}")), record));
        assertTrue(EventPatterns.matchesAny(List.of(), record), "no filter lets everything through");
    }

    @Test
    void anOperatorTheEmulationDoesNotImplementIsRefused() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> EventPatterns.validate(json("{\"a\":[{\"numeric\":[\">\",0]}]}")));
        assertThrows(IllegalArgumentException.class, () -> EventPatterns.validate(json("{\"a\":[{\"anything-but\":{\"prefix\":\"x\"}}]}")));
        assertThrows(IllegalArgumentException.class, () -> EventPatterns.matches(json("{\"a\":[{\"suffix\":\"x\"}]}"), json("{\"a\":\"yx\"}")));
    }
}
