package io.clusterpeering.store;

import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.domain.HealthCheck;
import io.clusterpeering.store.CatalogItems.NodeItem;
import io.clusterpeering.store.ServiceHeads.Change;
import io.clusterpeering.store.ServiceHeads.Head;
import io.clusterpeering.store.ServiceHeads.Outcome;
import io.clusterpeering.store.ServiceHeads.Step;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.clusterpeering.store.Attributes.s;
import static io.clusterpeering.store.Attributes.string;

/**
 * The local service catalog of a partition (Consul's nodes, services and checks): registrations, removals and
 * the node copies (reads of services, local and imported, are {@link CatalogReads}). Layout in {@link CatalogItems}: each instance item carries a copy of
 * its node's fields and node checks, so a service is read with one query and a change is exported from one item.
 *
 * <p>Rules, each enforced by one transaction:
 * <ul>
 *   <li>a service's head describes its instances: every instance write moves the head (see {@link ServiceHeads});</li>
 *   <li>an instance's node copy is the node as it is, or its service's head names the node: an instance write
 *       checks the node's revision; a change of an existing node is first announced on the heads of its services
 *       (reads put the node over the copies meanwhile) and then copied into each of its instances by the stream,
 *       90 per transaction ({@link #refreshNodeCopies(String, String)}), which clears the announcements;</li>
 *   <li>a service ID is unique per node: its pointer ({@code NODE#<node>#SERVICE#<id>}) names the one service that
 *       holds it, and registering the ID under another service name moves it there in the same transaction
 *       (Consul replaces the instance).</li>
 * </ul>
 * No request reads or writes anything proportional to the catalog or to a service: a registration costs one
 * snapshot read and one transaction whatever the size of its service; one that changes an existing node adds a
 * query of the node's pointers, one UpdateItem per service on the node and one more snapshot read. The copy into
 * the node's instances is the stream's: one snapshot read and one transaction per service and 90 instances.
 *
 * <p>Why one class of some 600 lines: a registration, a removal and a node's copy write the same items (instance,
 * head, pointer, node) under conditions on each other, so the three rules above are enforced in one place; reads
 * ({@link CatalogReads}) and the bulk load ({@link CatalogBulkLoad}) are apart.
 */
@Singleton
public class CatalogStore {
    private static final int MAX_ATTEMPTS = 25;

    private final DynamoDbClient dynamoDb;
    private final String table;

    public CatalogStore(DynamoDbClient dynamoDb, DynamoDbConfiguration config) {
        this.dynamoDb = dynamoDb;
        this.table = config.getTableName();
    }

    /**
     * A registration: a node, optionally one service instance on it, and checks (Consul's
     * {@code structs.RegisterRequest}, validated).
     *
     * @param node            node name
     * @param nodeId          node UUID, or empty to keep the stored one
     * @param address         node address
     * @param datacenter      node datacenter
     * @param nodeMeta        node metadata
     * @param taggedAddresses node tagged addresses
     * @param instance        the instance to create or replace, or null
     * @param checks          checks to create or replace: node checks (service ID empty) and service checks
     */
    public record Registration(String node, String nodeId, String address, String datacenter,
                               Map<String, String> nodeMeta, Map<String, String> taggedAddresses, Instance instance,
                               List<HealthCheck> checks) {
    }

    /**
     * A service instance's own fields.
     *
     * @param serviceId unique per node
     * @param service   the service name
     * @param tags      tags
     * @param address   service address, or empty
     * @param port      port
     * @param meta      metadata
     */
    public record Instance(String serviceId, String service, List<String> tags, String address, int port,
                           Map<String, String> meta) {
    }

