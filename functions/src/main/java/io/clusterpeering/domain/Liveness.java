package io.clusterpeering.domain;

import java.time.Instant;
import java.util.List;

/**
 * The persisted stream status of a peering's link: what Consul keeps in its leader's stream tracker, stored so
 * that every function instance computes the same ACTIVE / FAILING answer. All times are UTC instants; any
 * may be null when the event never happened.
 *
 * @param lastHeartbeat when the last heartbeat from the peer arrived
 * @param lastReceive   when anything (heartbeat, secret exchange, termination) last arrived from the peer
 * @param lastSend      when a message was last delivered to the peer
 * @param lastError     why the last attempt to reach the peer failed, or null after a success
 * @param lastErrorAt   when {@code lastError} happened
 * @param importedServices the service names the peer exports to us (its latest snapshot), sorted
 * @param exportedServices the service names we last delivered to the peer, sorted
 * @param latency          the round-trip times of the latest heartbeats we sent ({@link LinkLatency})
 * @param failingSince     set while the audit trail holds a FAILING event without its recovery: the last
 *                         successful contact before that failure (the episode's identity); null otherwise
 */
public record Liveness(Instant lastHeartbeat, Instant lastReceive, Instant lastSend,
                       String lastError, Instant lastErrorAt, List<String> importedServices,
                       List<String> exportedServices, LinkLatency latency, Instant failingSince) {
    /** No contact yet. */
    public static final Liveness NONE = new Liveness(null, null, null, null, null, List.of(), List.of());

    public Liveness {
        importedServices = importedServices == null ? List.of() : List.copyOf(importedServices);
        exportedServices = exportedServices == null ? List.of() : List.copyOf(exportedServices);
        latency = latency == null ? new LinkLatency(List.of()) : latency;
    }

    /** Liveness without measured latency and without a reported failure. */
    public Liveness(Instant lastHeartbeat, Instant lastReceive, Instant lastSend, String lastError, Instant lastErrorAt,
                    List<String> importedServices, List<String> exportedServices) {
        this(lastHeartbeat, lastReceive, lastSend, lastError, lastErrorAt, importedServices, exportedServices, null, null);
    }
}
