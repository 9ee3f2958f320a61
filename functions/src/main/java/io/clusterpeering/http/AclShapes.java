package io.clusterpeering.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.clusterpeering.acl.AclPolicy;
import io.clusterpeering.acl.AclToken;
import io.clusterpeering.service.AclManagementService.TokenDetails;

import java.util.List;

/**
 * The JSON shapes of Consul's ACL API ({@code agent/structs/acl.go}): tokens, token list stubs, policies and
 * policy list stubs, with Consul's field names, order and omissions (empty Policies, identities and a null
 * ExpirationTime are left out; Datacenters is {@code null} when empty; list stubs of policies have no Rules).
 */
public final class AclShapes {
    private AclShapes() {
    }

    /**
     * A token, or a token list stub (same fields). {@code ID} appears only in the bootstrap answer (Consul's
     * legacy copy of the SecretID).
     */
    public record TokenView(
            @JsonProperty("ID") @JsonInclude(JsonInclude.Include.NON_NULL) String legacyId,
            @JsonProperty("AccessorID") String accessorId,
            @JsonProperty("SecretID") String secretId,
            @JsonProperty("Description") String description,
            @JsonProperty("Policies") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<LinkView> policies,
            @JsonProperty("ServiceIdentities") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ServiceIdentityView> serviceIdentities,
            @JsonProperty("NodeIdentities") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<NodeIdentityView> nodeIdentities,
            @JsonProperty("Local") boolean local,
            @JsonProperty("ExpirationTime") @JsonInclude(JsonInclude.Include.NON_NULL) String expirationTime,
            @JsonProperty("CreateTime") String createTime,
            @JsonProperty("Hash") String hash,
            @JsonProperty("CreateIndex") long createIndex,
            @JsonProperty("ModifyIndex") long modifyIndex) {

        /** The view of a token as the ACL API answers it. */
        public static TokenView of(TokenDetails details) {
            AclToken t = details.token();
            return new TokenView(null, t.accessorId(), details.secretId(), t.description(),
                    details.policies().stream().map(p -> new LinkView(p.id(), p.name())).toList(),
                    t.serviceIdentities().stream().map(i -> new ServiceIdentityView(i.serviceName(), i.datacenters())).toList(),
                    t.nodeIdentities().stream().map(i -> new NodeIdentityView(i.nodeName(), i.datacenter())).toList(),
                    t.local(), t.expirationTime() == null ? null : t.expirationTime().toString(),
                    t.createTime().toString(), t.hash(), t.createIndex(), t.modifyIndex());
        }

        /** The bootstrap answer: the token plus Consul's legacy {@code ID}, a copy of the SecretID. */
        public static TokenView bootstrapped(TokenDetails details) {
            TokenView view = of(details);
            return new TokenView(details.secretId(), view.accessorId(), view.secretId(), view.description(),
                    view.policies(), view.serviceIdentities(), view.nodeIdentities(), view.local(),
                    view.expirationTime(), view.createTime(), view.hash(), view.createIndex(), view.modifyIndex());
        }
    }

    /** A policy link: ID and current Name. */
    public record LinkView(@JsonProperty("ID") String id, @JsonProperty("Name") String name) {
    }

    /** A service identity. */
    public record ServiceIdentityView(
            @JsonProperty("ServiceName") String serviceName,
            @JsonProperty("Datacenters") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> datacenters) {
    }

    /** A node identity. */
    public record NodeIdentityView(@JsonProperty("NodeName") String nodeName,
                                   @JsonProperty("Datacenter") String datacenter) {
    }

    /** A policy; {@link #stub} drops its Rules for lists, as Consul's policy list does. */
    public record PolicyView(
            @JsonProperty("ID") String id,
            @JsonProperty("Name") String name,
            @JsonProperty("Description") String description,
            @JsonProperty("Rules") @JsonInclude(JsonInclude.Include.NON_NULL) String rules,
            @JsonProperty("Datacenters") List<String> datacenters,
            @JsonProperty("Hash") String hash,
            @JsonProperty("CreateIndex") long createIndex,
            @JsonProperty("ModifyIndex") long modifyIndex) {

        /** The full policy. */
        public static PolicyView of(AclPolicy p) {
            return new PolicyView(p.id(), p.name(), p.description(), p.rules(),
                    p.datacenters().isEmpty() ? null : p.datacenters(), p.hash(), p.createIndex(), p.modifyIndex());
        }

        /** The list stub: no Rules. */
        public static PolicyView stub(AclPolicy p) {
            return new PolicyView(p.id(), p.name(), p.description(), null,
                    p.datacenters().isEmpty() ? null : p.datacenters(), p.hash(), p.createIndex(), p.modifyIndex());
        }
    }
}
