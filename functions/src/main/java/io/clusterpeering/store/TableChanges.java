package io.clusterpeering.store;

import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.PeeringRole;
import io.clusterpeering.domain.PeeringState;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.List;
import java.util.Map;

/**
 * What a record of the table's DynamoDB Stream means, decoded from its keys and images into a typed change, and
 * the stream filter patterns that let only those records reach the stream functions (the CDK stack installs them
 * as each event source mapping's {@code FilterCriteria}). The one place outside the store classes that reads stream
 * images, so that nothing beyond {@code store/} names a key prefix or an attribute: the stream functions switch on
 * the change, the stack takes the patterns.
 */
public final class TableChanges {
    private TableChanges() {
    }

    /** A decoded stream record. */
    public sealed interface TableChange {
    }

    /** A local service instance was written or removed; it is exported to the service's consumers. */
    public record LocalInstanceChanged(CatalogStore.InstanceRef instance) implements TableChange {
    }

    /** A node changed and its copy into the node's instances was left unfinished (a crash): finish it. */
    public record NodeCopyUnfinished(String partition, String node) implements TableChange {
    }

    /** A partition's exported-services config entry was written or deleted: resync the partition's peers. */
    public record ExportedServicesChanged(String partition) implements TableChange {
    }

    /**
     * A peering row changed.
     *
     * @param finishing         its new image is DELETING or TERMINATED: the deletion handler finishes it
     * @param peerJustConnected the peer is now ready to take our exports: a dialer row just turned ACTIVE (the
     *                          acceptor answered its first heartbeat), or any ACTIVE row just got its first
     *                          heartbeat (an acceptor turning ACTIVE at the exchange is not enough: the dialer has
     *                          not stored its row yet)
     */
    public record PeeringChanged(PeeringKey key, boolean finishing, boolean peerJustConnected) implements TableChange {
    }

    /** The peer stopped exporting a service imported from it (its head reads {@code exported: false}). */
    public record ImportedServiceUnexported(ImportedDataStore.ImportedHead head) implements TableChange {
    }

    /** Any other item. */
    public record Unrelated() implements TableChange {
    }

    /**
     * Decodes one stream record.
     *
     * @param keys     the record's keys ({@code pk}, {@code sk})
     * @param newImage the item after the change, null for a removal
     * @param oldImage the item before, null for an insert
     */
    public static TableChange decode(Map<String, AttributeValue> keys, Map<String, AttributeValue> newImage,
                                     Map<String, AttributeValue> oldImage) {
        if (keys == null) {
            return new Unrelated();
        }
        String pk = text(keys.get(TableKeys.PK));
        String sk = text(keys.get(TableKeys.SK));
        CatalogStore.InstanceRef instance = CatalogStore.localInstanceRef(pk, sk);
        if (instance != null) {
            return new LocalInstanceChanged(instance);
        }
        String node = CatalogStore.localNodeOf(pk, sk);
        if (node != null) {
            boolean unfinished = newImage != null
                    && CatalogStore.copyUnfinished(number(newImage.get(CatalogItems.REV)), number(newImage.get(CatalogItems.COPIED_REV)));
            return unfinished ? new NodeCopyUnfinished(pk.substring(CatalogItems.localPartition("").length()), node) : new Unrelated();
        }
        String configPartition = ConfigEntryStore.exportedServicesPartition(pk, sk);
        if (configPartition != null) {
            return new ExportedServicesChanged(configPartition);
        }
        PeeringKey peering = TableKeys.peeringKeyOf(pk, sk);
        if (peering != null) {
            return newImage == null ? new Unrelated()
                    : new PeeringChanged(peering, finishing(newImage), peerJustConnected(newImage, oldImage));
        }
        ImportedDataStore.ImportedHead head = ImportedDataStore.importedHeadOf(pk, sk);
        if (head != null && newImage != null && newImage.get(ServiceHeads.EXPORTED) != null
                && Boolean.FALSE.equals(newImage.get(ServiceHeads.EXPORTED).bool())) {
            return new ImportedServiceUnexported(head);
        }
        return new Unrelated();
    }

