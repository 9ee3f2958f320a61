package io.clusterpeering.token;

import com.nimbusds.jose.jwk.ECKey;

import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stored form of a {@link ClusterIdentity}: five strings ({@code clusterId}, {@code caPem},
 * {@code signingCertificatePem}, {@code signingKeyJwk}, {@code caKeyJwk}), the same wherever the identity is kept
 * (a DynamoDB item, a Secrets Manager secret). The JWKs hold private keys: callers keep the map out of logs. An
 * identity stored before the CA key was kept has no {@code caKeyJwk} and still reads.
 */
public final class ClusterIdentityCodec {
    private ClusterIdentityCodec() {
    }

    /** The fields of an identity. */
    public static Map<String, String> toFields(ClusterIdentity identity) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("clusterId", identity.clusterId());
        fields.put("caPem", identity.caPem());
        fields.put("signingCertificatePem", Pem.encode(identity.signingCertificate()));
        fields.put("signingKeyJwk", identity.signingKey().toJSONString());
        if (identity.caKey() != null) {
            fields.put("caKeyJwk", identity.caKey().toJSONString());
        }
        return fields;
    }

    /**
     * An identity from its fields.
     *
     * @throws IllegalArgumentException when a field is missing or does not parse
     */
    public static ClusterIdentity fromFields(Map<String, String> fields) {
        try {
            String clusterId = fields.get("clusterId");
            String jwk = fields.get("signingKeyJwk");
            if (clusterId == null || jwk == null) {
                throw new IllegalArgumentException("the stored identity lacks clusterId or signingKeyJwk");
            }
            ECKey key = ECKey.parse(jwk);
            if (!key.isPrivate()) {
                throw new IllegalArgumentException("the stored signing key has no private part");
            }
            String caJwk = fields.get("caKeyJwk");
            ECKey caKey = caJwk == null ? null : ECKey.parse(caJwk);
            if (caKey != null && !caKey.isPrivate()) {
                throw new IllegalArgumentException("the stored CA key has no private part");
            }
            return new ClusterIdentity(clusterId, Pem.decode(List.of(fields.get("caPem"))).get(0), key,
                    Pem.decode(List.of(fields.get("signingCertificatePem"))).get(0), caKey);
        } catch (ParseException e) {
            throw new IllegalArgumentException("a stored key does not parse", e);
        }
    }
}
