package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.service.ReplicationService;
import io.clusterpeering.store.CatalogStore;
import io.clusterpeering.store.ConfigEntryStore;
import io.clusterpeering.store.PeeringStore;
import io.clusterpeering.store.TableKeys;
import io.micronaut.context.ApplicationContext;
import io.micronaut.function.aws.MicronautRequestHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The table's DynamoDB Stream handler that exports. For one batch of records:
 * <ul>
 *   <li>changed local instances ({@code CATALOG#} / {@code SERVICE#} items) are sent, grouped by service, to the
 *       service's consumers as updates holding just those instances ({@link ReplicationService#pushChanges});</li>
 *   <li>a changed node ({@code NODE#} item) whose copy into its instances was left unfinished (a crash) has it
 *       finished (their own records then export them);</li>
 *   <li>a changed exported-services entry resyncs every ACTIVE peer of its partition, and a peer that has just
 *       connected is resynced (the service list with digests; only differing services are sent whole).</li>
 * </ul>
 * Sending is idempotent on the receiving side, and a failed send is healed by the next heartbeat's resync, so a
 * batch fails (and is retried) only when reading the store fails.
 */
public class ExportStreamFunction extends MicronautRequestHandler<DynamodbEvent, StreamsEventResponse> {
    private static final Logger LOG = LoggerFactory.getLogger(ExportStreamFunction.class);

    public ExportStreamFunction() {
        super();
    }

    public ExportStreamFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    public StreamsEventResponse execute(DynamodbEvent event) {
        // When the changes reached us: the updates carry it so the peer can measure the replication lag.
        java.time.Instant changedAt = java.time.Instant.now();
        Map<String, Set<CatalogStore.InstanceRef>> instances = new TreeMap<>();
        Map<String, Set<String>> nodes = new TreeMap<>();
        Set<String> resyncPartitions = new TreeSet<>();
        Set<PeeringKey> connected = new LinkedHashSet<>();
        for (DynamodbEvent.DynamodbStreamRecord record : event.getRecords()) {
            if (record.getDynamodb() == null || record.getDynamodb().getKeys() == null) {
                continue;
            }
            Map<String, AttributeValue> keys = record.getDynamodb().getKeys();
            String pk = PeeringStreamFunction.text(keys.get(TableKeys.PK));
            String sk = PeeringStreamFunction.text(keys.get(TableKeys.SK));
            CatalogStore.InstanceRef instance = CatalogStore.localInstanceRef(pk, sk);
            if (instance != null) {
                instances.computeIfAbsent(instance.partition(), p -> new LinkedHashSet<>()).add(instance);
                continue;
            }
            String node = CatalogStore.localNodeOf(pk, sk);
            if (node != null && copyUnfinished(record.getDynamodb().getNewImage())) {
                nodes.computeIfAbsent(pk.substring("CATALOG#".length()), p -> new TreeSet<>()).add(node);
                continue;
            }
            String configPartition = ConfigEntryStore.exportedServicesPartition(pk, sk);
            if (configPartition != null) {
                resyncPartitions.add(configPartition);
                continue;
            }
            PeeringKey peering = TableKeys.peeringKeyOf(pk, sk);
            if (peering != null && peerJustConnected(record)) {
                connected.add(peering);
            }
        }
        ReplicationService replication = getApplicationContext().getBean(ReplicationService.class);
        CatalogStore catalog = getApplicationContext().getBean(CatalogStore.class);
        PeeringStore peerings = getApplicationContext().getBean(PeeringStore.class);
        List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
        try {
            nodes.forEach((partition, names) -> names.forEach(node -> catalog.refreshNodeCopies(partition, node)));
            instances.forEach((partition, refs) -> {
                int taken = replication.pushChanges(partition, ReplicationService.byService(refs), changedAt);
                LOG.debug("{} changed instances of partition {}: {} updates taken", refs.size(), partition, taken);
            });
            resyncPartitions.forEach(replication::resyncAll);
            for (PeeringKey key : connected) {
                if (!resyncPartitions.contains(key.partition())) {
                    peerings.find(key).filter(p -> p.state().isConnected()).ifPresent(p -> replication.resync(p, false));
                }
            }
        } catch (RuntimeException e) {
            LOG.error("exporting a stream batch failed; the batch will be retried", e);
            failures.add(new StreamsEventResponse.BatchItemFailure(
                    event.getRecords().get(0).getDynamodb().getSequenceNumber()));
        }
        return new StreamsEventResponse(failures);
    }

    /** Whether a node record's new image shows a copy into its instances left unfinished. */
    private static boolean copyUnfinished(Map<String, AttributeValue> image) {
        if (image == null) {
            return false;
        }
        return CatalogStore.copyUnfinished(number(image.get("rev")), number(image.get("copiedRev")));
    }

    private static long number(AttributeValue value) {
        return value == null || value.getN() == null ? 0 : Long.parseLong(value.getN());
    }

    /**
     * Whether the peer is now known to be ready to take our exports: a dialer row just turned ACTIVE (the
     * acceptor answered its first heartbeat), or any row just received its first heartbeat. An acceptor turning
     * ACTIVE at the exchange is not enough: the dialer has not stored its row yet.
     */
    private static boolean peerJustConnected(DynamodbEvent.DynamodbStreamRecord record) {
        Map<String, AttributeValue> after = record.getDynamodb().getNewImage();
        Map<String, AttributeValue> before = record.getDynamodb().getOldImage();
        if (after == null || !"ACTIVE".equals(PeeringStreamFunction.text(after.get("state")))) {
            return false;
        }
        boolean dialerPromoted = "DIALER".equals(PeeringStreamFunction.text(after.get("role")))
                && (before == null || !"ACTIVE".equals(PeeringStreamFunction.text(before.get("state"))));
        boolean firstHeartbeat = after.containsKey("lastHeartbeat") && (before == null || !before.containsKey("lastHeartbeat"));
        return dialerPromoted || firstHeartbeat;
    }
}
