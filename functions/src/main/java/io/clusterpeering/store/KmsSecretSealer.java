package io.clusterpeering.store;

import io.clusterpeering.acl.SecretSealer;
import io.clusterpeering.token.SecretGuard;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Seals ACL SecretIDs with a KMS key in AWS ({@code peering.acl.kms-key-id}): {@code Encrypt} with the
 * AccessorID as encryption context, so a ciphertext opens only for its own token; the deployment lets only the
 * ACL functions use the key. The client is built on first use, so functions that never seal or open a secret
 * never create it. Nothing is sealed or opened during SnapStart priming ({@link SecretGuard}).
 */
@Singleton
@Requires(property = "peering.acl.kms-key-id")
public class KmsSecretSealer implements SecretSealer {
    private static final String CONTEXT_KEY = "AccessorID";
    private final String keyId;
    private final String region;
    private volatile KmsClient client;

    public KmsSecretSealer(@Value("${peering.acl.kms-key-id}") String keyId,
                           @Value("${peering.dynamodb.region}") String region) {
        this.keyId = keyId;
        this.region = region;
    }

    @Override
    public String seal(String accessorId, String secretId) {
        byte[] ciphertext = kms().encrypt(r -> r.keyId(keyId).encryptionContext(Map.of(CONTEXT_KEY, accessorId))
                .plaintext(SdkBytes.fromString(secretId, StandardCharsets.UTF_8))).ciphertextBlob().asByteArray();
        return Base64.getEncoder().encodeToString(ciphertext);
    }

    @Override
    public String open(String accessorId, String sealed) {
        return kms().decrypt(r -> r.keyId(keyId).encryptionContext(Map.of(CONTEXT_KEY, accessorId))
                        .ciphertextBlob(SdkBytes.fromByteArray(Base64.getDecoder().decode(sealed))))
                .plaintext().asString(StandardCharsets.UTF_8);
    }

    private KmsClient kms() {
        SecretGuard.beforeReading("an ACL SecretID");
        KmsClient current = client;
        if (current == null) {
            synchronized (this) {
                if (client == null) {
                    client = KmsClient.builder().region(Region.of(region))
                            .httpClient(AwsCrtHttpClient.create()).build();
                }
                current = client;
            }
        }
        return current;
    }
}
