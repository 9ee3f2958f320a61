package io.clusterpeering.service;

import io.clusterpeering.acl.AccessLevel;
import io.clusterpeering.acl.Caller;
import io.clusterpeering.acl.Filtered;
import io.clusterpeering.acl.Resource;
import io.clusterpeering.domain.HealthCheck;
import io.clusterpeering.domain.HealthStatus;
import io.clusterpeering.domain.Indexed;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.domain.PeeringException.PermissionDenied;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.PeeringRules;
import io.clusterpeering.domain.ServiceInstance;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.store.CatalogReads;
import io.clusterpeering.store.CatalogStore;
import io.clusterpeering.store.IndexScope;
import io.clusterpeering.store.PeeringStore;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Consul's catalog and health reads and writes: register and deregister nodes, services and checks in the
 * local catalog; list services and instances, locally or, with {@code ?peer=}, as imported from a peer.
 */
@Singleton
public class CatalogService {
    /** Consul exempts its own service from {@code service:write} on registration. */
    private static final String CONSUL_SERVICE = "consul";
    private final CatalogStore catalog;
    private final CatalogReads reads;
    private final PeeringStore peerings;
    private final PeeringConfiguration config;

    public CatalogService(CatalogStore catalog, CatalogReads reads, PeeringStore peerings, PeeringConfiguration config) {
        this.catalog = catalog;
        this.reads = reads;
        this.peerings = peerings;
        this.config = config;
    }

    /**
     * Registers a node, and optionally a service instance and checks on it ({@code PUT /v1/catalog/register}).
     *
     * As Consul, the registration is validated first and authorized after: {@code node:write} on Node unless the
     * node exists and the registration leaves it unchanged, {@code service:write} on the service (Consul's own
     * {@code consul} service is exempt) and on the service of each service check, {@code node:write} for node
     * checks.
     *
     * @throws InvalidRequest   naming the field when Node, Address, the service name, a port or a check status is
     *                          missing or malformed; nothing is written then
     * @throws PermissionDenied when the caller lacks a permission; nothing is written then
     */
    public void register(String partition, CatalogRegistration registration, Caller caller) {
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
        String datacenter = registration.datacenter() == null || registration.datacenter().isEmpty()
                ? config.getDatacenter() : registration.datacenter();
        Map<String, String> nodeMeta = PeeringRules.metaWithoutNulls(registration.nodeMeta());
        // As Consul: validated first, then authorized, then written.
        if (!caller.can(Resource.NODE, node, AccessLevel.WRITE)
                && !nodeUnchanged(partition, node, registration, address, datacenter, nodeMeta)) {
            caller.require(Resource.NODE, node, AccessLevel.WRITE);
        }
        if (service != null && !CONSUL_SERVICE.equals(service.service())) {
            caller.require(Resource.SERVICE, service.service(), AccessLevel.WRITE);
        }
        for (HealthCheck check : validated) {
            String checkService = check.serviceName().isEmpty() && !check.serviceId().isEmpty()
                    ? catalog.serviceOf(partition, node, check.serviceId()).orElse("") : check.serviceName();
            if (checkService.isEmpty()) {
                caller.require(Resource.NODE, node, AccessLevel.WRITE);
            } else if (!CONSUL_SERVICE.equals(checkService)) {
                caller.require(Resource.SERVICE, checkService, AccessLevel.WRITE);
            }
        }
        CatalogStore.Instance instance = service == null ? null : new CatalogStore.Instance(serviceId, service.service(),
                service.tags(), service.address() == null ? "" : service.address(),
                service.port() == null ? 0 : service.port(), PeeringRules.metaWithoutNulls(service.meta()));
        try {
            catalog.register(partition, new CatalogStore.Registration(node,
                    registration.id() == null ? "" : registration.id(), address, datacenter, nodeMeta,
                    registration.taggedAddresses(), instance, validated));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest(e.getMessage());
        }
    }

