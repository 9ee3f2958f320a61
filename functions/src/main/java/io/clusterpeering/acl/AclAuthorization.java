package io.clusterpeering.acl;

import java.time.Instant;
import java.util.List;

/**
 * What an ACL check needs to decide, kept in one item per token under the hash of its SecretID, so that a
 * check costs exactly one read whatever the number of policies: the token's AccessorID, its expiry and a copy
 * of the rules of every policy and identity it carries. Every write of a token, and every edit or deletion of
 * a policy it links, rewrites this item in the same transaction, so a change applies to the next request.
 *
 * @param accessorId     the token
 * @param expirationTime when it stops working, or null
 * @param grants         the rules it carries
 */
public record AclAuthorization(String accessorId, Instant expirationTime, List<Grant> grants) {

    public AclAuthorization {
        grants = grants == null ? List.of() : List.copyOf(grants);
    }

    /**
     * One source of rules of a token.
     *
     * @param policyId    the policy, or null for rules synthesised from a service or node identity
     * @param policyHash  the policy's hash when copied (a concurrent policy edit is detected by it), or null
     * @param datacenters where the rules apply; empty means everywhere
     * @param rules       the rules text
     */
    public record Grant(String policyId, String policyHash, List<String> datacenters, String rules) {
        public Grant {
            datacenters = datacenters == null ? List.of() : List.copyOf(datacenters);
            rules = rules == null ? "" : rules;
        }

        /** Whether these rules apply in the datacenter. */
        public boolean appliesIn(String datacenter) {
            return datacenters.isEmpty() || datacenters.contains(datacenter);
        }
    }
}