    /**
     * The deletion handler's filter patterns (EventBridge pattern syntax, as maps): a peering row modified into
     * DELETING or TERMINATED, and an imported service head marked {@code exported: false}.
     */
    public static List<Map<String, Object>> deletionPatterns() {
        return List.of(
                Map.of("eventName", List.of("MODIFY"),
                        "dynamodb", Map.of("NewImage", Map.of(PeeringItems.STATE, Map.of("S",
                                List.of(PeeringState.DELETING.name(), PeeringState.TERMINATED.name()))))),
                Map.of("dynamodb", Map.of(
                        "Keys", Map.of(TableKeys.PK, prefix(TableKeys.IMPORTED_PREFIX),
                                TableKeys.SK, prefix(CatalogItems.SERVICE_PREFIX)),
                        "NewImage", Map.of(ServiceHeads.EXPORTED, Map.of("BOOL", List.of(false))))));
    }

    /**
     * The exporter's filter patterns: local service instances and nodes, exported-services entries, a dialer row
     * turning ACTIVE, and an ACTIVE row getting its first heartbeat.
     */
    public static List<Map<String, Object>> exportPatterns() {
        Map<String, Object> catalog = prefix(CatalogItems.localPartition(""));
        String active = PeeringState.ACTIVE.name();
        return List.of(
                Map.of("dynamodb", Map.of("Keys", Map.of(TableKeys.PK, catalog, TableKeys.SK, prefix(CatalogItems.SERVICE_PREFIX)))),
                Map.of("dynamodb", Map.of("Keys", Map.of(TableKeys.PK, catalog, TableKeys.SK, prefix(CatalogItems.NODE_PREFIX)))),
                Map.of("dynamodb", Map.of("Keys", Map.of(TableKeys.PK, prefix(ConfigEntryStore.partitionKey("")),
                        TableKeys.SK, prefix(ConfigEntryStore.EXPORTED_SERVICES_PREFIX)))),
                Map.of("dynamodb", Map.of(
                        "NewImage", Map.of(PeeringItems.STATE, Map.of("S", List.of(active)),
                                PeeringItems.ROLE, Map.of("S", List.of(PeeringRole.DIALER.name()))),
                        "OldImage", Map.of(PeeringItems.STATE, Map.of("S", List.of(Map.of("anything-but", List.of(active))))))),
                Map.of("dynamodb", Map.of(
                        "NewImage", Map.of(PeeringItems.STATE, Map.of("S", List.of(active)),
                                PeeringItems.LAST_HEARTBEAT, Map.of("S", List.of(Map.of("exists", true)))),
                        "OldImage", Map.of(PeeringItems.LAST_HEARTBEAT, Map.of("S", List.of(Map.of("exists", false)))))));
    }

    private static boolean finishing(Map<String, AttributeValue> image) {
        String state = text(image.get(PeeringItems.STATE));
        return PeeringState.DELETING.name().equals(state) || PeeringState.TERMINATED.name().equals(state);
    }

    private static boolean peerJustConnected(Map<String, AttributeValue> after, Map<String, AttributeValue> before) {
        String active = PeeringState.ACTIVE.name();
        if (!active.equals(text(after.get(PeeringItems.STATE)))) {
            return false;
        }
        boolean dialerPromoted = PeeringRole.DIALER.name().equals(text(after.get(PeeringItems.ROLE)))
                && (before == null || !active.equals(text(before.get(PeeringItems.STATE))));
        boolean firstHeartbeat = after.containsKey(PeeringItems.LAST_HEARTBEAT)
                && (before == null || !before.containsKey(PeeringItems.LAST_HEARTBEAT));
        return dialerPromoted || firstHeartbeat;
    }

    private static Map<String, Object> prefix(String prefix) {
        return Map.of("S", List.of(Map.of("prefix", prefix)));
    }

    private static String text(AttributeValue value) {
        return value == null ? null : value.s();
    }

    private static long number(AttributeValue value) {
        return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
    }
}
