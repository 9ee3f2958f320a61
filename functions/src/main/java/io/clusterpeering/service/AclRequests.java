package io.clusterpeering.service;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * The bodies of Consul's ACL write endpoints, as Consul's Go {@code api} package sends them: every field of
 * {@code api.ACLToken} and {@code api.ACLPolicy} is accepted (read-only ones such as {@code CreateIndex},
 * {@code Hash} and {@code CreateTime} are ignored), and anything else is refused, as Consul decodes ACL bodies
 * strictly.
 */
public final class AclRequests {
    private AclRequests() {
    }

    /**
     * {@code PUT /v1/acl/token[/:AccessorID]}: a token to create or replace.
     *
     * @param accessorId        a chosen AccessorID (UUID), or empty for a random one
     * @param secretId          a chosen SecretID (UUID), or empty for a random one
     * @param description       free text
     * @param policies          links by ID and/or Name
     * @param roles             roles (not supported: must be empty)
     * @param serviceIdentities service identities
     * @param nodeIdentities    node identities
     * @param templatedPolicies templated policies (not supported: must be empty)
     * @param local             local to this datacenter
     * @param authMethod        must be empty outside a login
     * @param expirationTtl     a Go duration ({@code "1h"}) or nanoseconds (the Go client's number), or null
     * @param expirationTime    an RFC 3339 time, or null
     */
    public record TokenBody(
            @JsonProperty("AccessorID") String accessorId,
            @JsonProperty("SecretID") String secretId,
            @JsonProperty("Description") String description,
            @JsonProperty("Policies") List<Link> policies,
            @JsonProperty("Roles") List<Link> roles,
            @JsonProperty("ServiceIdentities") List<ServiceIdentityBody> serviceIdentities,
            @JsonProperty("NodeIdentities") List<NodeIdentityBody> nodeIdentities,
            @JsonProperty("TemplatedPolicies") List<Object> templatedPolicies,
            @JsonProperty("Local") Boolean local,
            @JsonProperty("AuthMethod") String authMethod,
            @JsonProperty("ExpirationTTL") Object expirationTtl,
            @JsonProperty("ExpirationTime") String expirationTime,
            @JsonProperty("CreateTime") Object createTime,
            @JsonProperty("Hash") Object hash,
            @JsonProperty("CreateIndex") Object createIndex,
            @JsonProperty("ModifyIndex") Object modifyIndex,
            @JsonProperty("Legacy") Object legacy,
            @JsonProperty("Rules") Object rules,
            @JsonProperty("Namespace") String namespace,
            @JsonProperty("Partition") String partition,
            @JsonProperty("AuthMethodNamespace") String authMethodNamespace) {
    }

    /**
     * {@code PUT /v1/acl/policy[/:id]}: a policy to create or replace.
     *
     * @param id          must be empty on create; when given on update, the URL's ID
     * @param name        the policy's name
     * @param description free text
     * @param rules       HCL or JSON rules
     * @param datacenters where it applies; empty or null for everywhere
     */
    public record PolicyBody(
            @JsonProperty("ID") String id,
            @JsonProperty("Name") String name,
            @JsonProperty("Description") String description,
            @JsonProperty("Rules") String rules,
            @JsonProperty("Datacenters") List<String> datacenters,
            @JsonProperty("Hash") Object hash,
            @JsonProperty("CreateIndex") Object createIndex,
            @JsonProperty("ModifyIndex") Object modifyIndex,
            @JsonProperty("Namespace") String namespace,
            @JsonProperty("Partition") String partition) {
    }

    /** {@code PUT /v1/acl/token/:AccessorID/clone}: the clone's description (empty keeps the original's). */
    public record CloneBody(@JsonProperty("Description") String description) {
    }

    /** {@code PUT /v1/acl/bootstrap}: an optional SecretID to give the management token. */
    public record BootstrapBody(@JsonProperty("BootstrapSecret") String bootstrapSecret) {
    }

    /**
     * A link to a policy (or role) by ID and/or Name.
     *
     * @param id   the ID, or empty
     * @param name the name, or empty
     */
    public record Link(@JsonProperty("ID") String id, @JsonProperty("Name") String name) {
    }

    /**
     * A service identity.
     *
     * @param serviceName the service (lower-case alphanumerics, {@code -} and {@code _})
     * @param datacenters where it applies
     */
    public record ServiceIdentityBody(@JsonProperty("ServiceName") String serviceName,
                                      @JsonProperty("Datacenters") List<String> datacenters) {
    }

    /**
     * A node identity.
     *
     * @param nodeName   the node
     * @param datacenter its datacenter
     */
    public record NodeIdentityBody(@JsonProperty("NodeName") String nodeName,
                                   @JsonProperty("Datacenter") String datacenter) {
    }
}
