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
 */
public record ClusterIdentity(String clusterId, X509Certificate caCertificate, ECKey signingKey,
                              X509Certificate signingCertificate, ECKey caKey) {

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

    /** The CA certificates this cluster presents to peers: today its one root. */
    public List<String> caPems() {
        return List.of(caPem());
    }

    /**
     * The server name a peer sees for this cluster, Consul's {@code PeeringServerSAN}:
     * {@code server.<datacenter>.peering.<clusterId>.consul}.
     */
    public String serverName(String datacenter) {
        return "server." + datacenter + ".peering." + clusterId + ".consul";
    }
}
