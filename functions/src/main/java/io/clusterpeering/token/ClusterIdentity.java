package io.clusterpeering.token;

import com.nimbusds.jose.jwk.ECKey;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * This cluster's identity: a CA and a signing key certified by it. The CA's PEM travels in peering tokens
 * (Consul's {@code CA} field); the signing key signs tokens and every message to a peer.
 *
 * @param clusterId          a UUID naming the cluster; the trust domain is {@code <clusterId>.consul}
 * @param caCertificate      the cluster's self-signed CA certificate (EC P-256)
 * @param signingKey         the EC P-256 signing key pair, as a Nimbus JWK with its private part
 * @param signingCertificate the signing key's certificate, issued by {@code caCertificate}
 * @param caKey              the CA's key pair with its private part, which signs the Connect leaf certificates of
 *                           local services; null for an identity stored before leaves were issued (it then issues
 *                           none)
 * @param rotation           where a rotation of the CA and signing key stands ({@link CaRotation#NONE} when none
 *                           ever ran)
 */
public record ClusterIdentity(String clusterId, X509Certificate caCertificate, ECKey signingKey,
                              X509Certificate signingCertificate, ECKey caKey, CaRotation rotation) {

    public ClusterIdentity {
        rotation = rotation == null ? CaRotation.NONE : rotation;
    }

    /** An identity no rotation has touched. */
    public ClusterIdentity(String clusterId, X509Certificate caCertificate, ECKey signingKey,
                           X509Certificate signingCertificate, ECKey caKey) {
        this(clusterId, caCertificate, signingKey, signingCertificate, caKey, CaRotation.NONE);
    }

    /** The same identity in another rotation state. */
    public ClusterIdentity withRotation(CaRotation next) {
        return new ClusterIdentity(clusterId, caCertificate, signingKey, signingCertificate, caKey, next);
    }

    /** Consul's suffix of a cluster's trust domain: {@code <cluster id>.consul}. */
    public static final String TRUST_DOMAIN_SUFFIX = ".consul";

    /** The cluster's trust domain, {@code <cluster id>.consul}: the host of its services' SPIFFE IDs. */
    public String trustDomain() {
        return clusterId + TRUST_DOMAIN_SUFFIX;
    }

    /** The CA certificate as PEM text ending in a newline, as Consul puts roots into tokens. */
    public String caPem() {
        return Pem.encode(caCertificate);
    }

    /**
     * The CA certificates this cluster presents to peers (in tokens and in every resync's service list), as PEM: the
     * active root first, then, during a rotation, the one being introduced or retired ({@link CaRotation}).
     */
    public List<String> caPems() {
        List<String> pems = new java.util.ArrayList<>();
        pems.add(caPem());
        rotation.otherRoots().forEach(root -> pems.add(Pem.encode(root)));
        return List.copyOf(pems);
    }

    /**
     * The server name a peer sees for this cluster, Consul's {@code PeeringServerSAN}:
     * {@code server.<datacenter>.peering.<clusterId>.consul}.
     */
    public String serverName(String datacenter) {
        return "server." + datacenter + ".peering." + clusterId + ".consul";
    }
}
