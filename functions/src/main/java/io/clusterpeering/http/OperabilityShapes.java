package io.clusterpeering.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.clusterpeering.domain.AuditEvent;
import io.clusterpeering.store.AuditStore;

import java.util.List;

/** The JSON shapes of our operability routes: the audit trail, the pre-flight check and the outstanding tokens. */
public final class OperabilityShapes {
    private OperabilityShapes() {
    }

    /** The body of {@code POST /v1/peering/check}. */
    public record CheckRequest(@JsonProperty("PeeringToken") String peeringToken) {
    }

    /** The outcome of a pre-flight or link check. */
    @JsonPropertyOrder({"Passed", "Checks"})
    public record CheckReport(@JsonProperty("Passed") boolean passed, @JsonProperty("Checks") List<CheckView> checks) {
        public static CheckReport of(io.clusterpeering.service.PeeringCheckService.Report report) {
            return new CheckReport(report.passed(), report.steps().stream().map(s -> new CheckView(s.name(), s.address(),
                    s.status(), s.detail(), s.hint())).toList());
        }
    }

    /** One step of a check: {@code Status} is {@code pass}, {@code fail} or {@code skip}. */
    @JsonPropertyOrder({"Name", "Address", "Status", "Detail", "Hint"})
    public record CheckView(@JsonProperty("Name") String name,
                            @JsonProperty("Address") @JsonInclude(Include.NON_NULL) String address,
                            @JsonProperty("Status") String status, @JsonProperty("Detail") String detail,
                            @JsonProperty("Hint") @JsonInclude(Include.NON_EMPTY) String hint) {
    }

    /** One page of {@code GET /v1/peering/{name}/events}. */
    @JsonPropertyOrder({"Events", "NextCursor"})
    public record EventPage(@JsonProperty("Events") List<EventView> events,
                            @JsonProperty("NextCursor") String nextCursor) {
        public static EventPage of(AuditStore.Page page) {
            return new EventPage(page.events().stream().map(EventView::of).toList(), page.nextCursor());
        }
    }

    /** One audit event. */
    @JsonPropertyOrder({"Time", "Event", "Outcome", "Actor", "Peering", "PeeringID", "Partition", "Detail", "Count"})
    public record EventView(@JsonProperty("Time") String time, @JsonProperty("Event") String event,
                            @JsonProperty("Outcome") String outcome, @JsonProperty("Actor") String actor,
                            @JsonProperty("Peering") String peering, @JsonProperty("PeeringID") String peeringId,
                            @JsonProperty("Partition") String partition, @JsonProperty("Detail") String detail,
                            @JsonProperty("Count") @JsonInclude(Include.NON_NULL) Long count) {
        static EventView of(AuditEvent event) {
            return new EventView(event.time().toString(), event.event(), event.outcome(), event.actor(), event.peering(),
                    event.peeringId(), event.partition(), event.detail(), event.count());
        }
    }

    /**
     * One outstanding peering token ({@code GET /v1/peering/token}, {@code DELETE /v1/peering/{name}/token}): who
     * it is for, when it was generated and expires, and whether a later token superseded it. Never the secret.
     */
    @JsonPropertyOrder({"PeerName", "Partition", "PeeringID", "GeneratedAt", "ExpiresAt", "Superseded"})
    public record TokenView(@JsonProperty("PeerName") String peerName, @JsonProperty("Partition") String partition,
                            @JsonProperty("PeeringID") String peeringId,
                            @JsonProperty("GeneratedAt") java.time.Instant generatedAt,
                            @JsonProperty("ExpiresAt") java.time.Instant expiresAt,
                            @JsonProperty("Superseded") boolean superseded) {
        /** The view of a token. */
        public static TokenView of(io.clusterpeering.domain.OutstandingToken token) {
            return new TokenView(token.peerName(), token.partition(), token.peeringId(), token.generatedAt(),
                    token.expiresAt(), token.superseded());
        }
    }
}
