package io.clusterpeering.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.clusterpeering.domain.HealthCheck;
import io.clusterpeering.domain.ServiceInstance;

import java.util.List;
import java.util.Map;

/**
 * Consul's JSON shapes for catalog and health reads ({@code api.CatalogService}, {@code api.ServiceEntry},
 * {@code api.AgentCheck}), and for the exported and imported services lists. Imported entries carry
 * {@code PeerName}, absent on local ones.
 */
public final class CatalogShapes {
    private CatalogShapes() {
    }

    /** {@code api.CatalogService}. */
    @JsonPropertyOrder({"ID", "Node", "Address", "Datacenter", "TaggedAddresses", "NodeMeta", "ServiceKind",
            "ServiceID", "ServiceName", "ServiceTags", "ServiceAddress", "ServiceMeta", "ServicePort",
            "ServiceEnableTagOverride", "PeerName", "CreateIndex", "ModifyIndex"})
    public record CatalogServiceView(
            @JsonProperty("ID") String id, @JsonProperty("Node") String node,
            @JsonProperty("Address") String address, @JsonProperty("Datacenter") String datacenter,
            @JsonProperty("TaggedAddresses") Map<String, String> taggedAddresses,
            @JsonProperty("NodeMeta") Map<String, String> nodeMeta,
            @JsonProperty("ServiceKind") String serviceKind, @JsonProperty("ServiceID") String serviceId,
            @JsonProperty("ServiceName") String serviceName, @JsonProperty("ServiceTags") List<String> serviceTags,
            @JsonProperty("ServiceAddress") String serviceAddress,
            @JsonProperty("ServiceMeta") Map<String, String> serviceMeta,
            @JsonProperty("ServicePort") int servicePort,
            @JsonProperty("ServiceEnableTagOverride") boolean serviceEnableTagOverride,
            @JsonProperty("PeerName") @JsonInclude(Include.NON_EMPTY) String peerName,
            @JsonProperty("CreateIndex") long createIndex, @JsonProperty("ModifyIndex") long modifyIndex) {

        public static CatalogServiceView of(ServiceInstance i) {
            return new CatalogServiceView(i.nodeId(), i.node(), i.address(), i.datacenter(), i.taggedAddresses(),
                    i.nodeMeta(), "", i.serviceId(), i.service(), i.tags(), i.serviceAddress(), i.serviceMeta(),
                    i.port(), false, i.peerName(), i.createIndex(), i.modifyIndex());
        }
    }

    /** {@code api.ServiceEntry}: node, service and checks of one instance. */
    @JsonPropertyOrder({"Node", "Service", "Checks"})
    public record ServiceEntryView(@JsonProperty("Node") NodeView node, @JsonProperty("Service") ServiceView service,
                                   @JsonProperty("Checks") List<CheckView> checks) {

        public static ServiceEntryView of(ServiceInstance i) {
            return new ServiceEntryView(
                    new NodeView(i.nodeId(), i.node(), i.address(), i.datacenter(), i.taggedAddresses(), i.nodeMeta(),
                            i.peerName(), i.createIndex(), i.modifyIndex()),
                    new ServiceView("", i.serviceId(), i.service(), i.tags(), i.serviceMeta(), i.port(),
                            i.serviceAddress(), false, i.peerName(), i.createIndex(), i.modifyIndex()),
                    i.checks().stream().map(c -> CheckView.of(c, i)).toList());
        }
    }

    /** {@code api.Node}. */
    @JsonPropertyOrder({"ID", "Node", "Address", "Datacenter", "TaggedAddresses", "Meta", "PeerName", "CreateIndex", "ModifyIndex"})
    public record NodeView(@JsonProperty("ID") String id, @JsonProperty("Node") String node,
                           @JsonProperty("Address") String address, @JsonProperty("Datacenter") String datacenter,
                           @JsonProperty("TaggedAddresses") Map<String, String> taggedAddresses,
                           @JsonProperty("Meta") Map<String, String> meta,
                           @JsonProperty("PeerName") @JsonInclude(Include.NON_EMPTY) String peerName,
                           @JsonProperty("CreateIndex") long createIndex, @JsonProperty("ModifyIndex") long modifyIndex) {
    }

    /** {@code api.AgentService}. */
    @JsonPropertyOrder({"Kind", "ID", "Service", "Tags", "Meta", "Port", "Address", "EnableTagOverride", "PeerName",
            "CreateIndex", "ModifyIndex"})
    public record ServiceView(@JsonProperty("Kind") String kind, @JsonProperty("ID") String id,
                              @JsonProperty("Service") String service, @JsonProperty("Tags") List<String> tags,
                              @JsonProperty("Meta") Map<String, String> meta, @JsonProperty("Port") int port,
                              @JsonProperty("Address") String address,
                              @JsonProperty("EnableTagOverride") boolean enableTagOverride,
                              @JsonProperty("PeerName") @JsonInclude(Include.NON_EMPTY) String peerName,
                              @JsonProperty("CreateIndex") long createIndex, @JsonProperty("ModifyIndex") long modifyIndex) {
    }

    /** {@code api.HealthCheck}. */
    @JsonPropertyOrder({"Node", "CheckID", "Name", "Status", "Notes", "Output", "ServiceID", "ServiceName",
            "ServiceTags", "Type", "PeerName", "CreateIndex", "ModifyIndex"})
    public record CheckView(@JsonProperty("Node") String node, @JsonProperty("CheckID") String checkId,
                            @JsonProperty("Name") String name, @JsonProperty("Status") String status,
                            @JsonProperty("Notes") String notes, @JsonProperty("Output") String output,
                            @JsonProperty("ServiceID") String serviceId, @JsonProperty("ServiceName") String serviceName,
                            @JsonProperty("ServiceTags") List<String> serviceTags, @JsonProperty("Type") String type,
                            @JsonProperty("PeerName") @JsonInclude(Include.NON_EMPTY) String peerName,
                            @JsonProperty("CreateIndex") long createIndex, @JsonProperty("ModifyIndex") long modifyIndex) {

        static CheckView of(HealthCheck c, ServiceInstance i) {
            return new CheckView(c.node(), c.checkId(), c.name(), c.status(), c.notes(), c.output(), c.serviceId(),
                    c.serviceName(), c.serviceId().isEmpty() ? List.of() : i.tags(), c.type(), i.peerName(),
                    i.createIndex(), i.modifyIndex());
        }
    }

    /** One element of {@code GET /v1/exported-services} ({@code api.ResolvedExportedService}). */
    @JsonPropertyOrder({"Service", "Consumers"})
    public record ExportedServiceView(@JsonProperty("Service") String service,
                                      @JsonProperty("Consumers") Consumers consumers) {
    }

    /** The consumers of an exported service. */
    public record Consumers(@JsonProperty("Peers") @JsonInclude(Include.NON_EMPTY) List<String> peers) {
    }

    /** One element of {@code GET /v1/imported-services} ({@code api.ImportedService}). */
    @JsonPropertyOrder({"Service", "SourcePeer"})
    public record ImportedServiceView(@JsonProperty("Service") String service,
                                      @JsonProperty("SourcePeer") String sourcePeer) {
    }
}
