package io.clusterpeering.service;

import io.clusterpeering.acl.AccessLevel;
import io.clusterpeering.acl.Caller;
import io.clusterpeering.acl.Filtered;
import io.clusterpeering.acl.Permission;
import io.clusterpeering.acl.Resource;
import io.clusterpeering.domain.ConfigEntryRules;
import io.clusterpeering.domain.PeeringException.PermissionDenied;
import io.clusterpeering.domain.PeeringException;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.store.ConfigEntryStore;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Map;

/**
 * Consul's config entries for the three kinds peering uses ({@code exported-services},
 * {@code service-intentions}, {@code service-resolver}): each validated as Consul validates it, then stored.
 */
@Singleton
public class ConfigEntryService {
    private final ConfigEntryStore store;
    private final AuditRecorder audit;

    public ConfigEntryService(ConfigEntryStore store, AuditRecorder audit) {
        this.store = store;
        this.audit = audit;
    }

    /**
     * Writes an entry ({@code PUT /v1/config}); the body carries Kind and Name. As in Consul, the entry is
     * validated first and the caller's permission checked after: exported-services needs {@code mesh:write},
     * service-intentions {@code intention:write} on its Name, service-resolver {@code service:write} on its Name
     * and {@code service:read} on every service it sends traffic to.
     *
     * @throws InvalidRequest   with Consul's message when the kind is unsupported or a rule is broken
     * @throws PermissionDenied when the caller lacks the permission
     */
    public void put(String partition, Map<String, Object> entry, Caller caller) {
        put(partition, entry, caller, java.util.OptionalLong.empty());
    }

    /**
     * As {@link #put(String, Map, Caller)}; with {@code cas}, Consul's check-and-set ({@code ?cas=}): written
     * only if the entry's ModifyIndex is {@code cas}, or, for 0, only if there is none.
     *
     * @return whether it was written ({@code false} only when {@code cas} did not match)
     */
    public boolean put(String partition, Map<String, Object> entry, Caller caller, java.util.OptionalLong cas) {
        String kind = ConfigEntryRules.requireSupportedKind(text(field(entry, "Kind")));
        ConfigEntryRules.validate(entry, partition);
        String name = text(field(entry, "Name"));
        caller.require(writePermission(kind, name));
        for (String related : ConfigEntryRules.relatedServices(entry)) {
            caller.require(Resource.SERVICE, related, AccessLevel.READ);
        }
        if (cas.isPresent()) {
            if (!store.putIfModifyIndex(partition, kind, name, entry, cas.getAsLong())) {
                return false;
            }
        } else {
            store.put(partition, kind, name, entry);
        }
        recordChange(partition, kind, name, entry, io.clusterpeering.domain.AuditEvent.Kind.CONFIG_ENTRY_WRITTEN, caller);
        return true;
    }

    /**
     * Reads one entry ({@code GET /v1/config/:kind/:name}) with its CreateIndex and ModifyIndex.
     *
     * @throws PermissionDenied when the caller lacks the kind's read permission on it
     * @throws PeeringException.ConfigEntryNotFound when there is none (404)
     */
    public Map<String, Object> get(String partition, String kind, String name, Caller caller) {
        ConfigEntryRules.requireSupportedKind(kind);
        caller.require(readPermission(kind, name));
        return store.get(partition, kind, name).orElseThrow(() -> new PeeringException.ConfigEntryNotFound(kind, name));
    }

    /** Every entry of a kind ({@code GET /v1/config/:kind}) the caller may read, ordered by name. */
    public Filtered<List<Map<String, Object>>> list(String partition, String kind, Caller caller) {
        List<Map<String, Object>> all = store.list(partition, ConfigEntryRules.requireSupportedKind(kind));
        List<Map<String, Object>> visible = all.stream()
                .filter(entry -> caller.can(readPermission(kind, text(field(entry, "Name"))))).toList();
        return new Filtered<>(visible, visible.size() < all.size());
    }

    /**
     * Deletes an entry ({@code DELETE /v1/config/:kind/:name}); nothing when there is none.
     *
     * @throws PermissionDenied when the caller lacks the kind's write permission on it
     */
    public void delete(String partition, String kind, String name, Caller caller) {
        delete(partition, kind, name, caller, java.util.OptionalLong.empty());
    }

