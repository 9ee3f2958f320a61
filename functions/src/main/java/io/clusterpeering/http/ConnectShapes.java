package io.clusterpeering.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.clusterpeering.connect.Intention;
import io.clusterpeering.service.ConnectCaService;
import io.clusterpeering.token.Pem;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Consul's JSON shapes of the Connect API ({@code api/connect_ca.go}, {@code api/agent.go},
 * {@code api/connect_intention.go}): CA roots, leaf certificates, authorize and check answers, intentions.
 */
public final class ConnectShapes {
    private ConnectShapes() {
    }

    /** {@code structs.IndexedCARoots}. */
    public record RootsView(@JsonProperty("ActiveRootID") String activeRootId,
                            @JsonProperty("TrustDomain") String trustDomain,
                            @JsonProperty("Roots") List<RootView> roots) {

        /** The roots of this cluster's CA. */
        public static RootsView of(ConnectCaService.Roots roots) {
            return new RootsView(roots.activeRootId(), roots.trustDomain(),
                    roots.roots().stream().map(r -> RootView.of(r, roots.trustDomain())).toList());
        }
    }

    /**
     * {@code structs.CARoot}. {@code SerialNumber} is the low 64 bits of the certificate's serial, as Consul's
     * {@code uint64}; {@code Name} is ours (Consul names its built-in root {@code Consul CA Primary Cert}). Consul's
 * CreateIndex and ModifyIndex (the raft index of the CA's configuration) are left out: the answer's
 * {@code X-Consul-Index} carries the index.
     */
    public record RootView(@JsonProperty("ID") String id,
                           @JsonProperty("Name") String name,
                           @JsonProperty("SerialNumber") BigInteger serialNumber,
                           @JsonProperty("SigningKeyID") String signingKeyId,
                           @JsonProperty("ExternalTrustDomain") String externalTrustDomain,
                           @JsonProperty("NotBefore") Instant notBefore,
                           @JsonProperty("NotAfter") Instant notAfter,
                           @JsonProperty("RootCert") String rootCert,
                           @JsonProperty("IntermediateCerts") List<String> intermediateCerts,
                           @JsonProperty("Active") boolean active,
                           @JsonProperty("PrivateKeyType") String privateKeyType,
                           @JsonProperty("PrivateKeyBits") int privateKeyBits) {
        private static final BigInteger LOW_64_BITS = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

        static RootView of(ConnectCaService.Root root, String trustDomain) {
            var certificate = root.certificate();
            return new RootView(root.id(), "Cluster Peering CA Primary Cert",
                    certificate.getSerialNumber().and(LOW_64_BITS), root.signingKeyId(), trustDomain,
                    certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant(),
                    Pem.encode(certificate), null, root.active(), "ec", 256);
        }
    }

    /** {@code structs.IssuedCert}: a leaf and its private key. */
    public record IssuedCertView(@JsonProperty("SerialNumber") String serialNumber,
                                 @JsonProperty("CertPEM") String certPem,
                                 @JsonProperty("PrivateKeyPEM") String privateKeyPem,
                                 @JsonProperty("Service") String service,
                                 @JsonProperty("ServiceURI") String serviceUri,
                                 @JsonProperty("ValidAfter") Instant validAfter,
                                 @JsonProperty("ValidBefore") Instant validBefore,
                                 @JsonProperty("Namespace") String namespace,
                                 @JsonProperty("Partition") String partition) {

        /** The view of an issued leaf (Consul's CreateIndex and ModifyIndex are left out: the leaf is not stored). */
        public static IssuedCertView of(ConnectCaService.IssuedService issued, String partition) {
            var leaf = issued.leaf();
            return new IssuedCertView(leaf.serialNumber(), leaf.certPem(), leaf.privateKeyPem(), issued.service(),
                    issued.serviceUri(), leaf.validAfter(), leaf.validBefore(), "default", partition);
        }
    }

    /** {@code structs.ConnectAuthorizeRequest}, the body of {@code POST /v1/agent/connect/authorize}. */
    public record AuthorizeRequest(@JsonProperty("Target") String target,
                                   @JsonProperty("ClientCertURI") String clientCertUri,
                                   @JsonProperty("ClientCertSerial") String clientCertSerial) {
    }

    /** The answer of {@code POST /v1/agent/connect/authorize}. */
    public record AuthorizeResponse(@JsonProperty("Authorized") boolean authorized,
                                    @JsonProperty("Reason") String reason) {
    }

    /** {@code api.IntentionCheck}'s answer. */
    public record CheckResponse(@JsonProperty("Allowed") boolean allowed) {
    }

    /**
     * {@code api.Intention} as Consul shows an intention made from a config entry: no ID, the source's
     * Description, Action (empty for L7) or Permissions, Precedence, and the entry's indexes.
     */
    public record IntentionView(@JsonProperty("Description") String description,
                                @JsonProperty("SourcePeer") String sourcePeer,
                                @JsonProperty("SourceNS") String sourceNamespace,
                                @JsonProperty("SourceName") String sourceName,
                                @JsonProperty("DestinationNS") String destinationNamespace,
                                @JsonProperty("DestinationName") String destinationName,
                                @JsonProperty("SourcePartition") String sourcePartition,
                                @JsonProperty("DestinationPartition") String destinationPartition,
                                @JsonProperty("SourceType") String sourceType,
                                @JsonProperty("Action") String action,
                                @JsonProperty("Permissions") List<Map<String, Object>> permissions,
                                @JsonProperty("Precedence") int precedence,
                                @JsonProperty("CreateIndex") long createIndex,
                                @JsonProperty("ModifyIndex") long modifyIndex) {

        /** The view of one intention. */
        public static IntentionView of(Intention i) {
            return new IntentionView(i.description(), i.sourcePeer(), i.sourceNamespace(), i.sourceName(),
                    i.destinationNamespace(), i.destinationName(), i.sourcePartition(), i.destinationPartition(),
                    "consul", i.action(), i.permissions().isEmpty() ? null : i.permissions(), i.precedence(),
                    i.createIndex(), i.modifyIndex());
        }
    }

    /**
     * A CA rotation's status ({@code POST /v1/connect/ca/rotate}, {@code GET /v1/connect/ca/rotation}, ours):
     * {@code Phase} none, introducing or retiring; {@code Roots} the IDs (SHA-1 fingerprints) of the roots
     * presented to peers, active first; {@code Waiting} what the next step waits for.
     */
    @com.fasterxml.jackson.annotation.JsonPropertyOrder({"Phase", "Revision", "Since", "Roots", "Waiting"})
    public record RotationView(@com.fasterxml.jackson.annotation.JsonProperty("Phase") String phase,
                               @com.fasterxml.jackson.annotation.JsonProperty("Revision") long revision,
                               @com.fasterxml.jackson.annotation.JsonProperty("Since") java.time.Instant since,
                               @com.fasterxml.jackson.annotation.JsonProperty("Roots") java.util.List<String> roots,
                               @com.fasterxml.jackson.annotation.JsonProperty("Waiting") java.util.List<String> waiting) {
        /** The view of a status. */
        public static RotationView of(io.clusterpeering.service.CaRotationService.Status status) {
            return new RotationView(status.phase(), status.revision(), status.since(), status.roots(), status.waiting());
        }
    }
}
