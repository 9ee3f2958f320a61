package io.clusterpeering.acl;

import java.time.Instant;
import java.util.List;

/**
 * One ACL token, as Consul's {@code structs.ACLToken}, without its SecretID in clear: the SecretID is kept
 * only as a SHA-256 hash (for lookups) and sealed by a {@link SecretSealer} (to give it back to
 * {@code acl:write} holders, as Consul does).
 *
 * @param accessorId        the token's public UUID
 * @param secretHash        SHA-256 (hex) of the SecretID
 * @param sealedSecret      the SecretID sealed for this AccessorID
 * @param description       free text
 * @param policyIds         the linked policies, by ID (Consul stores links by ID and shows current names)
 * @param serviceIdentities Consul's service identities: rules synthesised for a service and its sidecar
 * @param nodeIdentities    Consul's node identities: rules synthesised for a node
 * @param local             whether the token is local to its datacenter (kept for compatibility)
 * @param expirationTime    when the token stops working, or null for never
 * @param createTime        when it was created
 * @param hash              an opaque digest of the token's content
 * @param createIndex       the Consul index of its creation
 * @param modifyIndex       the Consul index of its last change
 */
public record AclToken(String accessorId, String secretHash, String sealedSecret, String description,
                       List<String> policyIds, List<ServiceIdentity> serviceIdentities,
                       List<NodeIdentity> nodeIdentities, boolean local, Instant expirationTime, Instant createTime,
                       String hash, long createIndex, long modifyIndex) {
    /** The SecretID of Consul's anonymous token. */
    public static final String ANONYMOUS_SECRET_ID = "anonymous";

    public AclToken {
        description = description == null ? "" : description;
        policyIds = policyIds == null ? List.of() : List.copyOf(policyIds);
        serviceIdentities = serviceIdentities == null ? List.of() : List.copyOf(serviceIdentities);
        nodeIdentities = nodeIdentities == null ? List.of() : List.copyOf(nodeIdentities);
    }

    /** Whether the token has expired at {@code now}. */
    public boolean expiredAt(Instant now) {
        return expirationTime != null && !expirationTime.isAfter(now);
    }

    /** Whether this is Consul's anonymous token. */
    public boolean anonymous() {
        return Caller.ANONYMOUS_ACCESSOR_ID.equals(accessorId);
    }

    /**
     * This token with its {@code Hash} computed from its content (Description, links, identities, Local,
     * expiration and ModifyIndex), as Consul's {@code ACLToken.SetHash}: every change of a token changes it, so
     * a write conditional on the hash it read fails after a concurrent change.
     */
    public AclToken hashed() {
        String digest = ContentHash.of("token", description, String.join(",", policyIds), serviceIdentities.toString(),
                nodeIdentities.toString(), Boolean.toString(local), String.valueOf(expirationTime),
                Long.toString(modifyIndex));
        return new AclToken(accessorId, secretHash, sealedSecret, description, policyIds, serviceIdentities,
                nodeIdentities, local, expirationTime, createTime, digest, createIndex, modifyIndex);
    }

    /** This token holding its SecretID sealed ({@link SecretSealer#seal}); the hash does not cover it. */
    public AclToken withSealedSecret(String sealed) {
        return new AclToken(accessorId, secretHash, sealed, description, policyIds, serviceIdentities, nodeIdentities,
                local, expirationTime, createTime, hash, createIndex, modifyIndex);
    }

    /**
     * This token linking other policies, as changed at {@code modifyIndex}, hashed again: what a policy's
     * deletion (or a repair after a concurrent policy change) writes for the tokens that linked it.
     */
    public AclToken relinked(List<String> newPolicyIds, long newModifyIndex) {
        return new AclToken(accessorId, secretHash, sealedSecret, description, newPolicyIds, serviceIdentities,
                nodeIdentities, local, expirationTime, createTime, null, createIndex, newModifyIndex).hashed();
    }

    /**
     * Consul's service identity: the rules of a token for one service's instances and sidecar.
     *
     * @param serviceName the service
     * @param datacenters where the identity applies; empty means everywhere
     */
    public record ServiceIdentity(String serviceName, List<String> datacenters) {
        public ServiceIdentity {
            datacenters = datacenters == null ? List.of() : List.copyOf(datacenters);
        }

        /** The rules Consul synthesises for it ({@code agent/structs/acl_ce.go}). */
        public String rules() {
            return "service \"" + serviceName + "\" { policy = \"write\" }\n"
                    + "service \"" + serviceName + "-sidecar-proxy\" { policy = \"write\" }\n"
                    + "service_prefix \"\" { policy = \"read\" }\n"
                    + "node_prefix \"\" { policy = \"read\" }\n";
        }
    }

    /**
     * Consul's node identity: the rules of a token for one node's agent.
     *
     * @param nodeName   the node
     * @param datacenter the one datacenter where it applies
     */
    public record NodeIdentity(String nodeName, String datacenter) {

        /** The rules Consul synthesises for it. */
        public String rules() {
            return "node \"" + nodeName + "\" { policy = \"write\" }\n"
                    + "service_prefix \"\" { policy = \"read\" }\n";
        }
    }
}