    /**
     * Registers a node, an instance and checks. The instance's service checks are those of the registration with
     * its service ID, added to the ones it had; node checks are added to the node's; a check naming another
     * instance on the node changes that instance.
     *
     * @throws IllegalArgumentException when a check names a service ID that has no instance on the node
     * @throws IllegalStateException    when other writers kept winning the same items for many attempts
     */
    public void register(String partition, Registration registration) {
        String pk = CatalogItems.localPartition(partition);
        List<HealthCheck> nodeChecks = registration.checks().stream().filter(c -> c.serviceId().isEmpty()).toList();
        String ownId = registration.instance() == null ? null : registration.instance().serviceId();
        List<HealthCheck> ownChecks = registration.checks().stream()
                .filter(c -> !c.serviceId().isEmpty() && c.serviceId().equals(ownId)).toList();
        Map<String, List<HealthCheck>> otherChecks = new LinkedHashMap<>();
        for (HealthCheck check : registration.checks()) {
            if (!check.serviceId().isEmpty() && !check.serviceId().equals(ownId)) {
                otherChecks.computeIfAbsent(check.serviceId(), id -> new ArrayList<>()).add(check);
            }
        }
        for (String serviceId : otherChecks.keySet()) {
            if (serviceOf(partition, registration.node(), serviceId).isEmpty()) {
                throw new IllegalArgumentException("Checks: no service instance \"" + serviceId
                        + "\" is registered on node \"" + registration.node() + "\"");
            }
        }
        registerNodeAndInstance(pk, registration, nodeChecks, ownChecks);
        otherChecks.forEach((serviceId, checks) -> updateServiceChecks(pk, registration.node(), serviceId, checks, Set.of()));
    }

    /**
     * Writes many new registrations at once with BatchWriteItem instead of one transaction each: the same items
     * {@link #register} writes for them (a test holds the two alike), for loading a large catalog (the benchmark's
     * 100,000 instances) in minutes. Not a replacement for {@code register}: no conditions, so only for
     * registrations of which nothing is stored yet, each with an instance, nothing else writing the partition's
     * catalog meanwhile; a node named twice keeps the fields of its first registration.
     *
     * @throws IllegalArgumentException when a registration has no instance
     * @throws InterruptedException     when interrupted while writing
     */
    public void bulkLoad(String partition, List<Registration> registrations) throws InterruptedException {
        CatalogBulkLoad.load(dynamoDb, table, partition, registrations);
    }