    /**
     * As {@link #delete(String, String, String, Caller)}; with {@code cas}, Consul's check-and-set delete: only
     * an entry whose ModifyIndex is {@code cas} is deleted.
     *
     * @return whether it was deleted ({@code false} only when {@code cas} did not match, or there was no entry)
     */
    public boolean delete(String partition, String kind, String name, Caller caller, java.util.OptionalLong cas) {
        ConfigEntryRules.requireSupportedKind(kind);
        caller.require(writePermission(kind, name));
        java.util.Optional<Map<String, Object>> existing = store.get(partition, kind, name);
        if (cas.isPresent()) {
            if (!store.deleteIfModifyIndex(partition, kind, name, cas.getAsLong())) {
                return false;
            }
        } else {
            store.delete(partition, kind, name);
        }
        existing.ifPresent(entry -> recordChange(partition, kind, name, entry,
                io.clusterpeering.domain.AuditEvent.Kind.CONFIG_ENTRY_DELETED, caller));
        return true;
    }

    /**
     * Records a written or deleted entry in the audit trail of every peer it names ({@code Peer} anywhere in it: an
     * exported-services consumer, an intention source, a resolver's failover or redirect target), or as a
     * cluster-wide event when it names none.
     */
    private void recordChange(String partition, String kind, String name, Map<String, Object> entry,
                              io.clusterpeering.domain.AuditEvent.Kind event, Caller caller) {
        String actor = AuditRecorder.actorOf(caller);
        String detail = kind + "/" + name + (event == io.clusterpeering.domain.AuditEvent.Kind.CONFIG_ENTRY_DELETED
                ? " deleted" : " written");
        String change = java.util.UUID.randomUUID().toString();
        java.util.Set<String> peers = new java.util.TreeSet<>();
        collectPeers(entry, peers);
        if (peers.isEmpty()) {
            audit.recordClusterWide(change, actor, event, io.clusterpeering.domain.AuditEvent.SUCCESS, detail);
        }
        for (String peer : peers) {
            audit.record(change, actor, new io.clusterpeering.domain.PeeringKey(partition, peer), null, event,
                    io.clusterpeering.domain.AuditEvent.SUCCESS, detail + " (it names this peer)", null);
        }
    }

    private static void collectPeers(Object node, java.util.Set<String> peers) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> {
                if ("Peer".equals(key) && value instanceof String peer && !peer.isEmpty()) {
                    peers.add(peer.toLowerCase(java.util.Locale.ROOT));
                } else {
                    collectPeers(value, peers);
                }
            });
        } else if (node instanceof List<?> list) {
            list.forEach(item -> collectPeers(item, peers));
        }
    }

    /** What writing an entry of a kind needs (Consul's {@code CanWrite}, without the related services). */
    private static Permission writePermission(String kind, String name) {
        return switch (kind) {
            case ConfigEntryRules.EXPORTED_SERVICES -> new Permission(Resource.MESH, null, AccessLevel.WRITE);
            case ConfigEntryRules.SERVICE_INTENTIONS -> new Permission(Resource.INTENTION, name, AccessLevel.WRITE);
            default -> new Permission(Resource.SERVICE, name, AccessLevel.WRITE);
        };
    }

    /** What reading an entry of a kind needs (Consul's {@code CanRead}). */
    private static Permission readPermission(String kind, String name) {
        return switch (kind) {
            case ConfigEntryRules.EXPORTED_SERVICES -> new Permission(Resource.MESH, null, AccessLevel.READ);
            case ConfigEntryRules.SERVICE_INTENTIONS -> new Permission(Resource.INTENTION, name, AccessLevel.READ);
            default -> new Permission(Resource.SERVICE, name, AccessLevel.READ);
        };
    }

    /** The exported-services entry of a partition (its name is the partition), if written. */
    public java.util.Optional<Map<String, Object>> exportedServices(String partition) {
        return store.get(partition, ConfigEntryRules.EXPORTED_SERVICES, partition);
    }

    static Object field(Map<String, Object> entry, String name) {
        for (Map.Entry<String, Object> e : entry.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
