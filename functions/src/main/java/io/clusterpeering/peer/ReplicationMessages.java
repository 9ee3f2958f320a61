package io.clusterpeering.peer;

import io.clusterpeering.domain.HealthCheck;
import io.clusterpeering.domain.ServiceInstance;
import io.clusterpeering.domain.VersionedInstance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The bodies of the replication messages an exporter sends a peer (Consul streams the same resources over its
 * peer stream: the exported service list, each service's instances with one folded check, the trust bundle and
 * the acceptor's server addresses). Replication is per service, and every message stays small:
 * <ul>
 *   <li>{@link ServiceList} ({@link PeerMessage.Kind#EXPORTED_SERVICES}): the names of the services exported to
 *       the peer, each with its digest and instance count, plus the trust bundle and server addresses. Sent at
 *       every resync; the importer answers with the services whose digest differs from its own;</li>
 *   <li>{@link ServiceUpdate} ({@link PeerMessage.Kind#SERVICE_UPDATE}): changed or deleted instances of one
 *       service, each with the exporter's version of it. Sent for each change of the local catalog;</li>
 *   <li>{@link ServiceChunk} ({@link PeerMessage.Kind#SERVICE_SNAPSHOT}): one range of a service's instances, in key
 *       order, as of a service version. Sent for the services a resync found different.</li>
 * </ul>
 */
public final class ReplicationMessages {
    /** The body key of when the exporter began reading its exports for a message (epoch ms). */
    static final String VIEWED_AT = "ViewedAt";
    /**
     * The body key of when the exporter's stream handler received the change an update carries, or read the
     * catalog a chunk comes from (epoch ms): the start of the replication lag the importer measures.
     */
    static final String CHANGED_AT = "ChangedAt";

    private ReplicationMessages() {
    }

    /** A replication message's body, decoded: a {@link ServiceList}, a {@link ServiceUpdate} or a {@link ServiceChunk}. */
    public sealed interface ReplicationBody permits ServiceList, ServiceUpdate, ServiceChunk {
        /** The body as a JSON-shaped claim value, as signed. */
        Map<String, Object> toClaim();
    }

    /**
     * What a replication message is about, to name it when the peer refuses it.
     *
     * @param what    {@code service list}, {@code update} or {@code chunk}
     * @param service the service it carries; empty for the service list
     * @param version the highest version it carries (the exporter's Consul index); 0 for the service list
     */
    public record Subject(String what, String service, long version) {
        /** The subject of a body. */
        public static Subject of(ReplicationBody body) {
            return switch (body) {
                case ServiceList list -> new Subject("service list", "", 0);
                case ServiceUpdate update -> new Subject("update", update.service(), update.instances().stream()
                        .mapToLong(io.clusterpeering.domain.VersionedInstance::version).max().orElse(0));
                case ServiceChunk chunk -> new Subject("chunk", chunk.service(), chunk.version());
            };
        }
    }

    /**
     * Decodes the body of a verified replication message into its record, before any use case sees it.
     *
     * @param kind     {@link PeerMessage.Kind#EXPORTED_SERVICES}, {@link PeerMessage.Kind#SERVICE_UPDATE} or
     *                 {@link PeerMessage.Kind#SERVICE_SNAPSHOT}
     * @param claim    the message's body
     * @param peerName the local name of the exporter (imported instances carry it as PeerName)
     * @throws IllegalArgumentException when the body is missing or malformed, or the kind carries no body
     */
    public static ReplicationBody decode(PeerMessage.Kind kind, Map<String, Object> claim, String peerName) {
        if (claim == null) {
            throw new IllegalArgumentException("the message carries no replication body");
        }
        return switch (kind) {
            case EXPORTED_SERVICES -> ServiceList.fromClaim(claim);
            case SERVICE_UPDATE -> ServiceUpdate.fromClaim(claim, peerName);
            case SERVICE_SNAPSHOT -> ServiceChunk.fromClaim(claim, peerName);
            case HEARTBEAT, TERMINATE, SYNC_STATUS -> throw new IllegalArgumentException(kind + " carries no replication body");
        };
    }

    /**
     * One exported service in a {@link ServiceList}.
     *
     * @param name      the service name
     * @param digest    its {@link io.clusterpeering.domain.ServiceDigest} text
     * @param instances its instance count
     * @param version   its version (the service's Consul index on the exporter)
     */
    public record ListedService(String name, String digest, long instances, long version) {
    }

    /**
     * The services exported to the peer, and what else the peer keeps of us.
     *
     * @param services        the exported services, sorted by name
     * @param roots           the exporter's CA roots, PEM
     * @param trustDomain     the exporter's trust domain
     * @param serverAddresses the exporter's {@code host:port} addresses (a dialer updates PeerServerAddresses)
     * @param viewedAt        when the exporter began reading what the list was made from (its exported-services
     *                        entry and service list), epoch milliseconds, so the peer can refuse a list made from
     *                        an older view than one it took (a heartbeat's view may be a moment old, and lists of
     *                        concurrent resyncs can arrive out of order)
     */
    public record ServiceList(List<ListedService> services, List<String> roots, String trustDomain,
                              List<String> serverAddresses, long viewedAt) implements ReplicationBody {
        @Override
        public Map<String, Object> toClaim() {
            Map<String, Object> claim = new LinkedHashMap<>();
            List<Object> list = new ArrayList<>();
            for (ListedService s : services) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("Name", s.name());
                m.put("Digest", s.digest());
                m.put("Instances", s.instances());
                m.put("Version", s.version());
                list.add(m);
            }
            claim.put("Services", list);
            claim.put("Roots", roots);
            claim.put("TrustDomain", trustDomain);
            claim.put("ServerAddresses", serverAddresses);
            claim.put(VIEWED_AT, viewedAt);
            return claim;
        }

        /** @throws IllegalArgumentException when a field has the wrong shape */
        @SuppressWarnings("unchecked")
        public static ServiceList fromClaim(Map<String, Object> claim) {
            try {
                List<ListedService> services = new ArrayList<>();
                for (Object o : (List<Object>) claim.getOrDefault("Services", List.of())) {
                    Map<String, Object> m = (Map<String, Object>) o;
                    services.add(new ListedService(requireName(m.get("Name"), "Services[].Name"), text(m.get("Digest")),
                            number(m.get("Instances")), number(m.get("Version"))));
                }
                List<String> roots = strings(claim.get("Roots"));
                if (!roots.isEmpty()) {
                    // refused whole before anything is stored: the roots become the peer's trust bundle
                    io.clusterpeering.token.Pem.decode(roots);
                }
                return new ServiceList(services, roots, text(claim.get("TrustDomain")),
                        strings(claim.get("ServerAddresses")), number(claim.get(VIEWED_AT)));
            } catch (ClassCastException | NullPointerException e) {
                throw new IllegalArgumentException("the exported service list is malformed", e);
            }
        }
    }

    /**
     * Changed or deleted instances of one service.
     *
     * @param service   the service name
     * @param instances the instances, each with its version; a deletion has no instance
     * @param viewedAt  when the exporter began reading the exports it sent this under (epoch ms), if known: an
     *                  exported-services list viewed before it must not hide the service again
     * @param changedAt when the exporter's stream handler received the change (epoch ms), if known: the start of the
     *                  replication lag
     */
    public record ServiceUpdate(String service, List<VersionedInstance> instances, OptionalLong viewedAt,
                                OptionalLong changedAt) implements ReplicationBody {
        /** An update carrying neither time (tests and replays). */
        public ServiceUpdate(String service, List<VersionedInstance> instances) {
            this(service, instances, OptionalLong.empty(), OptionalLong.empty());
        }

        /** The same update, stamped with the exporter's view and change times (epoch ms). */
        public ServiceUpdate stamped(long viewedAt, long changedAt) {
            return new ServiceUpdate(service, instances, OptionalLong.of(viewedAt), OptionalLong.of(changedAt));
        }

        @Override
        public Map<String, Object> toClaim() {
            Map<String, Object> claim = new LinkedHashMap<>();
            claim.put("Service", service);
            claim.put("Instances", instances.stream().map(ReplicationMessages::toWire).toList());
            viewedAt.ifPresent(at -> claim.put(VIEWED_AT, at));
            changedAt.ifPresent(at -> claim.put(CHANGED_AT, at));
            return claim;
        }

        /**
         * Reads an update; imported instances get {@code peerName}, the local name of the exporter.
         *
         * @throws IllegalArgumentException when a field has the wrong shape or an instance names another service
         */
        public static ServiceUpdate fromClaim(Map<String, Object> claim, String peerName) {
            String service = requireName(claim.get("Service"), "Service");
            return new ServiceUpdate(service, readInstances(claim, service, peerName), optionalTime(claim, VIEWED_AT),
                    optionalTime(claim, CHANGED_AT));
        }
    }

    /**
     * One range of a service's instances, as of a version of the service.
     *
     * @param service   the service name
     * @param version   the exporter's service version when it read the range
     * @param after     the exclusive lower bound ({@code <node>#<service id>}), empty for the first chunk
     * @param through   the inclusive upper bound, or null for the last chunk (to the end of the service)
     * @param instances the instances in the range, in key order, each with its version
     * @param changedAt when the exporter read its catalog for the chunk (epoch ms), if known: the start of the
     *                  replication lag
     */
    public record ServiceChunk(String service, long version, String after, String through,
                               List<VersionedInstance> instances, OptionalLong changedAt) implements ReplicationBody {
        @Override
        public Map<String, Object> toClaim() {
            Map<String, Object> claim = new LinkedHashMap<>();
            claim.put("Service", service);
            claim.put("Version", version);
            claim.put("After", after);
            if (through != null) {
                claim.put("Through", through);
            }
            claim.put("Instances", instances.stream().map(ReplicationMessages::toWire).toList());
            changedAt.ifPresent(at -> claim.put(CHANGED_AT, at));
            return claim;
        }

        /**
         * Reads a chunk; imported instances get {@code peerName}.
         *
         * @throws IllegalArgumentException when a field has the wrong shape or an instance names another service
         */
        public static ServiceChunk fromClaim(Map<String, Object> claim, String peerName) {
            String service = requireName(claim.get("Service"), "Service");
            Object through = claim.get("Through");
            return new ServiceChunk(service, number(claim.get("Version")), text(claim.get("After")),
                    through == null ? null : text(through), readInstances(claim, service, peerName),
                    optionalTime(claim, CHANGED_AT));
        }
    }

    /** An optional epoch-millisecond field: empty when absent. @throws IllegalArgumentException when not a number */
    private static OptionalLong optionalTime(Map<String, Object> claim, String key) {
        Object value = claim.get(key);
        if (value == null) {
            return OptionalLong.empty();
        }
        if (value instanceof Number number) {
            return OptionalLong.of(number.longValue());
        }
        throw new IllegalArgumentException(key + " is not a number");
    }

    /** One instance (or deletion) on the wire. */
    public static Map<String, Object> toWire(VersionedInstance versioned) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (versioned.deleted()) {
            m.put("Node", versioned.node());
            m.put("ServiceID", versioned.serviceId());
            m.put("Deleted", true);
            m.put("Version", versioned.version());
            return m;
        }
        ServiceInstance i = versioned.instance();
        m.put("Node", i.node());
        m.put("NodeID", i.nodeId());
        m.put("Address", i.address());
        m.put("Datacenter", i.datacenter());
        m.put("NodeMeta", i.nodeMeta());
        m.put("TaggedAddresses", i.taggedAddresses());
        m.put("ServiceID", i.serviceId());
        m.put("Service", i.service());
        m.put("Tags", i.tags());
        m.put("ServiceAddress", i.serviceAddress());
        m.put("Port", i.port());
        m.put("ServiceMeta", i.serviceMeta());
        List<Object> checks = new ArrayList<>();
        for (HealthCheck c : i.checks()) {
            checks.add(Map.of("CheckID", c.checkId(), "Name", c.name(), "Status", c.status(), "Output", c.output()));
        }
        m.put("Checks", checks);
        m.put("Version", versioned.version());
        return m;
    }

    @SuppressWarnings("unchecked")
    private static List<VersionedInstance> readInstances(Map<String, Object> claim, String service, String peerName) {
        try {
            List<VersionedInstance> result = new ArrayList<>();
            for (Object o : (List<Object>) claim.getOrDefault("Instances", List.of())) {
                Map<String, Object> m = (Map<String, Object>) o;
                String node = requireName(m.get("Node"), "Instances[].Node");
                String serviceId = requireName(m.get("ServiceID"), "Instances[].ServiceID");
                long version = number(m.get("Version"));
                if (version < 1) {
                    throw new IllegalArgumentException("Instances[].Version must be 1 or more");
                }
                if (Boolean.TRUE.equals(m.get("Deleted"))) {
                    result.add(new VersionedInstance(node, serviceId, null, version));
                    continue;
                }
                if (!service.equals(text(m.get("Service")))) {
                    throw new IllegalArgumentException("Instances[].Service must be " + service);
                }
                List<HealthCheck> checks = new ArrayList<>();
                for (Object c : (List<Object>) m.getOrDefault("Checks", List.of())) {
                    Map<String, Object> cm = (Map<String, Object>) c;
                    checks.add(new HealthCheck(node, text(cm.get("CheckID")), text(cm.get("Name")),
                            text(cm.get("Status")), "", text(cm.get("Output")), serviceId, service, ""));
                }
                result.add(new VersionedInstance(node, serviceId, new ServiceInstance(node, text(m.get("NodeID")),
                        text(m.get("Address")), text(m.get("Datacenter")), (Map<String, String>) m.get("NodeMeta"),
                        (Map<String, String>) m.get("TaggedAddresses"), serviceId, service,
                        (List<String>) m.get("Tags"), text(m.get("ServiceAddress")),
                        (m.get("Port") instanceof Number port ? port.intValue() : 0),
                        (Map<String, String>) m.get("ServiceMeta"), checks, peerName, 0, 0), version));
            }
            return result;
        } catch (ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException("the replicated instances are malformed", e);
        }
    }

    /** A name that goes into sort keys joined by '#': present, and without '#'. */
    private static String requireName(Object value, String field) {
        String text = text(value);
        if (text.isEmpty() || text.indexOf('#') >= 0) {
            throw new IllegalArgumentException(field + " must be a non-empty name without '#'");
        }
        return text;
    }

    private static long number(Object value) {
        if (value instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalArgumentException("a number was expected");
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object value) {
        return value == null ? List.of() : (List<String>) value;
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }
}
