package io.clusterpeering.service;

import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.domain.PeeringException.PeeringNotFound;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.PeeringRules;
import io.clusterpeering.store.AuditStore;
import io.clusterpeering.store.PeeringStore;
import jakarta.inject.Singleton;

/**
 * Reads a peering's audit trail ({@code GET /v1/peering/{name}/events}, ours): newest first, a page at a time. The
 * trail outlives the peering (a deleted peering's events stay until they expire), so a name with events but no
 * peering still answers. One query per page; one more read when the page is empty, to tell an unknown name (404).
 */
@Singleton
public class AuditTrail {
    /** The page size when none is asked for. */
    public static final int DEFAULT_LIMIT = 100;
    /** The largest page. */
    public static final int MAX_LIMIT = 500;

    private final AuditStore audit;
    private final PeeringStore peerings;

    public AuditTrail(AuditStore audit, PeeringStore peerings) {
        this.audit = audit;
        this.peerings = peerings;
    }

    /**
     * One page of the peering's events.
     *
     * @param limit  1 to {@value #MAX_LIMIT}
     * @param cursor the previous page's {@code NextCursor}, or null for the newest events
     * @throws InvalidRequest  when limit is out of range or the cursor is not one of ours
     * @throws PeeringNotFound when the name has neither events nor a peering (404)
     */
    public AuditStore.Page page(PeeringKey key, int limit, String cursor) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidRequest("limit: must be between 1 and " + MAX_LIMIT + ", not " + limit);
        }
        if (!PeeringRules.isValidPeerName(key.name())) {
            throw new PeeringNotFound(key.name());
        }
        AuditStore.Page page = audit.page(key.partition(), key.name(), limit, cursor);
        if (page.events().isEmpty() && (cursor == null || cursor.isEmpty()) && peerings.find(key).isEmpty()) {
            throw new PeeringNotFound(key.name());
        }
        return page;
    }
}
