package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.service.ReplicationService;
import io.clusterpeering.store.CatalogStore;
import io.clusterpeering.store.PeeringStore;
import io.clusterpeering.store.TableChanges;
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
            switch (StreamRecordImages.decode(record)) {
                case TableChanges.LocalInstanceChanged changed -> instances
                        .computeIfAbsent(changed.instance().partition(), p -> new LinkedHashSet<>()).add(changed.instance());
                case TableChanges.NodeCopyUnfinished node ->
                        nodes.computeIfAbsent(node.partition(), p -> new TreeSet<>()).add(node.node());
                case TableChanges.ExportedServicesChanged entry -> resyncPartitions.add(entry.partition());
                case TableChanges.PeeringChanged peering when peering.peerJustConnected() -> connected.add(peering.key());
                default -> { }
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
}
