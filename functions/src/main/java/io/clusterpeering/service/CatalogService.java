package io.clusterpeering.service;

import io.clusterpeering.domain.HealthCheck;
import io.clusterpeering.domain.HealthStatus;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.PeeringRules;
import io.clusterpeering.domain.ServiceInstance;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.store.CatalogStore;
import io.clusterpeering.store.ImportedDataStore;
import io.clusterpeering.store.PeeringStore;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Consul's catalog and health reads and writes: register and deregister nodes, services and checks in the
 * local catalog; list services and instances, locally or, with {@code ?peer=}, as imported from a peer.
 */
@Singleton
public class CatalogService {
    private final CatalogStore catalog;
    private final ImportedDataStore imported;
    private final PeeringStore peerings;
    private final PeeringConfiguration config;

    public CatalogService(CatalogStore catalog, ImportedDataStore imported, PeeringStore peerings,
                          PeeringConfiguration config) {
        this.catalog = catalog;
        this.imported = imported;
        this.peerings = peerings;
        this.config = config;
    }

    /**
     * Registers a node, and optionally a service instance and checks on it ({@code PUT /v1/catalog/register}).
     *
     * @throws InvalidRequest naming the field when Node, Address, the service name, a port or a check status is
     *                        missing or malformed; nothing is written then
     */
    public void register(String partition, CatalogRegistration registration) {
        String node = requireName(require(registration.node(), "Must provide node"), "Node");
        String address = require(registration.address(), "Must provide address");
        PeeringRules.requireValidMeta(registration.nodeMeta());
        CatalogRegistration.Service service = registration.service();
        String serviceId = null;
        if (service != null) {
            String name = requireName(require(service.service(), "Must provide service name (Service.Service)"),
                    "Service.Service");
            if (service.tags() != null && service.tags().contains(null)) {
                throw new InvalidRequest("Service.Tags: a tag cannot be null");
            }
            serviceId = requireName(service.id() == null || service.id().isEmpty() ? name : service.id(), "Service.ID");
            int port = service.port() == null ? 0 : service.port();
            if (port < 0 || port > 65535) {
                throw new InvalidRequest("Service.Port: " + port + " is not a port (0-65535)");
            }
            PeeringRules.requireValidMeta(service.meta());
        }
        List<CatalogRegistration.Check> checks = new ArrayList<>();
        if (registration.check() != null) {
            checks.add(registration.check());
        }
        if (registration.checks() != null) {
            checks.addAll(registration.checks());
        }
        List<HealthCheck> validated = new ArrayList<>();
        for (int i = 0; i < checks.size(); i++) {
            CatalogRegistration.Check check = checks.get(i);
            if (check == null) {
                throw new InvalidRequest("Checks[" + i + "] must be an object");
            }
            String id = check.checkId() == null || check.checkId().isEmpty() ? check.name() : check.checkId();
            if (id == null || id.isEmpty()) {
                throw new InvalidRequest("Checks[" + i + "]: CheckID or Name is required");
            }
            String checkServiceId = check.serviceId() == null ? "" : check.serviceId();
            String serviceName = service != null && checkServiceId.equals(serviceId) ? service.service() : "";
            validated.add(new HealthCheck(node, id, check.name() == null ? id : check.name(),
                    HealthStatus.require(check.status(), "Checks[" + i + "].Status"), check.notes(), check.output(),
                    checkServiceId, serviceName, check.type()));
        }
        catalog.upsertNode(partition, node, registration.id() == null ? "" : registration.id(), address,
                registration.datacenter() == null || registration.datacenter().isEmpty() ? config.getDatacenter()
                        : registration.datacenter(),
                PeeringRules.metaWithoutNulls(registration.nodeMeta()), registration.taggedAddresses());
        if (service != null) {
            catalog.upsertInstance(partition, node, serviceId, service.service(), service.tags(),
                    service.address() == null ? "" : service.address(), service.port() == null ? 0 : service.port(),
                    PeeringRules.metaWithoutNulls(service.meta()));
        }
        for (HealthCheck check : validated) {
            catalog.upsertCheck(partition, check);
        }
    }

    /**
     * Deregisters a service instance, a check, or a whole node ({@code PUT /v1/catalog/deregister}).
     *
     * @throws InvalidRequest when Node is missing
     */
    public void deregister(String partition, CatalogRegistration.Deregistration request) {
        String node = require(request.node(), "Must provide node");
        if (request.serviceId() != null && !request.serviceId().isEmpty()) {
            catalog.removeInstance(partition, node, request.serviceId());
        } else if (request.checkId() != null && !request.checkId().isEmpty()) {
            catalog.removeCheck(partition, node, request.checkId());
        } else {
            catalog.removeNode(partition, node);
        }
    }

    /**
     * Service names and their tags ({@code GET /v1/catalog/services}), local or imported from a peer.
     *
     * @param peer the local name of a peer, or empty for the local catalog; an unknown peer has nothing
     */
    public Map<String, List<String>> services(String partition, Optional<String> peer) {
        Map<String, TreeSet<String>> tags = new TreeMap<>();
        for (ServiceInstance instance : instances(partition, null, peer)) {
            tags.computeIfAbsent(instance.service(), s -> new TreeSet<>()).addAll(instance.tags());
        }
        Map<String, List<String>> result = new TreeMap<>();
        tags.forEach((name, set) -> result.put(name, List.copyOf(set)));
        return result;
    }

    /**
     * The instances of a service ({@code GET /v1/catalog/service/:name}, {@code /v1/health/service/:name}),
     * local or imported from a peer; all services when {@code service} is null. An unknown peer has nothing,
     * as in Consul, and so has a peering that is no longer connected (its imports are being purged).
     */
    public List<ServiceInstance> instances(String partition, String service, Optional<String> peer) {
        if (peer.isEmpty() || peer.get().isEmpty()) {
            return catalog.localInstances(partition, service);
        }
        PeeringKey key = new PeeringKey(partition, peer.get());
        if (!PeeringRules.isValidPeerName(key.name())
                || peerings.find(key).filter(p -> p.state().isConnected()).isEmpty()) {
            return List.of();
        }
        return catalog.importedInstances(key, service, imported.manifest(key).instanceKeys());
    }

    /** Names become parts of sort keys joined by '#': a '#' inside one is refused. */
    private static String requireName(String value, String field) {
        if (value.indexOf('#') >= 0) {
            throw new InvalidRequest(field + ": \"" + value + "\" must not contain '#'");
        }
        return value;
    }

    private static String require(String value, String message) {
        if (value == null || value.isEmpty()) {
            throw new InvalidRequest(message);
        }
        return value;
    }
}
