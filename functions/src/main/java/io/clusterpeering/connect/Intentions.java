package io.clusterpeering.connect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The intentions of a partition, flattened from its {@code service-intentions} entries and kept in Consul's
 * evaluation order ({@code structs.IntentionPrecedenceSorter}): highest precedence first, ties broken by the
 * source's peer, partition, namespace and name, then the destination's partition, namespace and name. The first intention that covers
 * a (source, destination) pair decides it, as Consul's agent and Envoy's RBAC filters do.
 *
 * <p>Sources are matched by their peer first: a caller that arrives through a peering (its certificate's trust
 * domain is that peer's) is only ever matched by sources naming that peering, and a local caller only by sources
 * without a peer, so a local {@code *} never admits a peer's service, and a peer's {@code web} is never a local
 * {@code web}.
 */
public final class Intentions {
    private static final Comparator<Intention> EVALUATION_ORDER = Comparator
            .comparingInt((Intention i) -> -i.precedence())
            .thenComparing(Intention::sourcePeer)
            .thenComparing(Intention::sourcePartition)
            .thenComparing(Intention::sourceNamespace)
            .thenComparing(Intention::sourceName)
            .thenComparing(Intention::destinationPartition)
            .thenComparing(Intention::destinationNamespace)
            .thenComparing(Intention::destinationName);

    private final List<Intention> ordered;

    private Intentions(List<Intention> ordered) {
        this.ordered = ordered;
    }

    /**
     * The intentions of stored {@code service-intentions} entries (each as {@code GET /v1/config} answers it,
     * already validated when written).
     *
     * @param partition the partition the entries belong to
     */
    public static Intentions of(List<Map<String, Object>> entries, String partition) {
        List<Intention> all = new ArrayList<>();
        for (Map<String, Object> entry : entries) {
            String destination = text(entry.get("Name"));
            String destinationNamespace = orDefault(text(entry.get("Namespace")));
            long createIndex = number(entry.get("CreateIndex"));
            long modifyIndex = number(entry.get("ModifyIndex"));
            if (!(entry.get("Sources") instanceof List<?> sources)) {
                continue;
            }
            for (Object element : sources) {
                if (!(element instanceof Map<?, ?> source)) {
                    continue;
                }
                String name = text(source.get("Name"));
                String peer = text(source.get("Peer"));
                String sourcePartition = peer.isEmpty() ? orValue(text(source.get("Partition")), partition) : "";
                all.add(new Intention(destination, destinationNamespace, partition, name,
                        orDefault(text(source.get("Namespace"))), sourcePartition, peer,
                        text(source.get("Action")).toLowerCase(Locale.ROOT), permissions(source.get("Permissions")),
                        text(source.get("Description")), Intention.precedenceOf(destination, name), createIndex,
                        modifyIndex));
            }
        }
        all.sort(EVALUATION_ORDER);
        return new Intentions(List.copyOf(all));
    }

    /** Every intention in evaluation order. */
    public List<Intention> all() {
        return ordered;
    }

    /** The intentions whose destination covers {@code service}, in evaluation order (Consul's match by destination). */
    public List<Intention> byDestination(String service) {
        return ordered.stream().filter(i -> i.matchesDestination(service)).toList();
    }

    /**
     * The intentions whose source covers {@code service} from {@code peer} (empty: a local service), in
     * evaluation order (Consul's match by source).
     */
    public List<Intention> bySource(String peer, String service) {
        return ordered.stream().filter(i -> i.matchesSource(peer, service)).toList();
    }

    /** The first intention that decides a connection from a source to a destination, if any does. */
    public Optional<Intention> deciding(String sourcePeer, String sourceService, String destination) {
        return ordered.stream()
                .filter(i -> i.matchesDestination(destination) && i.matchesSource(sourcePeer, sourceService))
                .findFirst();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> permissions(Object value) {
        if (!(value instanceof List<?> list)) {
            return List.of();
        }
        return list.stream().filter(Map.class::isInstance).map(p -> (Map<String, Object>) p).toList();
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }

    private static String orDefault(String namespace) {
        return orValue(namespace, "default");
    }

    private static String orValue(String value, String fallback) {
        return value.isEmpty() ? fallback : value;
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }
}