    /**
     * Deregisters a service instance, a check, or a whole node ({@code PUT /v1/catalog/deregister}). As in
     * Consul, {@code node:write} on the node allows anything; otherwise removing an instance or a service check
     * needs {@code service:write} on its service, and anything else {@code node:write}.
     *
     * @throws InvalidRequest   when Node is missing
     * @throws PermissionDenied when the caller lacks the permission
     */
    public void deregister(String partition, CatalogRegistration.Deregistration request, Caller caller) {
        String node = require(request.node(), "Must provide node");
        if (!caller.can(Resource.NODE, node, AccessLevel.WRITE)) {
            Optional<String> service = Optional.empty();
            if (request.serviceId() != null && !request.serviceId().isEmpty()) {
                service = catalog.serviceOf(partition, node, request.serviceId());
            } else if (request.checkId() != null && !request.checkId().isEmpty()) {
                service = catalog.findCheck(partition, node, request.checkId()).map(HealthCheck::serviceName)
                        .filter(name -> !name.isEmpty());
            }
            if (service.isPresent()) {
                caller.require(Resource.SERVICE, service.get(), AccessLevel.WRITE);
            } else {
                caller.require(Resource.NODE, node, AccessLevel.WRITE);
            }
        }
        if (request.serviceId() != null && !request.serviceId().isEmpty()) {
            catalog.removeInstance(partition, node, request.serviceId());
        } else if (request.checkId() != null && !request.checkId().isEmpty()) {
            catalog.removeCheck(partition, node, request.checkId());
        } else {
            catalog.removeNode(partition, node);
        }
    }

    /**
     * Service names and their tags ({@code GET /v1/catalog/services}), local or imported from a peer, as far as
     * the caller may read them: {@code service:read} per name; imported names only for a caller that may read
     * every service or write some service (Consul's rule for peer data). Read from the service list: one query
     * over one small item per service, none over instances (with {@code ?peer=}, first a BatchGetItem of the peering
     * row and its partition's peerings counter).
     *
     * @param peer the local name of a peer, or empty for the local catalog; an unknown peer has nothing
     * @return the services with the service list's counter as index
     */
    public Indexed<Filtered<Map<String, List<String>>>> services(String partition, Optional<String> peer, Caller caller) {
        boolean imported = isPeerRead(peer);
        Indexed<List<CatalogReads.ServiceListing>> heads;
        List<String> importedNames = null;
        long peeringsIndex = 0;
        if (imported) {
            Optional<Indexed<Peering>> peering = peering(partition, peer.get());
            peeringsIndex = peering.map(Indexed::index).orElse(0L);
            if (peering.isEmpty() || !peering.get().value().state().isConnected()) {
                return new Indexed<>(new Filtered<>(Map.of(), false), peeringsIndex);
            }
            importedNames = peering.get().value().liveness().importedServices();
            heads = reads.importedServices(peering.get().value().key());
        } else {
            heads = reads.localServices(partition);
        }
        Map<String, List<String>> all = new TreeMap<>();
        for (CatalogReads.ServiceListing head : heads.value()) {
            if (head.listed() && (importedNames == null || importedNames.contains(head.service()))) {
                all.put(head.service(), head.tags());
            }
        }
        Map<String, List<String>> result = new TreeMap<>();
        all.forEach((name, tags) -> {
            if (imported ? caller.authorizer().importedServiceRead() : caller.can(Resource.SERVICE, name, AccessLevel.READ)) {
                result.put(name, tags);
            }
        });
        return new Indexed<>(new Filtered<>(result, result.size() < all.size()), heads.index() + peeringsIndex);
    }

    /** The counters {@link #services} depends on, for a blocking query. */
    public List<IndexScope> servicesScopes(String partition, Optional<String> peer) {
        if (isPeerRead(peer) && PeeringRules.isValidPeerName(peer.get())) {
            PeeringKey key = new PeeringKey(partition, peer.get());
            return List.of(IndexScope.importedServiceList(key), IndexScope.peerings(partition));
        }
        return List.of(IndexScope.localServiceList(partition));
    }

