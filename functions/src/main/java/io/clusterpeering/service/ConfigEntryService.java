package io.clusterpeering.service;

import io.clusterpeering.domain.ConfigEntryRules;
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

    public ConfigEntryService(ConfigEntryStore store) {
        this.store = store;
    }

    /**
     * Writes an entry ({@code PUT /v1/config}); the body carries Kind and Name.
     *
     * @throws InvalidRequest with Consul's message when the kind is unsupported or a rule is broken
     */
    public void put(String partition, Map<String, Object> entry) {
        String kind = ConfigEntryRules.requireSupportedKind(text(field(entry, "Kind")));
        ConfigEntryRules.validate(entry, partition);
        store.put(partition, kind, text(field(entry, "Name")), entry);
    }

    /**
     * Reads one entry ({@code GET /v1/config/:kind/:name}) with its CreateIndex and ModifyIndex.
     *
     * @throws PeeringException.ConfigEntryNotFound when there is none (404)
     */
    public Map<String, Object> get(String partition, String kind, String name) {
        ConfigEntryRules.requireSupportedKind(kind);
        return store.get(partition, kind, name).orElseThrow(() -> new PeeringException.ConfigEntryNotFound(kind, name));
    }

    /** Every entry of a kind ({@code GET /v1/config/:kind}), ordered by name. */
    public List<Map<String, Object>> list(String partition, String kind) {
        return store.list(partition, ConfigEntryRules.requireSupportedKind(kind));
    }

    /** Deletes an entry ({@code DELETE /v1/config/:kind/:name}); nothing when there is none. */
    public void delete(String partition, String kind, String name) {
        store.delete(partition, ConfigEntryRules.requireSupportedKind(kind), name);
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
