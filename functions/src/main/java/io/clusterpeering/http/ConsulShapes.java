package io.clusterpeering.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Consul's JSON shapes for the peering API, field for field ({@code api/peering.go}): the same key names,
 * order and omit-empty rules. Go's JSON decoder matches keys case-insensitively, so our tests check the exact
 * casing.
 */
public final class ConsulShapes {
    private ConsulShapes() {
    }

    /** {@code api.PeeringGenerateTokenRequest}. */
    public record GenerateTokenRequest(
            @JsonProperty("PeerName") String peerName,
            @JsonProperty("Partition") String partition,
            @JsonProperty("Meta") Map<String, String> meta,
            @JsonProperty("ServerExternalAddresses") List<String> serverExternalAddresses) {
    }

    /** {@code api.PeeringGenerateTokenResponse}. */
    public record GenerateTokenResponse(@JsonProperty("PeeringToken") String peeringToken) {
    }

    /** {@code api.PeeringEstablishRequest}. */
    public record EstablishRequest(
            @JsonProperty("PeerName") String peerName,
            @JsonProperty("Partition") String partition,
            @JsonProperty("PeeringToken") String peeringToken,
            @JsonProperty("Meta") Map<String, String> meta) {
    }

    /** {@code api.Peering}. {@code Partition} is always present, as in Consul Enterprise. */
    @JsonPropertyOrder({"ID", "Name", "Partition", "DeletedAt", "Meta", "State", "PeerID", "PeerCAPems",
            "PeerServerName", "PeerServerAddresses", "StreamStatus", "CreateIndex", "ModifyIndex", "Remote"})
    public record PeeringView(
            @JsonProperty("ID") String id,
            @JsonProperty("Name") String name,
            @JsonProperty("Partition") @JsonInclude(Include.NON_EMPTY) String partition,
            @JsonProperty("DeletedAt") @JsonInclude(Include.NON_NULL) Instant deletedAt,
            @JsonProperty("Meta") @JsonInclude(Include.NON_EMPTY) Map<String, String> meta,
            @JsonProperty("State") String state,
            @JsonProperty("PeerID") @JsonInclude(Include.NON_EMPTY) String peerId,
            @JsonProperty("PeerCAPems") @JsonInclude(Include.NON_EMPTY) List<String> peerCaPems,
            @JsonProperty("PeerServerName") @JsonInclude(Include.NON_EMPTY) String peerServerName,
            @JsonProperty("PeerServerAddresses") @JsonInclude(Include.NON_EMPTY) List<String> peerServerAddresses,
            @JsonProperty("StreamStatus") StreamStatusView streamStatus,
            @JsonProperty("CreateIndex") long createIndex,
            @JsonProperty("ModifyIndex") long modifyIndex,
            @JsonProperty("Remote") RemoteView remote) {
    }

    /**
     * {@code api.PeeringStreamStatus}, plus two additions of ours: {@code LastError}, why the peering reads
     * FAILING (Consul only logs it), and {@code ImportedItemsLeft}, how many items imported from the peer the
     * deletion has still to purge (DELETING and TERMINATED rows only), and {@code LinkLatency}, the round trips
     * of the latest heartbeats we sent. Each absent when there is nothing to say.
     */
    @JsonPropertyOrder({"ImportedServices", "ExportedServices", "LastHeartbeat", "LastReceive", "LastSend", "LastError",
            "ImportedItemsLeft", "LinkLatency"})
    public record StreamStatusView(
            @JsonProperty("ImportedServices") List<String> importedServices,
            @JsonProperty("ExportedServices") List<String> exportedServices,
            @JsonProperty("LastHeartbeat") Instant lastHeartbeat,
            @JsonProperty("LastReceive") Instant lastReceive,
            @JsonProperty("LastSend") Instant lastSend,
            @JsonProperty("LastError") @JsonInclude(Include.NON_NULL) String lastError,
            @JsonProperty("ImportedItemsLeft") @JsonInclude(Include.NON_NULL) Integer importedItemsLeft,
            @JsonProperty("LinkLatency") @JsonInclude(Include.NON_NULL) LinkLatencyView linkLatency) {
    }

    /**
     * The link latency to the peer (ours): over the latest {@code Heartbeats} heartbeats this cluster sent, the
     * median and 99th percentile of their round trips, in milliseconds.
     */
    @JsonPropertyOrder({"Heartbeats", "P50Millis", "P99Millis"})
    public record LinkLatencyView(@JsonProperty("Heartbeats") int heartbeats,
                                  @JsonProperty("P50Millis") long p50Millis,
                                  @JsonProperty("P99Millis") long p99Millis) {
    }

    /** {@code api.PeeringRemoteInfo}. */
    @JsonPropertyOrder({"Partition", "Datacenter"})
    public record RemoteView(@JsonProperty("Partition") String partition,
                             @JsonProperty("Datacenter") String datacenter) {
    }

    /** The minimal {@code /v1/agent/self} the Terraform provider and Go client need: objects at the top level. */
    @JsonPropertyOrder({"Config", "Member"})
    public record AgentSelf(@JsonProperty("Config") AgentConfig config, @JsonProperty("Member") AgentMember member) {
    }

    /** {@code Config} of {@code /v1/agent/self}. */
    @JsonPropertyOrder({"Datacenter", "NodeName", "NodeID", "Server", "Version"})
    public record AgentConfig(@JsonProperty("Datacenter") String datacenter,
                              @JsonProperty("NodeName") String nodeName,
                              @JsonProperty("NodeID") String nodeId,
                              @JsonProperty("Server") boolean server,
                              @JsonProperty("Version") String version) {
    }

    /** {@code Member} of {@code /v1/agent/self}. */
    @JsonPropertyOrder({"Name", "Addr", "Port", "Status"})
    public record AgentMember(@JsonProperty("Name") String name, @JsonProperty("Addr") String addr,
                              @JsonProperty("Port") int port, @JsonProperty("Status") int status) {
    }

    /**
     * The acceptor's answer to a secret exchange (internal route): its peering ID and the same, signed by the
     * acceptor's cluster key for the dialer to check against the token's CA.
     */
    @JsonPropertyOrder({"PeerID", "Answer"})
    public record ExchangeResponse(@JsonProperty("PeerID") String peerId, @JsonProperty("Answer") String answer) {
    }
}
