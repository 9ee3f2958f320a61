package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.service.ReplicationService;
import io.clusterpeering.store.ConfigEntryStore;
import io.clusterpeering.store.TableKeys;
import io.micronaut.context.ApplicationContext;
import io.micronaut.function.aws.MicronautRequestHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The table's DynamoDB Stream handler that exports: when the local catalog changes ({@code CATALOG#} items),
 * the exported-services entry changes, or a peer has just connected, sends every ACTIVE peer of that partition
 * its whole snapshot ({@link ReplicationService#pushAll}). Each partition is pushed once per batch; pushing is
 * idempotent on the receiving side. A failed push is healed by the next heartbeat round's resync, so a batch
 * fails (and is retried) only when reading the store fails.
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
        // When the change reached us: the snapshots carry it so the peer can measure the replication lag.
        java.time.Instant changedAt = java.time.Instant.now();
        Set<String> partitions = new TreeSet<>();
        for (DynamodbEvent.DynamodbStreamRecord record : event.getRecords()) {
            String partition = exportingPartition(record);
            if (partition != null) {
                partitions.add(partition);
            }
        }
        ReplicationService replication = getApplicationContext().getBean(ReplicationService.class);
        List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
        for (String partition : partitions) {
            try {
                int delivered = replication.pushAll(partition, Set.of(), changedAt);
                LOG.debug("exported services of partition {} pushed to {} peers", partition, delivered);
            } catch (RuntimeException e) {
                LOG.error("pushing exported services of partition {} failed; the batch will be retried", partition, e);
                failures.add(new StreamsEventResponse.BatchItemFailure(
                        event.getRecords().get(0).getDynamodb().getSequenceNumber()));
                break;
            }
        }
        return new StreamsEventResponse(failures);
    }

    /** The partition whose exports a record changes, or null when it changes none. */
    static String exportingPartition(DynamodbEvent.DynamodbStreamRecord record) {
        if (record.getDynamodb() == null || record.getDynamodb().getKeys() == null) {
            return null;
        }
        Map<String, AttributeValue> keys = record.getDynamodb().getKeys();
        String pk = PeeringStreamFunction.text(keys.get(TableKeys.PK));
        String sk = PeeringStreamFunction.text(keys.get(TableKeys.SK));
        if (pk == null) {
            return null;
        }
        if (pk.startsWith("CATALOG#")) {
            return pk.substring("CATALOG#".length());
        }
        String configPartition = ConfigEntryStore.exportedServicesPartition(pk, sk);
        if (configPartition != null) {
            return configPartition;
        }
        PeeringKey peering = TableKeys.peeringKeyOf(pk, sk);
        if (peering != null && peerJustConnected(record)) {
            return peering.partition();
        }
        return null;
    }

    /**
     * Whether the peer is now known to be ready to take a snapshot: a dialer row just turned ACTIVE (the
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
