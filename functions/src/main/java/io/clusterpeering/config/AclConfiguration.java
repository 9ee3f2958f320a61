package io.clusterpeering.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import java.time.Duration;
import java.util.Optional;

/**
 * Consul's {@code acl { ... }} agent block, under {@code peering.acl.*} (environment {@code PEERING_ACL_*}).
 * <ul>
 *   <li>{@code PEERING_ACL_ENABLED}: enforce ACLs. Off by default locally, as in Consul; the CDK stack turns
 *       them on. Off means every check passes and every {@code /v1/acl/*} route answers 401
 *       {@code ACL support disabled}.</li>
 *   <li>{@code PEERING_ACL_DEFAULT_POLICY}: {@code allow} or {@code deny} (default), the decision when no rule
 *       of the caller's token matches. A default {@code allow} never grants {@code acl:read}/{@code acl:write}.</li>
 *   <li>{@code PEERING_ACL_KMS_KEY_ID}: when set, token SecretIDs are sealed at rest with this KMS key (AWS);
 *       otherwise with the cluster identity's key (local runs).</li>
 * </ul>
 */
@ConfigurationProperties("peering.acl")
public interface AclConfiguration {

    /** Whether ACLs are enforced. */
    boolean isEnabled();

    /** {@code allow} or {@code deny}: what happens when no rule decides. */
    @NotNull
    @Pattern(regexp = "allow|deny", message = "peering.acl.default-policy must be allow or deny")
    String getDefaultPolicy();

    /** The shortest ExpirationTTL a token may get; Consul's default is 1 minute. */
    @NotNull
    Duration getTokenMinExpirationTtl();

    /** The longest ExpirationTTL a token may get; Consul's default is 24 hours. */
    @NotNull
    Duration getTokenMaxExpirationTtl();

    /** The KMS key (ID, alias or ARN) that seals SecretIDs, when they are sealed with KMS. */
    Optional<String> getKmsKeyId();

    /** Whether the default policy is {@code allow}. */
    default boolean defaultAllow() {
        return "allow".equals(getDefaultPolicy());
    }

    /** The value of Consul's {@code X-Consul-Default-ACL-Policy} header: {@code allow} whenever ACLs are off. */
    default String effectiveDefaultPolicy() {
        return isEnabled() ? getDefaultPolicy() : "allow";
    }
}
