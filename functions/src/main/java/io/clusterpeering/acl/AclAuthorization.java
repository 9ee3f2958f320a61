package io.clusterpeering.acl;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
     * The check item of a token: its expiry and a copy of the rules of its policies (with each policy's hash, so
     * a concurrent edit is detected) and of its service and node identities, as Consul's token resolution
     * collects them. Links to policies missing from {@code policies} are left out, as Consul skips deleted ones.
     *
     * @param token    the token
     * @param policies its linked policies by ID, as read
     */
    public static AclAuthorization of(AclToken token, Map<String, AclPolicy> policies) {
        List<Grant> grants = new ArrayList<>();
        for (String id : token.policyIds()) {
            AclPolicy policy = policies.get(id);
            if (policy != null) {
                grants.add(new Grant(policy.id(), policy.hash(), policy.datacenters(), policy.rules()));
            }
        }
        token.serviceIdentities().forEach(i -> grants.add(new Grant(null, null, i.datacenters(), i.rules())));
        token.nodeIdentities().forEach(i -> grants.add(new Grant(null, null, List.of(i.datacenter()), i.rules())));
        return new AclAuthorization(token.accessorId(), token.expirationTime(), grants);
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
