package io.clusterpeering.service;

import io.clusterpeering.acl.AccessLevel;
import io.clusterpeering.acl.Caller;
import io.clusterpeering.acl.Resource;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.connect.SpiffeId;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.token.CertificateIds;
import io.clusterpeering.token.ClusterIdentity;
import io.clusterpeering.token.ClusterIdentitySource;
import io.clusterpeering.token.LeafCertificates;
import io.clusterpeering.token.LeafCertificates.IssuedLeaf;
import jakarta.inject.Singleton;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * This cluster's Connect CA, Consul's built-in provider reduced to what peers and Connect-native applications
 * use: its roots ({@code GET /v1/connect/ca/roots}; the same CA that peering tokens carry as {@code CA} and peers
 * store as {@code PeerCAPems}) and leaf certificates for local services
 * ({@code GET /v1/agent/connect/ca/leaf/:service}), signed by that CA, with the key made per request and never
 * stored.
 */
@Singleton
public class ConnectCaService {
    private final ClusterIdentitySource identities;
    private final PeeringConfiguration config;

    public ConnectCaService(ClusterIdentitySource identities, PeeringConfiguration config) {
        this.identities = identities;
        this.config = config;
    }

    /**
     * One CA root, with what Consul's {@code structs.CARoot} shows.
     *
     * @param id           the certificate's SHA-1 fingerprint, hex bytes joined by colons (Consul's root ID)
     * @param certificate  the root certificate
     * @param signingKeyId its subject key ID, colon hex
     * @param active       whether it signs new leaves
     */
    public record Root(String id, X509Certificate certificate, String signingKeyId, boolean active) {
    }

    /**
     * The roots and the trust domain.
     *
     * @param activeRootId the ID of the root that signs new leaves
     * @param trustDomain  {@code <cluster id>.consul}
     * @param roots        every root, the active one first
     */
    public record Roots(String activeRootId, String trustDomain, List<Root> roots) {
    }

    /**
     * This cluster's CA roots, as its peers are given them: the active CA first (it signs new leaves), then, during a
     * CA rotation ({@link CaRotationService}), the root being introduced or retired, not active, as Consul lists a
     * rotation's old and new roots.
     */
    public Roots roots() {
        ClusterIdentity identity = identities.identity();
        List<Root> roots = new java.util.ArrayList<>();
        for (X509Certificate ca : io.clusterpeering.token.Pem.decode(identity.caPems())) {
            roots.add(new Root(CertificateIds.fingerprint(ca), ca, CertificateIds.subjectKeyId(ca), roots.isEmpty()));
        }
        return new Roots(roots.get(0).id(), identity.trustDomain(), List.copyOf(roots));
    }

    /**
     * A leaf certificate for a local service, valid for {@code peering.leaf-cert-ttl} (72 hours by default).
     *
     * @param service   the service name, from the path
     * @param partition the caller's partition
     * @param caller    needs {@code service:write} on the service, as Consul's leaf endpoint
     * @return the certificate, its private key and its SPIFFE ID
     * @throws InvalidRequest when the service name is empty or not a DNS-style name
     * @throws io.clusterpeering.domain.PeeringException.PermissionDenied when the caller lacks service:write
     */
    public IssuedService leaf(String service, String partition, Caller caller) {
        if (service.isEmpty() || !service.matches("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?")) {
            throw new InvalidRequest("Invalid service name: " + service);
        }
        caller.require(Resource.SERVICE, service, AccessLevel.WRITE);
        ClusterIdentity identity = identities.identity();
        SpiffeId id = SpiffeId.service(identity.trustDomain(), partition, config.getDatacenter(), service);
        IssuedLeaf leaf = LeafCertificates.issue(identity, id.uri(), service, config.getLeafCertTtl(), Instant.now());
        return new IssuedService(service, id.uri(), leaf);
    }

    /**
     * An issued leaf and whom it names.
     *
     * @param service    the service
     * @param serviceUri its SPIFFE ID
     * @param leaf       the certificate and key
     */
    public record IssuedService(String service, String serviceUri, IssuedLeaf leaf) {
    }
}
