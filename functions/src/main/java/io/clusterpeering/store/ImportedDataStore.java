package io.clusterpeering.store;

import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.PeeringState;
import io.clusterpeering.domain.ServiceDigest;
import io.clusterpeering.domain.VersionedInstance;
import io.clusterpeering.store.ServiceHeads.Change;
import io.clusterpeering.store.ServiceHeads.Head;
import io.clusterpeering.store.ServiceHeads.Outcome;
import io.clusterpeering.store.ServiceHeads.Step;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static io.clusterpeering.store.Attributes.list;
import static io.clusterpeering.store.Attributes.s;

/**
 * Everything imported from one peer, under one partition key per peer ({@code IMPORTED#<partition>#<peer>}), so
 * that a purge is a query plus batched deletes: the peer's trust bundle (its CA roots), and per service a head
 * ({@code HEAD#<service>}: Consul index, instance count, tag counts, digest, whether the peer still exports it)
 * and the instances ({@code SERVICE#<service>#<node>#<id>}), each with the exporter's version of it. Nothing here
 * grows with the size of the import: state is per service and per instance.
 *
 * <p>Rules:
 * <ul>
 *   <li>newer wins per instance: an update, deletion or snapshot chunk changes an instance only when it carries a
 *       higher version than the one stored; a deletion leaves a tombstone with its version (removed by the table's
 *       TTL or the next snapshot of the service), so a late older update cannot bring the instance back;</li>
 *   <li>a service's head describes its instances, and serializes its writers ({@link ServiceHeads}): a purge
 *       or a snapshot's deletes are planned under the head index they check, so a newer apply that moved the head
 *       makes them plan again instead of deleting what the newer state lists;</li>
 *   <li>nothing is written for a peering that is no longer connected: every apply checks, in its transaction, that
 *       the peering row still has this ID and is ESTABLISHING or ACTIVE, so the purge of a deleted peering cannot
 *       miss anything.</li>
 * </ul>
 * Whole services (unexported) and whole peers (deleted peerings) are deleted by {@link ImportPurgeStore}, which
 * only the stream handler uses.
 */
@Singleton
public class ImportedDataStore {
    private static final String TRUST_BUNDLE_SK = "TRUST_BUNDLE#roots";
    /** How long a tombstone outlives its deletion: far longer than a signed message lives (60 s). */
    static final Duration TOMBSTONE_LIFETIME = Duration.ofHours(1);
    private static final int MAX_ATTEMPTS = 25;

    private final DynamoDbClient dynamoDb;
    private final String table;

    public ImportedDataStore(DynamoDbClient dynamoDb, DynamoDbConfiguration config) {
        this.dynamoDb = dynamoDb;
        this.table = config.getTableName();
    }

    /** What applying a message did. */
    public enum Applied {
        /** Something was written. */
        CHANGED,
        /** Everything it carried was already stored (or older than what is stored). */
        UNCHANGED,
        /** The peering is no longer connected, or the peer no longer exports the service: nothing was written. */
        REFUSED
    }

    /**
     * Applies an update of some instances of one service: each is written (or, deleted, replaced by a tombstone)
     * only when its version is above the stored one. Idempotent; order-insensitive.
     *
     * @param peering the local peering (partition, name, ID)
     * @param service the service
     * @param changes the instances, at most one per instance ID (the highest version wins if repeated)
     * @param at      when it was received
     * @return what happened; {@link Applied#REFUSED} when the peering is no longer connected or the peer's latest
     *         service list dropped the service
     */
    public Applied applyUpdate(Peering peering, String service, List<VersionedInstance> changes, Instant at) {
        String pk = TableKeys.importedFrom(peering.key());
        Map<String, VersionedInstance> newest = new LinkedHashMap<>();
        for (VersionedInstance change : changes) {
            newest.merge(change.instanceId(), change, (a, b) -> a.version() >= b.version() ? a : b);
        }
        List<VersionedInstance> ordered = List.copyOf(newest.values());
        boolean changed = false;
        for (int from = 0; from < ordered.size(); from += ServiceHeads.CHANGES_PER_TRANSACTION) {
            List<VersionedInstance> group = ordered.subList(from, Math.min(ordered.size(),
                    from + ServiceHeads.CHANGES_PER_TRANSACTION));
            Applied applied = applyGroup(peering, pk, service, group, at);
            if (applied == Applied.REFUSED) {
                return Applied.REFUSED;
            }
            changed |= applied == Applied.CHANGED;
        }
        return changed ? Applied.CHANGED : Applied.UNCHANGED;
    }

