package io.clusterpeering.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clusterpeering.service.BeatTicket;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** A {@link BeatTicket} as a queue message body: {@code {"Partition","Name","PeeringID","Chain","Step"}}. */
public final class BeatTickets {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BeatTickets() {
    }

    /** The message body of a ticket. */
    public static String write(BeatTicket ticket) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Partition", ticket.partition());
        body.put("Name", ticket.name());
        body.put("PeeringID", ticket.peeringId());
        body.put("Chain", ticket.chain());
        body.put("Step", ticket.step());
        try {
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException("a heartbeat ticket could not be written", e);
        }
    }

    /**
     * Reads a message body.
     *
     * @throws IllegalArgumentException when it is not a ticket
     */
    public static BeatTicket read(String body) {
        try {
            JsonNode node = JSON.readTree(body == null ? "" : body);
            if (node == null || !node.path("Name").isTextual() || !node.path("PeeringID").isTextual()
                    || !node.path("Chain").isTextual() || !node.path("Step").canConvertToLong()) {
                throw new IllegalArgumentException("not a heartbeat ticket: " + abbreviate(body));
            }
            return new BeatTicket(node.path("Partition").asText(""), node.path("Name").asText(),
                    node.path("PeeringID").asText(), node.path("Chain").asText(), node.path("Step").asLong());
        } catch (IOException e) {
            throw new IllegalArgumentException("not a heartbeat ticket: " + abbreviate(body), e);
        }
    }

    private static String abbreviate(String body) {
        String text = String.valueOf(body);
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