    /**
     * The instances of a service ({@code GET /v1/catalog/service/:name}, {@code /v1/health/service/:name}) that
     * the caller may read: local ones need {@code node:read} on their node and {@code service:read} on their
     * service; imported ones need read-all (or write-any service) for both services and nodes, as in Consul. One
     * query locally (the service's head and instances); with {@code ?peer=}, a BatchGetItem of the peering row and
     * its partition's peerings counter, then one query.
     *
     * @return the instances with the largest ModifyIndex among them as index
     */
    public Indexed<Filtered<List<ServiceInstance>>> instances(String partition, String service, Optional<String> peer,
                                                              Caller caller) {
        Indexed<List<ServiceInstance>> all = instances(partition, service, peer);
        List<ServiceInstance> visible;
        if (isPeerRead(peer)) {
            boolean allowed = caller.authorizer().importedServiceRead() && caller.authorizer().importedNodeRead();
            visible = allowed ? all.value() : List.of();
        } else {
            visible = all.value().stream().filter(i -> caller.can(Resource.NODE, i.node(), AccessLevel.READ)
                    && caller.can(Resource.SERVICE, i.service(), AccessLevel.READ)).toList();
        }
        return new Indexed<>(new Filtered<>(visible, visible.size() < all.value().size()), all.index());
    }

    /** The counters {@link #instances} depends on, for a blocking query. */
    public List<IndexScope> instancesScopes(String partition, String service, Optional<String> peer) {
        if (isPeerRead(peer) && PeeringRules.isValidPeerName(peer.get())) {
            PeeringKey key = new PeeringKey(partition, peer.get());
            return List.of(IndexScope.importedService(key, service), IndexScope.peerings(partition));
        }
        return List.of(IndexScope.localService(partition, service));
    }

    private static boolean isPeerRead(Optional<String> peer) {
        return peer.isPresent() && !peer.get().isEmpty();
    }

    private boolean nodeUnchanged(String partition, String node, CatalogRegistration registration, String address,
                                  String datacenter, Map<String, String> meta) {
        return catalog.findNode(partition, node).filter(existing ->
                existing.address().equals(address)
                        && (registration.id() == null || registration.id().isEmpty() || registration.id().equals(existing.nodeId()))
                        && existing.datacenter().equals(datacenter)
                        && existing.meta().equals(meta == null ? Map.of() : meta)
                        && existing.taggedAddresses().equals(registration.taggedAddresses() == null ? Map.of()
                                : registration.taggedAddresses())).isPresent();
    }

    /**
     * The instances of a service, local or imported from a peer. An unknown peer has nothing, as in Consul, and
     * so has a peering that is no longer connected (its imports are being purged) or a service the peer no longer
     * exports (its instances are being purged).
     */
    private Indexed<List<ServiceInstance>> instances(String partition, String service, Optional<String> peer) {
        if (peer.isEmpty() || peer.get().isEmpty()) {
            return reads.localInstances(partition, service);
        }
        Optional<Indexed<Peering>> read = peering(partition, peer.get());
        long peeringsIndex = read.map(Indexed::index).orElse(0L);
        if (read.isEmpty() || !read.get().value().state().isConnected()
                || !read.get().value().liveness().importedServices().contains(service)) {
            return new Indexed<>(List.of(), peeringsIndex);
        }
        Indexed<List<ServiceInstance>> instances = reads.importedInstances(read.get().value().key(), service);
        return new Indexed<>(instances.value(), instances.index() + peeringsIndex);
    }

    /**
     * The peering a {@code ?peer=} read names, with its partition's peerings counter (one BatchGetItem): a read
     * of imported data answers the sum of that counter and its own, the two counters its blocking query watches.
     */
    private Optional<Indexed<Peering>> peering(String partition, String peer) {
        PeeringKey key = new PeeringKey(partition, peer);
        if (!PeeringRules.isValidPeerName(key.name())) {
            return Optional.empty();
        }
        return peerings.findWithPartitionIndex(key);
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
