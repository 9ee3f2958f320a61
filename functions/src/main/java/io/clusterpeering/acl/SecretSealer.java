package io.clusterpeering.acl;

/**
 * Seals ACL token SecretIDs at rest. Consul returns a token's SecretID to holders of {@code acl:write} (the
 * Terraform provider's {@code consul_acl_token_secret_id} depends on it), so a SecretID must be recoverable;
 * it is therefore kept encrypted with a key that only the ACL functions can use (KMS in AWS, the cluster
 * identity's key locally), beside a SHA-256 hash used for lookups. A sealed value is bound to its AccessorID:
 * opening it under another AccessorID fails.
 */
public interface SecretSealer {

    /**
     * Encrypts a SecretID.
     *
     * @param accessorId the token the SecretID belongs to, bound into the sealed value
     * @param secretId   the SecretID in clear
     * @return the sealed value, printable ASCII
     */
    String seal(String accessorId, String secretId);

    /**
     * Decrypts a sealed SecretID.
     *
     * @throws IllegalStateException when the value was not sealed by this key for this AccessorID
     */
    String open(String accessorId, String sealed);
}
