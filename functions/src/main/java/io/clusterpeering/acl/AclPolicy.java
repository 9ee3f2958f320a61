package io.clusterpeering.acl;

import java.util.List;

/**
 * One ACL policy, as Consul's {@code structs.ACLPolicy}: a named set of rules, optionally valid only in some
 * datacenters.
 *
 * @param id          a UUID; the builtin global-management policy is {@link #GLOBAL_MANAGEMENT_ID}
 * @param name        unique (case-insensitively), alphanumerics, {@code -} and {@code _}, at most 128 characters
 * @param description free text
 * @param rules       the rules in HCL or JSON, as given
 * @param datacenters where the policy applies; empty means everywhere
 * @param hash        an opaque digest of the policy's content, changed by every edit
 * @param createIndex the Consul index of its creation
 * @param modifyIndex the Consul index of its last change
 */
public record AclPolicy(String id, String name, String description, String rules, List<String> datacenters,
                        String hash, long createIndex, long modifyIndex) {
    /** The ID of Consul's builtin {@code global-management} policy. */
    public static final String GLOBAL_MANAGEMENT_ID = "00000000-0000-0000-0000-000000000001";
    /** The name of Consul's builtin policy that grants everything. */
    public static final String GLOBAL_MANAGEMENT_NAME = "global-management";
    /** The builtin policy's description, as Consul's. */
    public static final String GLOBAL_MANAGEMENT_DESCRIPTION = "Builtin Policy that grants unlimited access";

    public AclPolicy {
        datacenters = datacenters == null ? List.of() : List.copyOf(datacenters);
        description = description == null ? "" : description;
        rules = rules == null ? "" : rules;
    }

    /** Whether this is the builtin global-management policy. */
    public boolean builtin() {
        return GLOBAL_MANAGEMENT_ID.equals(id);
    }

    /**
     * This policy with its {@code Hash} computed from its content (Name, Description, Rules, Datacenters and
     * ModifyIndex), as Consul's {@code ACLPolicy.SetHash}: the tokens that copy its rules record it, and a write
     * conditional on it fails after a concurrent edit.
     */
    public AclPolicy hashed() {
        String digest = ContentHash.of("policy", name, description, rules, String.join(",", datacenters),
                Long.toString(modifyIndex));
        return new AclPolicy(id, name, description, rules, datacenters, digest, createIndex, modifyIndex);
    }

    /** Whether the policy applies in the datacenter. */
    public boolean appliesIn(String datacenter) {
        return datacenters.isEmpty() || datacenters.contains(datacenter);
    }
}
