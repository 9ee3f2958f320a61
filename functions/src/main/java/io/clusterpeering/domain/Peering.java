package io.clusterpeering.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One peering as this cluster stores it: Consul's {@code pbpeering.Peering} plus the role and the persisted
 * liveness. Plain data; the store creates it, the service reads it, the HTTP layer shapes it as {@code api.Peering}.
 *
 * @param id                    this cluster's UUID for the peering (Consul's {@code ID})
 * @param name                  the local name for the peer, lower case (Consul's {@code Name})
 * @param partition             the local partition that owns the peering, {@code default} by default
 * @param role                  acceptor (generated the token) or dialer (established with it)
 * @param state                 the stored state; see {@link PeeringStatus#shownState} for what a reader sees
 * @param deletedAt             when deletion was requested, set only while DELETING
 * @param meta                  user metadata, never null
 * @param peerId                the peer's UUID for the same peering (Consul shows it on dialer rows only)
 * @param peerCaPems            the peer's CA certificates, PEM; the pinned trust for messages from the peer
 * @param peerServerName        the peer's server name, {@code server.<dc>.peering.<trust-domain>}
 * @param peerServerAddresses   the acceptor's {@code host:port} addresses (dialer rows)
 * @param manualServerAddresses addresses given as ServerExternalAddresses; preferred when dialing
 * @param peerUrls              base URLs this cluster calls to reach the peer's internal routes
 * @param remote                the peer's partition and datacenter
 * @param liveness              heartbeat and error timestamps
 * @param createIndex           the Consul-style index of the row's creation
 * @param modifyIndex           the Consul-style index of the row's last change
 * @param importedItemsLeft     while a DELETING or TERMINATED peering's imports are purged, how many items the
 *                              purge last counted as left; null before the purge starts and in other states
 */
public record Peering(String id, String name, String partition, PeeringRole role, PeeringState state,
                      Instant deletedAt, Map<String, String> meta, String peerId, List<String> peerCaPems,
                      String peerServerName, List<String> peerServerAddresses, List<String> manualServerAddresses,
                      List<String> peerUrls, Remote remote, Liveness liveness, long createIndex, long modifyIndex,
                      Integer importedItemsLeft) {

    /** A peering whose purge has not reported progress (every row but a DELETING or TERMINATED one). */
    public Peering(String id, String name, String partition, PeeringRole role, PeeringState state,
                   Instant deletedAt, Map<String, String> meta, String peerId, List<String> peerCaPems,
                   String peerServerName, List<String> peerServerAddresses, List<String> manualServerAddresses,
                   List<String> peerUrls, Remote remote, Liveness liveness, long createIndex, long modifyIndex) {
        this(id, name, partition, role, state, deletedAt, meta, peerId, peerCaPems, peerServerName,
                peerServerAddresses, manualServerAddresses, peerUrls, remote, liveness, createIndex, modifyIndex, null);
    }

    public Peering {
        meta = meta == null ? Map.of() : Map.copyOf(meta);
        peerCaPems = peerCaPems == null ? List.of() : List.copyOf(peerCaPems);
        peerServerAddresses = peerServerAddresses == null ? List.of() : List.copyOf(peerServerAddresses);
        manualServerAddresses = manualServerAddresses == null ? List.of() : List.copyOf(manualServerAddresses);
        peerUrls = peerUrls == null ? List.of() : List.copyOf(peerUrls);
        remote = remote == null ? Remote.UNKNOWN : remote;
        liveness = liveness == null ? Liveness.NONE : liveness;
    }

    /**
     * The peer's trust domain, {@code <cluster id>.consul}: the tail of its server name
     * ({@code server.<dc>.peering.<trust-domain>}); empty before the peer is known.
     */
    public String peerTrustDomain() {
        return trustDomainOf(peerServerName);
    }

    /** The trust domain in a peering server name ({@code server.<dc>.peering.<trust-domain>}), or empty. */
    public static String trustDomainOf(String serverName) {
        int at = serverName == null ? -1 : serverName.indexOf(".peering.");
        return at < 0 ? "" : serverName.substring(at + ".peering.".length());
    }

    /** The key under which the peering is unique: its partition and lower-case name. */
    public PeeringKey key() {
        return new PeeringKey(partition, name);
    }
}
