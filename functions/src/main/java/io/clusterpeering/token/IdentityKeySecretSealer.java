package io.clusterpeering.token;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHDecrypter;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import io.clusterpeering.acl.SecretSealer;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.text.ParseException;

/**
 * Seals ACL SecretIDs with the cluster identity's EC P-256 key, for local runs and tests (AWS uses KMS): a
 * compact JWE ({@code ECDH-ES+A256KW}, {@code A256GCM}, Nimbus) whose protected header names the AccessorID,
 * so a sealed value moved to another token does not open. The private key never leaves the cluster identity.
 */
@Singleton
@Requires(missingProperty = "peering.acl.kms-key-id")
public class IdentityKeySecretSealer implements SecretSealer {
    private static final String ACCESSOR_HEADER = "acc";
    private final ClusterIdentitySource identitySource;

    public IdentityKeySecretSealer(ClusterIdentitySource identitySource) {
        this.identitySource = identitySource;
    }

    @Override
    public String seal(String accessorId, String secretId) {
        try {
            JWEObject jwe = new JWEObject(new JWEHeader.Builder(JWEAlgorithm.ECDH_ES_A256KW, EncryptionMethod.A256GCM)
                    .customParam(ACCESSOR_HEADER, accessorId).build(), new Payload(secretId));
            jwe.encrypt(new ECDHEncrypter(identitySource.identity().signingKey().toECPublicKey()));
            return jwe.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("the SecretID cannot be sealed", e);
        }
    }

    @Override
    public String open(String accessorId, String sealed) {
        try {
            JWEObject jwe = JWEObject.parse(sealed);
            if (!accessorId.equals(jwe.getHeader().getCustomParam(ACCESSOR_HEADER))) {
                throw new IllegalStateException("the sealed SecretID belongs to another token");
            }
            jwe.decrypt(new ECDHDecrypter(identitySource.identity().signingKey()));
            return jwe.getPayload().toString();
        } catch (ParseException | JOSEException e) {
            throw new IllegalStateException("the sealed SecretID cannot be opened", e);
        }
    }
}