    /**
     * Writes the node (when it changed) and the instance in one transaction. When an existing node changes, the
     * heads of its services are told first ({@link #announceNodeChange}); the copies into its other instances are
     * the stream's ({@link #refreshNodeCopies(String, String)}).
     */
    private void registerNodeAndInstance(String pk, Registration registration, List<HealthCheck> nodeChecks,
                                         List<HealthCheck> ownChecks) {
        Instance instance = registration.instance();
        String nodeName = registration.node();
        long announced = 0;
        Set<String> announcedTo = Set.of();
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            List<Map<String, AttributeValue>> keys = new ArrayList<>();
            keys.add(TableKeys.key(pk, CatalogItems.nodeKey(nodeName)));
            if (instance != null) {
                keys.add(TableKeys.key(pk, CatalogItems.pointerKey(nodeName, instance.serviceId())));
                keys.add(TableKeys.key(pk, CatalogItems.headKey(instance.service())));
                keys.add(TableKeys.key(pk, CatalogItems.serviceKey(instance.service(), nodeName, instance.serviceId())));
            }
            List<Map<String, AttributeValue>> read = Batches.snapshot(dynamoDb, table, keys);
            NodeItem nodeBefore = read.get(0) == null ? null : NodeItem.of(read.get(0));
            NodeItem nodeAfter = mergedNode(registration, nodeBefore, nodeChecks);
            boolean nodeChanged = !nodeAfter.sameContent(nodeBefore);
            if (nodeChanged) {
                nodeAfter = nodeBefore == null ? nodeAfter.withRev(1, 1)
                        : nodeAfter.withRev(nodeBefore.rev() + 1, nodeBefore.copiedRev());
            }
            if (nodeChanged && nodeBefore != null && announced != nodeAfter.rev()) {
                // Told before the write, so no read after it misses the change; the heads moved: read again.
                announcedTo = announceNodeChange(pk, nodeName, nodeAfter.rev());
                announced = nodeAfter.rev();
                continue;
            }
            List<TransactWriteItem> items = new ArrayList<>();
            Set<Integer> heads = new HashSet<>();
            if (instance != null) {
                String oldService = read.get(1) == null ? null : string(read.get(1), CatalogItems.SERVICE);
                Map<String, AttributeValue> before = read.get(3);
                List<Map<String, AttributeValue>> moved = null;
                if (oldService != null && !oldService.equals(instance.service())) {
                    moved = Batches.snapshot(dynamoDb, table, List.of(
                            TableKeys.key(pk, CatalogItems.headKey(oldService)),
                            TableKeys.key(pk, CatalogItems.serviceKey(oldService, nodeName, instance.serviceId()))));
                }
                Map<String, AttributeValue> previous = moved != null ? moved.get(1) : before;
                List<HealthCheck> serviceChecks = mergedChecks(previous == null ? List.of()
                        : CatalogItems.checks(previous, CatalogItems.CHECKS), ownChecks, instance.service());
                Map<String, AttributeValue> after = CatalogItems.localInstance(pk, nodeAfter, instance.serviceId(),
                        instance.service(), instance.tags(), instance.address(), instance.port(), instance.meta(),
                        serviceChecks);
                if (!nodeChanged && moved == null && sameInstance(before, after)) {
                    return;
                }
                Step step = ServiceHeads.step(table, pk, Head.of(instance.service(), read.get(2)),
                        List.of(new Change(TableKeys.key(pk, CatalogItems.serviceKey(instance.service(), nodeName,
                                instance.serviceId())), before, after)), true, 0);
                heads.add(0);
                if (moved != null) {
                    Step removal = ServiceHeads.step(table, pk, Head.of(oldService, moved.get(0)), List.of(new Change(
                            TableKeys.key(pk, CatalogItems.serviceKey(oldService, nodeName, instance.serviceId())),
                            moved.get(1), null)), true, 0);
                    heads.add(step.items().size());
                    items.addAll(ServiceHeads.transaction(table, pk, step, removal));
                } else {
                    items.addAll(ServiceHeads.transaction(table, pk, step));
                }
                items.add(pointerWrite(pk, nodeName, instance.serviceId(), instance.service(), oldService));
            } else if (!nodeChanged) {
                return;
            }
            items.add(nodeChanged ? nodePut(pk, nodeAfter, nodeBefore) : nodeCheck(pk, nodeBefore));
            Outcome outcome = ServiceHeads.run(dynamoDb, items, heads);
            if (outcome == Outcome.WRITTEN) {
                if (nodeChanged && nodeBefore != null) {
                    // An instance of another service may have joined the node between the announcement and the write.
                    Set<String> joined = new HashSet<>(instancesOn(pk, nodeName).keySet());
                    joined.removeAll(announcedTo);
                    for (String service : joined) {
                        ServiceHeads.markNodeChanged(dynamoDb, table, pk, service, nodeName, nodeAfter.rev());
                    }
                }
                return;
            }
            Batches.contended(Math.min(attempt, 6));
        }
        throw new IllegalStateException("registration of node " + nodeName + " kept losing to concurrent writers");
    }

    /** The node a registration leaves: its fields, the stored node checks with the registered ones over them. */
    static NodeItem mergedNode(Registration registration, NodeItem before, List<HealthCheck> nodeChecks) {
        Map<String, HealthCheck> checks = new LinkedHashMap<>();
        if (before != null) {
            before.checks().forEach(c -> checks.put(c.checkId(), c));
        }
        nodeChecks.forEach(c -> checks.put(c.checkId(), c));
        String nodeId = registration.nodeId() == null || registration.nodeId().isEmpty()
                ? (before == null ? "" : before.nodeId()) : registration.nodeId();
        return new NodeItem(registration.node(), nodeId, registration.address(), registration.datacenter(),
                registration.nodeMeta(), registration.taggedAddresses(), List.copyOf(checks.values()),
                before == null ? 0 : before.rev(), before == null ? 0 : before.copiedRev());
    }

    /** An instance's checks after a registration: the stored ones with the registered ones over them, all naming the service. */
    static List<HealthCheck> mergedChecks(List<HealthCheck> existing, List<HealthCheck> registered, String service) {
        Map<String, HealthCheck> checks = new LinkedHashMap<>();
        for (HealthCheck c : existing) {
            checks.put(c.checkId(), new HealthCheck(c.node(), c.checkId(), c.name(), c.status(), c.notes(), c.output(),
                    c.serviceId(), service, c.type()));
        }
        for (HealthCheck c : registered) {
            checks.put(c.checkId(), new HealthCheck(c.node(), c.checkId(), c.name(), c.status(), c.notes(), c.output(),
                    c.serviceId(), service, c.type()));
        }
        return List.copyOf(checks.values());
    }

    private static boolean sameInstance(Map<String, AttributeValue> before, Map<String, AttributeValue> after) {
        if (before == null) {
            return false;
        }
        Map<String, AttributeValue> a = new HashMap<>(before);
        a.remove(CatalogItems.CREATE_INDEX);
        a.remove(CatalogItems.MODIFY_INDEX);
        return a.equals(after);
    }

    /**
     * Rule: a service ID is held by one service of its node; the pointer moves only from the service read. When it
     * already names the service, it is checked rather than written again.
     */
    private TransactWriteItem pointerWrite(String pk, String node, String serviceId, String service, String readService) {
        if (service.equals(readService)) {
            return ServiceHeads.check(table, TableKeys.key(pk, CatalogItems.pointerKey(node, serviceId)),
                    "#service = :read", Map.of("#service", CatalogItems.SERVICE), Map.of(":read", s(readService)));
        }
        Map<String, AttributeValue> item = new HashMap<>(TableKeys.key(pk, CatalogItems.pointerKey(node, serviceId)));
        item.put(CatalogItems.SERVICE, s(service));
        Put.Builder put = Put.builder().tableName(table).item(item);
        if (readService == null) {
            put.conditionExpression("attribute_not_exists(#pk)").expressionAttributeNames(Map.of("#pk", TableKeys.PK));
        } else {
            put.conditionExpression("#service = :read").expressionAttributeNames(Map.of("#service", CatalogItems.SERVICE))
                    .expressionAttributeValues(Map.of(":read", s(readService)));
        }
        return TransactWriteItem.builder().put(put.build()).build();
    }

    /** Rule: a node changes only from the revision read. */
    private TransactWriteItem nodePut(String pk, NodeItem after, NodeItem before) {
        Put.Builder put = Put.builder().tableName(table).item(after.toItem(pk));
        if (before == null) {
            put.conditionExpression("attribute_not_exists(#pk)").expressionAttributeNames(Map.of("#pk", TableKeys.PK));
        } else {
            put.conditionExpression("#rev = :rev").expressionAttributeNames(Map.of("#rev", CatalogItems.REV))
                    .expressionAttributeValues(Map.of(":rev", Attributes.n(before.rev())));
        }
        return TransactWriteItem.builder().put(put.build()).build();
    }

    private TransactWriteItem nodeCheck(String pk, NodeItem node) {
        return ServiceHeads.check(table, TableKeys.key(pk, CatalogItems.nodeKey(node.node())), "#rev = :rev",
                Map.of("#rev", CatalogItems.REV), Map.of(":rev", Attributes.n(node.rev())));
    }

    /**
     * Copies a node's current fields and checks into its instances when the node says its copy is unfinished
     * ({@code copiedRev < rev}: every change of an existing node leaves it so, and the copy is this method's), 90
     * instances of a service per snapshot read and transaction, then clears the node's announcement on each
     * service's head and records the copy. Idempotent; one read when there is nothing to do. The table's stream
     * calls it for a node record that shows an unfinished copy.
     *
     * @throws IllegalStateException when writers of a service kept winning its head; nothing is recorded, so the
     *                               stream hands the record over again
     * @return how many instances it rewrote
     */
    public int refreshNodeCopies(String partition, String node) {
        String pk = CatalogItems.localPartition(partition);
        Map<String, AttributeValue> item = item(pk, CatalogItems.nodeKey(node));
        if (item.isEmpty()) {
            return 0;
        }
        NodeItem current = NodeItem.of(item);
        return current.copiedRev() >= current.rev() ? 0 : copyNode(pk, current);
    }

    /**
     * Whether a node item's attributes (as in a stream record's new image) show a copy into its instances left
     * unfinished.
     *
     * @param rev       the item's {@code rev}
     * @param copiedRev the item's {@code copiedRev}
     */
    public static boolean copyUnfinished(long rev, long copiedRev) {
        return copiedRev < rev;
    }

    /**
     * Copies the node into its instances, clears its announcement on each service's head as that service is done,
     * then records that they all hold this revision.
     *
     * @throws IllegalStateException when writers of a service kept winning its head (nothing recorded: the stream
     *                               record is handed over again)
     */
    private int copyNode(String pk, NodeItem node) {
        int rewritten = 0;
        for (Map.Entry<String, List<Map<String, AttributeValue>>> service : instancesOn(pk, node.node()).entrySet()) {
            List<Map<String, AttributeValue>> keys = service.getValue();
            for (int from = 0; from < keys.size(); from += ServiceHeads.CHANGES_PER_TRANSACTION) {
                int copied = copyInto(pk, node, service.getKey(),
                        keys.subList(from, Math.min(keys.size(), from + ServiceHeads.CHANGES_PER_TRANSACTION)));
                if (copied == NODE_MOVED) {
                    return rewritten;
                }
                if (copied == HEAD_CONTENDED) {
                    throw new IllegalStateException("copying node " + node.node() + " into " + service.getKey()
                            + " kept losing to concurrent writers");
                }
                rewritten += copied;
            }
            ServiceHeads.clearNodeChanged(dynamoDb, table, pk, service.getKey(), node.node(), node.rev());
        }
        try {
            dynamoDb.updateItem(r -> r.tableName(table).key(TableKeys.key(pk, CatalogItems.nodeKey(node.node())))
                    .conditionExpression("#rev = :rev")
                    .updateExpression("SET #copied = :rev")
                    .expressionAttributeNames(Map.of("#rev", CatalogItems.REV, "#copied", CatalogItems.COPIED_REV))
                    .expressionAttributeValues(Map.of(":rev", Attributes.n(node.rev()))));
        } catch (ConditionalCheckFailedException e) {
            // A newer change of the node: its copy records that one.
        }
        return rewritten;
    }

    /** {@link #copyInto} wrote nothing: the node changed since (a newer copy follows). */
    private static final int NODE_MOVED = -1;
    /** {@link #copyInto} wrote nothing: the service's other writers kept moving its head. */
    private static final int HEAD_CONTENDED = -2;

    /** The keys of the node's instances by service, from its pointers (one query, paged by DynamoDB). */
    private Map<String, List<Map<String, AttributeValue>>> instancesOn(String pk, String node) {
        String prefix = CatalogItems.pointerPrefix(node);
        Map<String, List<Map<String, AttributeValue>>> byService = new LinkedHashMap<>();
        for (Map<String, AttributeValue> pointer : query(pk, prefix)) {
            String service = string(pointer, CatalogItems.SERVICE);
            String serviceId = string(pointer, TableKeys.SK).substring(prefix.length());
            byService.computeIfAbsent(service, s -> new ArrayList<>())
                    .add(TableKeys.key(pk, CatalogItems.serviceKey(service, node, serviceId)));
        }
        return byService;
    }

    /**
     * Tells the head of each service with an instance on the node that the node is about to change to revision
     * {@code rev} ({@link ServiceHeads#markNodeChanged}): one query of the node's pointers and one UpdateItem per
     * service, however many instances the node has. Reads then put the node as it is over the instances' copies,
     * and the stream copies it into them ({@link #refreshNodeCopies(String, String)}).
     *
     * @return the services told
     */
    private Set<String> announceNodeChange(String pk, String node, long rev) {
        Set<String> services = instancesOn(pk, node).keySet();
        for (String service : services) {
            ServiceHeads.markNodeChanged(dynamoDb, table, pk, service, node, rev);
        }
        return services;
    }

    /**
     * Copies the node into those of the instances (keys of one service, at most 90) that hold an older revision,
     * in one transaction with their head.
     *
     * @return how many it rewrote, or {@link #NODE_MOVED} or {@link #HEAD_CONTENDED} when it wrote nothing
     */
    private int copyInto(String pk, NodeItem node, String service, List<Map<String, AttributeValue>> keys) {
        List<Map<String, AttributeValue>> snapshotKeys = new ArrayList<>();
        snapshotKeys.add(TableKeys.key(pk, CatalogItems.headKey(service)));
        snapshotKeys.addAll(keys);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            List<Map<String, AttributeValue>> read = Batches.snapshot(dynamoDb, table, snapshotKeys);
            List<Change> changes = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                Map<String, AttributeValue> instance = read.get(i + 1);
                if (instance != null && Attributes.number(instance, CatalogItems.NODE_REV) < node.rev()) {
                    changes.add(new Change(keys.get(i), instance, CatalogItems.withNode(instance, node)));
                }
            }
            if (changes.isEmpty()) {
                return 0;
            }
            List<TransactWriteItem> items = new ArrayList<>(ServiceHeads.transaction(table, pk,
                    ServiceHeads.step(table, pk, Head.of(service, read.get(0)), changes, true, 0)));
            items.add(nodeCheck(pk, node));
            Outcome outcome = ServiceHeads.run(dynamoDb, items, Set.of(0));
            if (outcome == Outcome.WRITTEN) {
                return changes.size();
            }
            if (outcome == Outcome.CHECK_FAILED) {
                return NODE_MOVED;
            }
            Batches.contended(Math.min(attempt, 6));
        }
        return HEAD_CONTENDED;
    }

    /**
     * Adds, replaces ({@code checks}) or removes ({@code removed}, by check ID) service checks of one instance.
     *
     * @return whether the instance exists
     */
    private boolean updateServiceChecks(String pk, String node, String serviceId, List<HealthCheck> checks,
                                        Set<String> removed) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Map<String, AttributeValue> pointer = item(pk, CatalogItems.pointerKey(node, serviceId));
            if (pointer.isEmpty()) {
                return false;
            }
            String service = string(pointer, CatalogItems.SERVICE);
            Map<String, AttributeValue> key = TableKeys.key(pk, CatalogItems.serviceKey(service, node, serviceId));
            List<Map<String, AttributeValue>> read = Batches.snapshot(dynamoDb, table,
                    List.of(TableKeys.key(pk, CatalogItems.headKey(service)), key));
            Map<String, AttributeValue> instance = read.get(1);
            if (instance == null) {
                return false;
            }
            List<HealthCheck> merged = new ArrayList<>(mergedChecks(CatalogItems.checks(instance, CatalogItems.CHECKS),
                    checks, service));
            merged.removeIf(c -> removed.contains(c.checkId()));
            Map<String, AttributeValue> after = new HashMap<>(instance);
            after.put(CatalogItems.CHECKS, CatalogItems.checks(merged));
            if (sameInstance(instance, after)) {
                return true;
            }
            List<TransactWriteItem> items = ServiceHeads.transaction(table, pk, ServiceHeads.step(table, pk,
                    Head.of(service, read.get(0)), List.of(new Change(key, instance, after)), true, 0));
            if (ServiceHeads.run(dynamoDb, items, Set.of(0)) == Outcome.WRITTEN) {
                return true;
            }
            Batches.contended(Math.min(attempt, 6));
        }
        throw new IllegalStateException("updating checks of " + serviceId + " kept losing to concurrent writers");
    }

    /** Removes one service instance and its checks; nothing when there is none. */
    public void removeInstance(String partition, String node, String serviceId) {
        String pk = CatalogItems.localPartition(partition);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Map<String, AttributeValue> pointer = item(pk, CatalogItems.pointerKey(node, serviceId));
            if (pointer.isEmpty()) {
                return;
            }
            String service = string(pointer, CatalogItems.SERVICE);
            Map<String, AttributeValue> key = TableKeys.key(pk, CatalogItems.serviceKey(service, node, serviceId));
            List<Map<String, AttributeValue>> read = Batches.snapshot(dynamoDb, table,
                    List.of(TableKeys.key(pk, CatalogItems.headKey(service)), key));
            List<TransactWriteItem> items = new ArrayList<>(ServiceHeads.transaction(table, pk, ServiceHeads.step(table, pk,
                    Head.of(service, read.get(0)), List.of(new Change(key, read.get(1), null)), true, 0)));
            items.add(TransactWriteItem.builder().delete(Delete.builder().tableName(table)
                    .key(TableKeys.key(pk, CatalogItems.pointerKey(node, serviceId)))
                    .conditionExpression("#service = :service")
                    .expressionAttributeNames(Map.of("#service", CatalogItems.SERVICE))
                    .expressionAttributeValues(Map.of(":service", s(service))).build()).build());
            if (ServiceHeads.run(dynamoDb, items, Set.of(0)) == Outcome.WRITTEN) {
                if (ServiceHeads.staleNodes(read.get(0)).containsKey(node) && !instancesOn(pk, node).containsKey(service)) {
                    // The node's copy would not reach this service any more: nothing is left for the head to name.
                    ServiceHeads.clearNodeChanged(dynamoDb, table, pk, service, node, Long.MAX_VALUE);
                }
                return;
            }
            Batches.contended(Math.min(attempt, 6));
        }
        throw new IllegalStateException("removing " + serviceId + " kept losing to concurrent writers");
    }

    /** Removes one check (of the node or of one of its instances); nothing when there is none. */
    public void removeCheck(String partition, String node, String checkId) {
        String pk = CatalogItems.localPartition(partition);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Map<String, AttributeValue> item = item(pk, CatalogItems.nodeKey(node));
            if (item.isEmpty()) {
                return;
            }
            NodeItem before = NodeItem.of(item);
            if (before.checks().stream().noneMatch(c -> c.checkId().equals(checkId))) {
                findServiceCheck(pk, node, checkId).ifPresent(check ->
                        updateServiceChecks(pk, node, check.serviceId(), List.of(), Set.of(checkId)));
                return;
            }
            NodeItem after = new NodeItem(before.node(), before.nodeId(), before.address(), before.datacenter(),
                    before.meta(), before.taggedAddresses(),
                    before.checks().stream().filter(c -> !c.checkId().equals(checkId)).toList(), before.rev() + 1,
                    before.copiedRev());
            announceNodeChange(pk, node, after.rev());
            try {
                dynamoDb.putItem(r -> r.tableName(table).item(after.toItem(pk)).conditionExpression("#rev = :rev")
                        .expressionAttributeNames(Map.of("#rev", CatalogItems.REV))
                        .expressionAttributeValues(Map.of(":rev", Attributes.n(before.rev()))));
            } catch (ConditionalCheckFailedException e) {
                continue;
            }
            return;
        }
        throw new IllegalStateException("removing check " + checkId + " kept losing to concurrent writers");
    }

    /** Removes a node with all its instances and checks. */
    public void removeNode(String partition, String node) {
        String pk = CatalogItems.localPartition(partition);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            removeInstancesOf(partition, pk, node);
            Map<String, AttributeValue> item = item(pk, CatalogItems.nodeKey(node));
            if (item.isEmpty()) {
                return;
            }
            try {
                dynamoDb.deleteItem(r -> r.tableName(table).key(TableKeys.key(pk, CatalogItems.nodeKey(node)))
                        .conditionExpression("#rev = :rev").expressionAttributeNames(Map.of("#rev", CatalogItems.REV))
                        .expressionAttributeValues(Map.of(":rev", item.get(CatalogItems.REV))));
            } catch (ConditionalCheckFailedException e) {
                continue;
            }
            // An instance registered while the node was read still holds its pointer: remove it too.
            removeInstancesOf(partition, pk, node);
            return;
        }
        throw new IllegalStateException("removing node " + node + " kept losing to concurrent writers");
    }

    /** Removes the node's instances; clears the node's announcement on their services' heads (it is gone). */
    private void removeInstancesOf(String partition, String pk, String node) {
        Set<String> services = new HashSet<>();
        for (Map<String, AttributeValue> pointer : query(pk, CatalogItems.pointerPrefix(node))) {
            services.add(string(pointer, CatalogItems.SERVICE));
            removeInstance(partition, node, string(pointer, TableKeys.SK).substring(CatalogItems.pointerPrefix(node).length()));
        }
        services.forEach(service -> ServiceHeads.clearNodeChanged(dynamoDb, table, pk, service, node, Long.MAX_VALUE));
    }

    /**
     * A registered node's own fields, to tell whether a registration changes it.
     *
     * @return the node, or empty when it is not registered
     */
    public Optional<NodeFields> findNode(String partition, String node) {
        Map<String, AttributeValue> item = item(CatalogItems.localPartition(partition), CatalogItems.nodeKey(node));
        if (item.isEmpty()) {
            return Optional.empty();
        }
        NodeItem n = NodeItem.of(item);
        return Optional.of(new NodeFields(n.nodeId(), n.address(), n.datacenter(), n.meta(), n.taggedAddresses()));
    }

    /** The service name of an instance registered on a node, by its ID: one read of the instance's pointer. */
    public Optional<String> serviceOf(String partition, String node, String serviceId) {
        Map<String, AttributeValue> pointer = item(CatalogItems.localPartition(partition),
                CatalogItems.pointerKey(node, serviceId));
        return pointer.isEmpty() ? Optional.empty() : Optional.of(string(pointer, CatalogItems.SERVICE));
    }

    /** One check of a node (a node check, or a check of one of its instances), if registered. */
    public Optional<HealthCheck> findCheck(String partition, String node, String checkId) {
        String pk = CatalogItems.localPartition(partition);
        Map<String, AttributeValue> item = item(pk, CatalogItems.nodeKey(node));
        if (item.isEmpty()) {
            return Optional.empty();
        }
        Optional<HealthCheck> nodeCheck = NodeItem.of(item).checks().stream().filter(c -> c.checkId().equals(checkId))
                .findFirst();
        return nodeCheck.isPresent() ? nodeCheck : findServiceCheck(pk, node, checkId);
    }

    /** A service check of one of the node's instances: reads the node's pointers and its instances. */
    private Optional<HealthCheck> findServiceCheck(String pk, String node, String checkId) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (Map<String, AttributeValue> pointer : query(pk, CatalogItems.pointerPrefix(node))) {
            String serviceId = string(pointer, TableKeys.SK).substring(CatalogItems.pointerPrefix(node).length());
            keys.add(TableKeys.key(pk, CatalogItems.serviceKey(string(pointer, CatalogItems.SERVICE), node, serviceId)));
        }
        return Batches.get(dynamoDb, table, keys).stream()
                .flatMap(instance -> CatalogItems.checks(instance, CatalogItems.CHECKS).stream())
                .filter(c -> c.checkId().equals(checkId)).findFirst();
    }

    /**
     * A node's own fields as stored.
     *
     * @param nodeId          its UUID, or empty
     * @param address         its address
     * @param datacenter      its datacenter
     * @param meta            its metadata
     * @param taggedAddresses its tagged addresses
     */
    public record NodeFields(String nodeId, String address, String datacenter, Map<String, String> meta,
                             Map<String, String> taggedAddresses) {
    }

    private Map<String, AttributeValue> item(String pk, String sk) {
        return Batches.item(dynamoDb, table, pk, sk);
    }

    /** Every item under the partition key whose sort key starts with the prefix, all pages. */
    List<Map<String, AttributeValue>> query(String pk, String skPrefix) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Batches.query(dynamoDb, QueryRequest.builder().tableName(table)
                .keyConditionExpression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expressionAttributeNames(Map.of("#pk", TableKeys.PK, "#sk", TableKeys.SK))
                .expressionAttributeValues(Map.of(":pk", s(pk), ":prefix", s(skPrefix)))
                .build(), items::addAll);
        return items;
    }

    /**
     * Which local instance a stream record's keys name.
     *
     * @param partition  the partition
     * @param service    the service name
     * @param instanceId {@code <node>#<service id>}
     */
    public record InstanceRef(String partition, String service, String instanceId) {
    }

    /** The local instance an item's keys name (as found in a stream record), or null for any other item. */
    public static InstanceRef localInstanceRef(String pk, String sk) {
        if (pk == null || sk == null || !pk.startsWith(CatalogItems.localPartition("")) || !sk.startsWith(CatalogItems.SERVICE_PREFIX)) {
            return null;
        }
        String rest = sk.substring(CatalogItems.SERVICE_PREFIX.length());
        int split = rest.indexOf('#');
        return split <= 0 || split == rest.length() - 1 ? null
                : new InstanceRef(pk.substring(CatalogItems.localPartition("").length()), rest.substring(0, split), rest.substring(split + 1));
    }

    /** The node a local node item's keys name (as found in a stream record), or null for any other item. */
    public static String localNodeOf(String pk, String sk) {
        if (pk == null || sk == null || !pk.startsWith(CatalogItems.localPartition("")) || !sk.startsWith(CatalogItems.NODE_PREFIX)
                || sk.contains(CatalogItems.POINTER_INFIX)) {
            return null;
        }
        return sk.substring(CatalogItems.NODE_PREFIX.length());
    }
}
