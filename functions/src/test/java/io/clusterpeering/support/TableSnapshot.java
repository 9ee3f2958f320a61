package io.clusterpeering.support;

import io.clusterpeering.local.LocalCluster;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every item of a cluster's table, by {@code pk|sk} (a strongly consistent Scan, read with a client of its own so
 * that injected faults never touch it), and the invariants that no write, failed or not, may break:
 * <ul>
 *   <li>every peering row has its ID pointer, and every ID pointer its row (written and removed together);</li>
 *   <li>an acceptor row whose secret was consumed is connected (ACTIVE, or TERMINATED by its peer with the secret
 *       dropped) and names its dialer: no consumed secret without a peering;</li>
 *   <li>imported data lives only under a peering row of that name;</li>
 *   <li>a service head's instance count equals its live instance items (local catalog, and imported from a
 *       peering not being purged: a purge deletes in batches, heads and instances apart).</li>
 * </ul>
 * {@link #withoutBookkeeping()} leaves out what a request may write before it fails without harm: Consul index
 * counters, the partitions list, the cluster identity (made on first use), heartbeat chains and liveness times,
 * and the audit trail (which records failures by design).
 */
public record TableSnapshot(Map<String, Map<String, AttributeValue>> items) {

    /** Scans the cluster's whole table. */
    public static TableSnapshot of(LocalCluster cluster) {
        DynamoDbClient dynamoDb = cluster.context().getBean(DynamoDbClient.class);
        String table = cluster.context().getProperty("peering.dynamodb.table-name", String.class).orElseThrow();
        FaultInjector injector = cluster.context().findBean(FaultInjector.class).orElse(null);
        Map<String, Map<String, AttributeValue>> items = new TreeMap<>();
        Runnable scan = () -> dynamoDb.scanPaginator(r -> r.tableName(table).consistentRead(true)).items()
                .forEach(item -> items.put(item.get("pk").s() + "|" + item.get("sk").s(), item));
        if (injector == null) {
            scan.run();
        } else {
            injector.bypass(scan);
        }
        return new TableSnapshot(items);
    }

    /**
     * The items but the bookkeeping ones (index counters, partitions list, audit trail, heartbeat chains), and
     * peering rows without their liveness attributes (which the peer's messages move at any time).
     */
    public Map<String, Map<String, AttributeValue>> withoutBookkeeping() {
        Map<String, Map<String, AttributeValue>> kept = new TreeMap<>();
        items.forEach((key, item) -> {
            String pk = item.get("pk").s();
            String sk = item.get("sk").s();
            boolean counter = pk.equals("INDEX") || sk.equals("INDEX") || sk.equals("LIST#") || pk.equals("PARTITIONS")
                    || pk.equals("CLUSTER");
            if (!counter && !pk.startsWith("AUDIT#") && !pk.startsWith("HEARTBEAT#")) {
                Map<String, AttributeValue> copy = new TreeMap<>(item);
                if (pk.startsWith("PEERING#")) {
                    copy.keySet().removeAll(LIVENESS);
                }
                kept.put(key, copy);
            }
        });
        return kept;
    }

    private static final java.util.Set<String> LIVENESS = java.util.Set.of("lastHeartbeat", "lastReceive", "lastSend",
            "lastError", "lastErrorAt", "lastPeerMessageSeq", "exportListViewedAt", "heartbeatRtts", "failingSince", "importedServices",
            "exportedServices");

    /** What changed from one set of items to another: one line per item added, removed or changed. */
    public static List<String> diff(Map<String, Map<String, AttributeValue>> before,
                                    Map<String, Map<String, AttributeValue>> after) {
        List<String> changes = new ArrayList<>();
        before.forEach((key, item) -> {
            if (!after.containsKey(key)) {
                changes.add("removed " + key);
            } else if (!after.get(key).equals(item)) {
                Map<String, AttributeValue> now = after.get(key);
                List<String> attributes = new ArrayList<>();
                for (String name : new java.util.TreeSet<>(union(item.keySet(), now.keySet()))) {
                    if (!java.util.Objects.equals(item.get(name), now.get(name))) {
                        attributes.add(name);
                    }
                }
                changes.add("changed " + key + " " + attributes);
            }
        });
        after.keySet().stream().filter(key -> !before.containsKey(key)).forEach(key -> changes.add("added " + key));
        return changes;
    }

    private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return all;
    }

    /** The invariants this table breaks, as sentences; empty when it holds them all. */
    public List<String> brokenInvariants() {
        List<String> broken = new ArrayList<>();
        Map<String, Map<String, AttributeValue>> rowsById = new TreeMap<>();
        items.forEach((key, item) -> {
            String pk = item.get("pk").s();
            String sk = item.get("sk").s();
            if (pk.startsWith("PEERING#") && sk.startsWith("NAME#")) {
                String id = s(item, "id");
                rowsById.put(id, item);
                Map<String, AttributeValue> pointer = items.get("PEERING_ID#" + id + "|ID");
                if (pointer == null) {
                    broken.add("peering row " + key + " has no ID pointer " + id);
                } else if (!sk.equals("NAME#" + s(pointer, "name")) || !pk.equals("PEERING#" + s(pointer, "partition"))) {
                    broken.add("ID pointer " + id + " points to " + s(pointer, "partition") + "/" + s(pointer, "name")
                            + ", not to " + key);
                }
                if (item.containsKey("consumedSecretHash")
                        && (s(item, "peerId") == null || !"ACTIVE".equals(s(item, "state")))) {
                    broken.add("acceptor row " + key + " has a consumed secret but is " + s(item, "state")
                            + " with peer " + s(item, "peerId"));
                }
            }
        });
        items.forEach((key, item) -> {
            String pk = item.get("pk").s();
            if (pk.startsWith("PEERING_ID#")) {
                String id = pk.substring("PEERING_ID#".length());
                if (!rowsById.containsKey(id)) {
                    broken.add("ID pointer " + key + " has no peering row");
                }
            }
            if (pk.startsWith("IMPORTED#")) {
                String[] parts = pk.split("#", 3);
                if (!items.containsKey("PEERING#" + parts[1] + "|NAME#" + parts[2])) {
                    broken.add("imported item " + key + " has no peering " + parts[1] + "/" + parts[2]);
                }
            }
        });
        broken.addAll(headCountsDiffer());
        return broken;
    }

    private List<String> headCountsDiffer() {
        List<String> broken = new ArrayList<>();
        Map<String, Integer> live = new TreeMap<>();
        Map<String, Integer> counted = new TreeMap<>();
        items.forEach((key, item) -> {
            String pk = item.get("pk").s();
            String sk = item.get("sk").s();
            if (!(pk.startsWith("CATALOG#") || pk.startsWith("IMPORTED#")) || !sk.startsWith("SERVICE#")) {
                return;
            }
            if (pk.startsWith("IMPORTED#") && beingPurged(pk)) {
                return;
            }
            int end = sk.indexOf('#', "SERVICE#".length());
            String head = pk + "|" + sk.substring(0, end + 1);
            if (end == sk.length() - 1) {
                counted.put(head, item.containsKey("count") ? Integer.parseInt(item.get("count").n()) : 0);
            } else if (!item.containsKey("deleted")) {
                live.merge(head, 1, Integer::sum);
            }
        });
        counted.forEach((head, count) -> {
            if (count != live.getOrDefault(head, 0)) {
                broken.add("service head " + head + " counts " + count + " instances, the table holds "
                        + live.getOrDefault(head, 0));
            }
        });
        live.keySet().stream().filter(head -> !counted.containsKey(head))
                .forEach(head -> broken.add("instances under " + head + " but no service head"));
        return broken;
    }

    /** Whether the peering these imports came from is DELETING or TERMINATED: its purge deletes them in batches. */
    private boolean beingPurged(String importedPk) {
        String[] parts = importedPk.split("#", 3);
        Map<String, AttributeValue> row = items.get("PEERING#" + parts[1] + "|NAME#" + parts[2]);
        String state = row == null ? null : s(row, "state");
        return "DELETING".equals(state) || "TERMINATED".equals(state);
    }

    private static String s(Map<String, AttributeValue> item, String attribute) {
        AttributeValue value = item.get(attribute);
        return value == null ? null : value.s();
    }
}