    private Applied applyGroup(Peering peering, String pk, String service, List<VersionedInstance> group, Instant at) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            List<Map<String, AttributeValue>> keys = new ArrayList<>();
            keys.add(TableKeys.key(pk, CatalogItems.headKey(service)));
            group.forEach(g -> keys.add(instanceKey(pk, service, g.instanceId())));
            List<Map<String, AttributeValue>> read = Batches.snapshot(dynamoDb, table, keys);
            Head head = Head.of(service, read.get(0));
            if (!head.exported()) {
                return Applied.REFUSED;
            }
            List<Change> changes = new ArrayList<>();
            for (int i = 0; i < group.size(); i++) {
                Map<String, AttributeValue> stored = read.get(i + 1);
                Map<String, AttributeValue> after = newer(pk, service, group.get(i), stored, at);
                if (after != null) {
                    changes.add(new Change(keys.get(i + 1), stored, after));
                }
            }
            if (changes.isEmpty()) {
                return Applied.UNCHANGED;
            }
            long applied = group.stream().mapToLong(VersionedInstance::version).max().orElse(0);
            Outcome outcome = run(peering, ServiceHeads.step(table, pk, head, changes, true, applied));
            if (outcome == Outcome.WRITTEN) {
                return Applied.CHANGED;
            }
            if (outcome == Outcome.CHECK_FAILED) {
                return Applied.REFUSED;
            }
            Batches.contended(Math.min(attempt, 6));
        }
        throw new IllegalStateException("applying an update of " + service + " kept losing to concurrent writers");
    }

    /** The item to write for an incoming instance state, or null when the stored one is as new or newer. */
    private static Map<String, AttributeValue> newer(String pk, String service, VersionedInstance incoming,
                                                     Map<String, AttributeValue> stored, Instant at) {
        long storedVersion = stored == null ? 0 : Attributes.number(stored, CatalogItems.VERSION);
        if (stored != null && storedVersion >= incoming.version()) {
            return null;
        }
        if (incoming.deleted()) {
            return CatalogItems.tombstone(instanceKey(pk, service, incoming.instanceId()), incoming.node(),
                    incoming.serviceId(), service, incoming.version(), at.plus(TOMBSTONE_LIFETIME).getEpochSecond());
        }
        return CatalogItems.importedInstance(pk, incoming.instance(), incoming.version());
    }

    /**
     * Applies one chunk of a service's snapshot: the exporter's instances whose IDs fall in
     * ({@code afterId}, {@code throughId}], as of the exporter's service version {@code snapshotVersion}. Each listed
     * instance is written when newer than the stored one; each stored instance or tombstone in that range that the
     * chunk does not list is deleted when its version is at most {@code snapshotVersion} (it was gone when the
     * exporter read the range; anything newer arrived after and stays). A chunk stands alone: chunks may arrive in
     * any order, twice, or not at all (the next resync sends the service again), and an older snapshot's chunk
     * changes nothing newer.
     *
     * @param afterId   the exclusive lower bound ({@code <node>#<service id>}), empty for the first chunk
     * @param throughId the inclusive upper bound, or null for the last chunk (to the end of the service)
     * @return what happened; {@link Applied#REFUSED} when the peering is no longer connected or the peer's latest
     *         service list dropped the service
     */
    public Applied applyChunk(Peering peering, String service, long snapshotVersion, String afterId, String throughId,
                              List<VersionedInstance> instances, Instant at) {
        String pk = TableKeys.importedFrom(peering.key());
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            // The head first: a writer that changes the range after this read moves the head, and the commit fails.
            Head head = Head.of(service, item(pk, CatalogItems.headKey(service)));
            if (!head.exported()) {
                return Applied.REFUSED;
            }
            Map<String, Map<String, AttributeValue>> stored = range(pk, service, afterId, throughId);
            Map<String, VersionedInstance> listed = new TreeMap<>();
            instances.forEach(i -> listed.merge(i.instanceId(), i, (a, b) -> a.version() >= b.version() ? a : b));
            List<Change> changes = new ArrayList<>();
            for (VersionedInstance instance : listed.values()) {
                Map<String, AttributeValue> before = stored.get(instance.instanceId());
                Map<String, AttributeValue> after = newer(pk, service, instance, before, at);
                if (after != null) {
                    changes.add(new Change(instanceKey(pk, service, instance.instanceId()), before, after));
                }
            }
            stored.forEach((id, item) -> {
                if (!listed.containsKey(id) && Attributes.number(item, CatalogItems.VERSION) <= snapshotVersion) {
                    changes.add(new Change(instanceKey(pk, service, id), item, null));
                }
            });
            if (changes.isEmpty() && head.stored()) {
                return Applied.UNCHANGED;
            }
            Outcome outcome = Outcome.WRITTEN;
            for (int from = 0; from == 0 || from < changes.size(); from += ServiceHeads.CHANGES_PER_TRANSACTION) {
                List<Change> group = changes.subList(from, Math.min(changes.size(), from + ServiceHeads.CHANGES_PER_TRANSACTION));
                Step step = ServiceHeads.step(table, pk, head, group, true, snapshotVersion);
                outcome = run(peering, step);
                if (outcome != Outcome.WRITTEN) {
                    break;
                }
                head = step.after();
            }
            if (outcome == Outcome.WRITTEN) {
                return Applied.CHANGED;
            }
            if (outcome == Outcome.CHECK_FAILED) {
                return Applied.REFUSED;
            }
            Batches.contended(Math.min(attempt, 6));
        }
        throw new IllegalStateException("applying a snapshot chunk of " + service + " kept losing to concurrent writers");
    }

    /** The stored instances and tombstones of a service with IDs in ({@code afterId}, {@code throughId}]. */
    private Map<String, Map<String, AttributeValue>> range(String pk, String service, String afterId, String throughId) {
        String prefix = CatalogItems.serviceKeyPrefix(service);
        String upper = throughId == null ? prefix + TableKeys.HIGHEST : prefix + throughId;
        Map<String, Map<String, AttributeValue>> items = new TreeMap<>();
        Batches.query(dynamoDb, QueryRequest.builder().tableName(table)
                .keyConditionExpression("#pk = :pk AND #sk BETWEEN :from AND :to")
                .expressionAttributeNames(Map.of("#pk", TableKeys.PK, "#sk", TableKeys.SK))
                .expressionAttributeValues(Map.of(":pk", s(pk), ":from", s(prefix + afterId), ":to", s(upper)))
                .build(), page -> page.forEach(item -> {
                    String id = Attributes.string(item, TableKeys.SK).substring(prefix.length());
                    if (!id.isEmpty() && !id.equals(afterId)) {
                        items.put(id, item);
                    }
                }));
        return items;
    }

    /**
     * Applies the peer's list of the services it exports to us, with each one's digest and instance count: a
     * listed service whose head says it is not exported is exported again; a service no longer listed is marked
     * not exported (reads stop showing it at once, through the peering's ImportedServices, and the stream handler
     * purges its instances, {@link #purgeUnexported}).
     *
     * <p>The list must have been taken first ({@link StreamStatusStore#takeExportList}): every flag it moves is
     * written only while the peering row still holds this list's {@code viewedAt}, so a list that a newer one
     * overtook while it was being applied stops, and never hides what the newer one exports (nor brings back what it
     * dropped).
     *
     * @param viewedAt the list's {@code ViewedAt} (the exporter's clock, epoch ms), as taken
     * @param listed service name → its digest text and instance count on the exporter
     * @return the listed services the exporter should send again whole: those we lack, and those whose digest or
     *         count differ from ours while we have applied their version (a lost update), or differ at the same
     *         version twice in a row (the last update was lost). A service merely behind (its update may be in
     *         flight) is marked and judged at the next resync. Empty when the peering is no longer connected or a
     *         newer list was taken meanwhile.
     */
    public List<String> applyServiceList(Peering peering, long viewedAt, Map<String, ListedService> listed) {
        PeeringKey peer = peering.key();
        String pk = TableKeys.importedFrom(peer);
        List<String> stillExported = new ArrayList<>();
        Batches.query(dynamoDb, QueryRequest.builder().tableName(table)
                .keyConditionExpression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expressionAttributeNames(Map.of("#pk", TableKeys.PK, "#sk", TableKeys.SK))
                .expressionAttributeValues(Map.of(":pk", s(pk), ":prefix", s(CatalogItems.LIST_PREFIX)))
                .build(), page -> page.forEach(item -> {
                    if (CatalogItems.serviceOfListEntry(Attributes.string(item, TableKeys.SK)) != null) {
                        ServiceHeads.ListEntry entry = ServiceHeads.ListEntry.of(item);
                        if (entry.exported() && !listed.containsKey(entry.service())) {
                            stillExported.add(entry.service());
                        }
                    }
                }));
        List<String> services = new ArrayList<>(new TreeMap<>(listed).keySet());
        services.addAll(stillExported);
        Map<String, Head> heads = new TreeMap<>();
        for (Map<String, AttributeValue> item : Batches.get(dynamoDb, table,
                services.stream().map(service -> TableKeys.key(pk, CatalogItems.headKey(service))).toList())) {
            String service = CatalogItems.serviceOfHead(Attributes.string(item, TableKeys.SK));
            heads.put(service, Head.of(service, item));
        }
        List<String> resend = new ArrayList<>();
        for (Map.Entry<String, ListedService> entry : new TreeMap<>(listed).entrySet()) {
            Head head = heads.get(entry.getKey());
            ListedService theirs = entry.getValue();
            if (head != null && !head.exported() && !setExported(peering, viewedAt, pk, head, true)) {
                return List.of();
            }
            if (head != null && head.exported() && head.count() == theirs.instances()
                    && ServiceDigest.format(head.digest()).equals(theirs.digest())) {
                continue;
            }
            if (head == null || !head.exported() || head.maxVersion() >= theirs.version() || head.suspect() == theirs.version()) {
                resend.add(entry.getKey());
            } else {
                markSuspect(pk, head, theirs.version());
            }
        }
        for (String service : stillExported) {
            Head head = heads.get(service);
            if (head != null && head.exported() && !setExported(peering, viewedAt, pk, head, false)) {
                return List.of();
            }
        }
        return resend;
    }

    /**
     * One service in a peer's service list.
     *
     * @param digest    its {@link ServiceDigest} text on the exporter
     * @param instances its instance count on the exporter
     * @param version   its version on the exporter (the service's Consul index there)
     */
    public record ListedService(String digest, long instances, long version) {
    }

    /**
     * Records on a head that a resync found the service behind the exporter's version (an update may still be on its
     * way): the next resync at the same version sends it again. Does not move the head's index (nothing a reader
     * sees changed); skipped when the head moved meanwhile.
     */
    private void markSuspect(String pk, Head head, long version) {
        try {
            dynamoDb.updateItem(r -> r.tableName(table).key(TableKeys.key(pk, CatalogItems.headKey(head.service())))
                    .conditionExpression("#index = :read")
                    .updateExpression("SET #suspect = :version")
                    .expressionAttributeNames(Map.of("#index", ConsulIndex.HEAD_VALUE, "#suspect", ServiceHeads.SUSPECT))
                    .expressionAttributeValues(Map.of(":read", Attributes.n(head.index()), ":version", Attributes.n(version))));
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException e) {
            // The head moved: an update arrived, the next resync judges again.
        }
    }

    /**
     * Moves a head's exported flag (and its index, waking blocking readers) on behalf of the list viewed at
     * {@code viewedAt}. @return false when not connected, or a newer list was taken since
     */
    private boolean setExported(Peering peering, long viewedAt, String pk, Head head, boolean exported) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Outcome outcome = run(peering, ServiceHeads.step(table, pk, head, List.of(), exported, 0),
                    " AND #listIndex = :listIndex", Map.of("#listIndex", PeeringItems.EXPORT_LIST_INDEX),
                    Map.of(":listIndex", Attributes.n(viewedAt)));
            if (outcome == Outcome.WRITTEN) {
                return true;
            }
            if (outcome == Outcome.CHECK_FAILED) {
                return false;
            }
            head = Head.of(head.service(), item(pk, CatalogItems.headKey(head.service())));
            if (head.exported() == exported) {
                return true;
            }
            Batches.contended(Math.min(attempt, 6));
        }
        throw new IllegalStateException("marking " + head.service() + " exported=" + exported + " kept losing");
    }

    /** The peer and service of an imported head's keys (as found in a stream record), or null for other items. */
    public static ImportedHead importedHeadOf(String pk, String sk) {
        if (pk == null || sk == null || !pk.startsWith(TableKeys.IMPORTED_PREFIX)) {
            return null;
        }
        String service = CatalogItems.serviceOfHead(sk);
        String[] parts = pk.split("#", 3);
        return service == null || parts.length != 3 ? null : new ImportedHead(new PeeringKey(parts[1], parts[2]), service);
    }

    /**
     * An imported service's head, named by keys.
     *
     * @param peer    the local peering it was imported through
     * @param service the service
     */
    public record ImportedHead(PeeringKey peer, String service) {
    }

    /** Runs a step together with the check that the peering is still connected with this ID. */
    private Outcome run(Peering peering, Step step) {
        return run(peering, step, "", Map.of(), Map.of());
    }

    /** Runs a step together with the check that the peering is still connected with this ID, and the extra one. */
    private Outcome run(Peering peering, Step step, String extraCondition, Map<String, String> extraNames,
                        Map<String, AttributeValue> extraValues) {
        String pk = TableKeys.importedFrom(peering.key());
        List<TransactWriteItem> items = new ArrayList<>(ServiceHeads.transaction(table, pk, step));
        Map<String, String> names = new java.util.HashMap<>(extraNames);
        names.put("#id", PeeringItems.ID);
        names.put("#state", PeeringItems.STATE);
        Map<String, AttributeValue> values = new java.util.HashMap<>(extraValues);
        values.put(":id", s(peering.id()));
        values.put(":establishing", s(PeeringState.ESTABLISHING.name()));
        values.put(":active", s(PeeringState.ACTIVE.name()));
        items.add(ServiceHeads.check(table, TableKeys.peering(peering.key()),
                "#id = :id AND #state IN (:establishing, :active)" + extraCondition, names, values));
        return ServiceHeads.run(dynamoDb, items, Set.of(0));
    }

    private static Map<String, AttributeValue> instanceKey(String pk, String service, String instanceId) {
        return TableKeys.key(pk, CatalogItems.serviceKeyPrefix(service) + instanceId);
    }

    /**
     * Stores (or replaces) the trust bundle imported from a peer.
     *
     * @param peer        the local partition and name of the peering
     * @param trustDomain the peer's trust domain, {@code <cluster id>.consul}
     * @param rootPems    the peer's CA roots, PEM
     * @param at          when it was received
     */
    public void putTrustBundle(PeeringKey peer, String trustDomain, List<String> rootPems, Instant at) {
        if (rootPems.equals(trustBundle(peer))) {
            return;
        }
        Map<String, AttributeValue> item = new HashMap<>(TableKeys.key(TableKeys.importedFrom(peer), TRUST_BUNDLE_SK));
        item.put("trustDomain", s(trustDomain));
        item.put("rootPems", list(rootPems));
        item.put("updatedAt", Attributes.instant(at));
        dynamoDb.putItem(r -> r.tableName(table).item(item));
    }

    /** The imported trust bundle's roots, or an empty list when none is stored. */
    public List<String> trustBundle(PeeringKey peer) {
        Map<String, AttributeValue> item = item(TableKeys.importedFrom(peer), TRUST_BUNDLE_SK);
        return item.isEmpty() ? List.of() : Attributes.strings(item, "rootPems");
    }

    private Map<String, AttributeValue> item(String pk, String sk) {
        return Batches.item(dynamoDb, table, pk, sk);
    }
}
