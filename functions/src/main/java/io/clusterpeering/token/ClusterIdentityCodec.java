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

    /**
     * The fields of an identity. A rotation adds {@code rotationPhase}, {@code rotationRevision},
     * {@code rotationSince}, and the next identity's key fields prefixed {@code next} (introducing) or
     * {@code previousCaPem} (retiring).
     */
    public static Map<String, String> toFields(ClusterIdentity identity) {
        Map<String, String> fields = keyFields(identity);
        CaRotation rotation = identity.rotation();
        if (rotation.revision() > 0) {
            fields.put("rotationPhase", rotation.phase().name());
            fields.put("rotationRevision", Long.toString(rotation.revision()));
            if (rotation.since() != null) {
                fields.put("rotationSince", rotation.since().toString());
            }
            if (rotation.next() != null) {
                keyFields(rotation.next()).forEach((name, value) -> {
                    if (!name.equals("clusterId")) {
                        fields.put("next" + Character.toUpperCase(name.charAt(0)) + name.substring(1), value);
                    }
                });
            }
            if (rotation.previousCa() != null) {
                fields.put("previousCaPem", Pem.encode(rotation.previousCa()));
            }
        }
        return fields;
    }

    private static Map<String, String> keyFields(ClusterIdentity identity) {
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
        ClusterIdentity identity = keysFromFields(fields);
        String phase = fields.get("rotationPhase");
        if (phase == null) {
            return identity;
        }
        try {
            CaRotation.Phase parsed = CaRotation.Phase.valueOf(phase);
            ClusterIdentity next = null;
            if (fields.containsKey("nextCaPem")) {
                Map<String, String> nextFields = new java.util.HashMap<>();
                nextFields.put("clusterId", identity.clusterId());
                fields.forEach((name, value) -> {
                    if (name.startsWith("next") && name.length() > 4) {
                        nextFields.put(Character.toLowerCase(name.charAt(4)) + name.substring(5), value);
                    }
                });
                next = keysFromFields(nextFields);
            }
            java.security.cert.X509Certificate previous = fields.containsKey("previousCaPem")
                    ? Pem.decode(List.of(fields.get("previousCaPem"))).get(0) : null;
            String since = fields.get("rotationSince");
            CaRotation rotation = new CaRotation(parsed, Long.parseLong(fields.getOrDefault("rotationRevision", "0")),
                    since == null ? null : java.time.Instant.parse(since), next, previous);
            if ((parsed == CaRotation.Phase.INTRODUCING && next == null)
                    || (parsed == CaRotation.Phase.RETIRING && previous == null)) {
                throw new IllegalArgumentException("the stored rotation " + parsed + " lacks its other CA");
            }
            return identity.withRotation(rotation);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the stored rotation does not parse: " + e.getMessage(), e);
        }
    }

    private static ClusterIdentity keysFromFields(Map<String, String> fields) {
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
