package io.clusterpeering.service;

import io.clusterpeering.acl.AccessLevel;
import io.clusterpeering.acl.AclAuthorization;
import io.clusterpeering.acl.AclPolicy;
import io.clusterpeering.acl.AclToken;
import io.clusterpeering.acl.Caller;
import io.clusterpeering.acl.PolicyRules;
import io.clusterpeering.acl.Resource;
import io.clusterpeering.acl.SecretSealer;
import io.clusterpeering.config.AclConfiguration;
import io.clusterpeering.domain.PeeringException.AclEntityNotFound;
import io.clusterpeering.domain.PeeringException.AclNotFound;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.domain.PeeringException.PeeringConflict;
import io.clusterpeering.domain.PeeringException.PermissionDenied;
import io.clusterpeering.service.AclRequests.BootstrapBody;
import io.clusterpeering.service.AclRequests.CheckedToken;
import io.clusterpeering.service.AclRequests.Link;
import io.clusterpeering.service.AclRequests.PolicyBody;
import io.clusterpeering.service.AclRequests.TokenBody;
import io.clusterpeering.store.AclStore;
import io.clusterpeering.store.AclStore.PolicyChanged;
import io.clusterpeering.store.AclStore.TokenWithAuthorization;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import static io.clusterpeering.service.AclRequests.blank;

/**
 * Consul's ACL management (the {@code ACL} RPC endpoint of {@code agent/consul/acl_endpoint.go}): bootstrap, and
 * the policy and token use cases of the {@code /v1/acl/*} API. The bodies check their own fields
 * ({@link AclRequests}); this class checks what needs the store (unknown policies, the stored token or policy,
 * taken names and IDs through {@link AclStore}'s conditional writes), with Consul's texts as 400s naming the
 * field, where Consul answers 500. Only the ACL functions use it: resolving a request's token is
 * {@link AclResolver}'s. Knows nothing of Lambda or HTTP.
 */
@Singleton
public class AclManagementService {
    /** What acl:read-only callers see in place of a SecretID, as in Consul. */
    public static final String HIDDEN_SECRET = "<hidden>";
    private static final int RETRIES = 5;

    private final AclStore store;
    private final SecretSealer sealer;
    private final AclConfiguration config;
    private final AuditRecorder audit;

    /** The service over the ACL items, sealing SecretIDs with {@code sealer} and recording every change in the audit trail. */
    public AclManagementService(AclStore store, SecretSealer sealer, AclConfiguration config, AuditRecorder audit) {
        this.audit = audit;
        this.store = store;
        this.sealer = sealer;
        this.config = config;
    }

    // ---- bootstrap ---------------------------------------------------------------------------------------

    /**
     * Bootstraps ACLs ({@code PUT /v1/acl/bootstrap}): creates the builtin global-management policy, the
     * anonymous token and a management token, once.
     *
     * @param body an optional chosen SecretID ({@code BootstrapSecret}), else a random one
     * @return the management token with its SecretID in clear
     * @throws PermissionDenied with Consul's {@code Permission denied: ACL bootstrap no longer allowed (reset index: N)}
     *                          when it was done before; of concurrent calls exactly one succeeds
     * @throws InvalidRequest   when the chosen secret is not a UUID
     */
    public TokenDetails bootstrap(BootstrapBody body) {
        String secret = Optional.ofNullable(body).flatMap(BootstrapBody::validatedSecret)
                .orElseGet(AclManagementService::newSecretId);
        long index = store.nextIndex();
        Instant now = Instant.now();
        AclPolicy management = new AclPolicy(AclPolicy.GLOBAL_MANAGEMENT_ID, AclPolicy.GLOBAL_MANAGEMENT_NAME,
                AclPolicy.GLOBAL_MANAGEMENT_DESCRIPTION, PolicyRules.GLOBAL_MANAGEMENT_RULES, List.of(), null, index,
                index).hashed();
        AclToken token = sealed(new AclToken(newAccessorId(), AclResolver.secretHash(secret), null,
                "Bootstrap Token (Global Management)", List.of(management.id()), List.of(), List.of(), false, null,
                now, null, index, index).hashed(), secret);
        AclToken anonymous = new AclToken(Caller.ANONYMOUS_ACCESSOR_ID,
                AclResolver.secretHash(AclToken.ANONYMOUS_SECRET_ID), null, "Anonymous Token", List.of(), List.of(),
                List.of(), false, null, now, null, index, index).hashed();
        store.bootstrapOnce(index, management, List.of(
                new TokenWithAuthorization(token, AclAuthorization.of(token, Map.of(management.id(), management))),
                new TokenWithAuthorization(anonymous, AclAuthorization.of(anonymous, Map.of()))));
        recordAcl(null, "ACLs bootstrapped: management token " + token.accessorId() + " created");
        return new TokenDetails(token, secret, List.of(new PolicyLink(management.id(), management.name())));
    }

    // ---- policies ----------------------------------------------------------------------------------------

    /**
     * Creates a policy ({@code PUT /v1/acl/policy}).
     *
     * @throws InvalidRequest naming the field: an ID in the body, a missing or malformed Name, rules that do not
     *                        parse (naming the line), a taken name
     */
    public AclPolicy createPolicy(PolicyBody body, Caller caller) {
        PolicyBody valid = body.validatedForCreate();
        long index = store.nextIndex();
        AclPolicy policy = new AclPolicy(UUID.randomUUID().toString(), valid.name(), valid.description(),
                valid.rules(), valid.datacenters(), null, index, index).hashed();
        store.createPolicy(policy);
        recordAcl(caller, "policy " + policy.name() + " (" + policy.id() + ") created");
        return policy;
    }

    /** Reads a policy by ID. @throws AclEntityNotFound with Consul's {@code Requested policy does not exist: ACL not found} */
    public AclPolicy readPolicy(String id) {
        return store.findPolicy(id).orElseThrow(AclManagementService::policyNotFound);
    }

    /** Reads a policy by name. @throws AclEntityNotFound as {@link #readPolicy} */
    public AclPolicy readPolicyByName(String name) {
        return store.findPolicyByName(name).orElseThrow(AclManagementService::policyNotFound);
    }

    /** Every policy, ordered by ID. */
    public List<AclPolicy> listPolicies() {
        return store.listPolicies();
    }

    /**
     * Replaces a policy ({@code PUT /v1/acl/policy/:id}); the tokens that link it get its new rules in the same
     * transaction, so the edit applies to their very next request.
     *
     * @throws InvalidRequest    naming the field: URL and body IDs differ, a bad Name or rules, a taken name, a
     *                           change of the builtin policy's Rules or Datacenters
     * @throws AclEntityNotFound when there is no such policy
     */
    public AclPolicy updatePolicy(String id, PolicyBody body, Caller caller) {
        PolicyBody valid = body.validatedForUpdate(id);
        AclPolicy result = retrying(() -> {
            AclPolicy previous = store.findPolicy(id).orElseThrow(() ->
                    new AclEntityNotFound("Cannot find policy \"" + id + "\": ACL not found"));
            valid.requireBuiltinUnchanged(previous);
            AclPolicy updated = new AclPolicy(id, valid.name(), valid.description(), valid.rules(),
                    valid.datacenters(), null, previous.createIndex(), store.nextIndex()).hashed();
            List<AclToken> linking = tokensLinking(id);
            store.replacePolicy(previous, updated, rewrites(linking, Map.of(id, updated)));
            repairTokensLinkedMeanwhile(id, linking);
            return updated;
        });
        recordAcl(caller, "policy " + result.name() + " (" + id + ") updated");
        return result;
    }

    /**
     * Deletes a policy ({@code DELETE /v1/acl/policy/:id}); tokens that linked it lose its rules at once.
     * Deleting an unknown policy succeeds, as in Consul.
     *
     * @throws InvalidRequest for the builtin global-management policy
     */
    public void deletePolicy(String id, Caller caller) {
        if (AclPolicy.GLOBAL_MANAGEMENT_ID.equals(id)) {
            throw new InvalidRequest("Delete operation not permitted on the builtin global-management policy");
        }
        boolean deleted = Boolean.TRUE.equals(retrying(() -> {
            Optional<AclPolicy> existing = store.findPolicy(id);
            if (existing.isEmpty()) {
                return false;
            }
            List<AclToken> linking = tokensLinking(id);
            List<TokenWithAuthorization> rewrites = new ArrayList<>();
            for (AclToken token : linking) {
                List<String> remaining = token.policyIds().stream().filter(p -> !p.equals(id)).toList();
                AclToken unlinked = token.relinked(remaining, store.nextIndex());
                rewrites.add(new TokenWithAuthorization(unlinked, AclAuthorization.of(unlinked, store.findPolicies(remaining))));
            }
            store.deletePolicy(existing.get(), rewrites);
            repairTokensLinkedMeanwhile(id, linking);
            return true;
        }));
        if (deleted) {
            recordAcl(caller, "policy " + id + " deleted");
        }
    }

    private List<AclToken> tokensLinking(String policyId) {
        return store.listTokens().stream().filter(t -> t.policyIds().contains(policyId)).toList();
    }

    /**
     * A token created while a policy change was committing copied the policy's rules before the change, and the
     * change's list of tokens missed it. Its transaction checked the policy's hash, so it committed before the
     * change; reading the tokens again after the change therefore finds it, and it is rewritten here.
     */
    private void repairTokensLinkedMeanwhile(String policyId, List<AclToken> rewritten) {
        Set<String> done = new java.util.HashSet<>();
        rewritten.forEach(t -> done.add(t.accessorId()));
        List<AclToken> missed = tokensLinking(policyId).stream().filter(t -> !done.contains(t.accessorId())).toList();
        if (!missed.isEmpty()) {
            Set<String> ids = new LinkedHashSet<>();
            missed.forEach(t -> ids.addAll(t.policyIds()));
            Map<String, AclPolicy> current = store.findPolicies(ids);
            store.rewriteTokens(missed.stream().map(t -> {
                List<String> linked = t.policyIds().stream().filter(current::containsKey).toList();
                AclToken fixed = t.relinked(linked, store.nextIndex());
                return new TokenWithAuthorization(fixed, AclAuthorization.of(fixed, current));
            }).toList());
        }
    }

    private List<TokenWithAuthorization> rewrites(List<AclToken> tokens, Map<String, AclPolicy> replaced) {
        Set<String> ids = new LinkedHashSet<>();
        tokens.forEach(t -> ids.addAll(t.policyIds()));
        ids.removeAll(replaced.keySet());
        Map<String, AclPolicy> policies = new LinkedHashMap<>(store.findPolicies(ids));
        policies.putAll(replaced);
        return tokens.stream().map(t -> new TokenWithAuthorization(t, AclAuthorization.of(t, policies))).toList();
    }

    // ---- tokens ------------------------------------------------------------------------------------------

    /**
     * Creates a token ({@code PUT /v1/acl/token}); the answer carries its SecretID in clear.
     *
     * @throws InvalidRequest naming the field: malformed or reserved AccessorID/SecretID, IDs in use, unknown
     *                        policies, bad identities, roles or templated policies (not supported), an AuthMethod,
     *                        expiration outside the allowed range
     */
    public TokenDetails createToken(TokenBody body, Caller caller) {
        Instant now = Instant.now();
        CheckedToken valid = body.validatedForCreate(now, config.getTokenMinExpirationTtl(),
                config.getTokenMaxExpirationTtl());
        String accessorId = valid.accessorId() == null ? newAccessorId() : valid.accessorId();
        String secret = valid.secretId() == null ? newSecretId() : valid.secretId();
        TokenDetails created = retrying(() -> {
            Map<String, AclPolicy> policies = linkedPolicies(body.policies());
            long index = store.nextIndex();
            AclToken token = sealed(new AclToken(accessorId, AclResolver.secretHash(secret), null,
                    body.description(), List.copyOf(policies.keySet()), valid.serviceIdentities(),
                    valid.nodeIdentities(), Boolean.TRUE.equals(body.local()), valid.expirationTime(), now,
                    null, index, index).hashed(), secret);
            store.createToken(token, AclAuthorization.of(token, policies), policies.values());
            return new TokenDetails(token, secret, links(policies));
        });
        recordAcl(caller, "token " + accessorId + " created");
        return created;
    }

    /**
     * Reads a token ({@code GET /v1/acl/token/:AccessorID}). The SecretID is shown in clear only to a caller
     * with {@code acl:write}, else {@code <hidden>}, as Consul does.
     *
     * @throws AclEntityNotFound with Consul's {@code Requested token does not exist: ACL not found} (expired too)
     */
    public TokenDetails readToken(String accessorId, Caller caller) {
        AclToken token = findLive(accessorId).orElseThrow(AclManagementService::tokenNotFound);
        return details(token, secretFor(token, caller));
    }

    /**
     * The caller's own token ({@code GET /v1/acl/token/self}), SecretID in clear.
     *
     * @throws AclEntityNotFound with Consul's {@code Supplied token does not exist} for an unknown SecretID
     */
    public TokenDetails readSelf(Optional<String> secretId) {
        String secret = AclResolver.presentedSecret(secretId);
        Optional<AclAuthorization> authorization = AclResolver.isRootSecret(secret) ? Optional.empty()
                : store.findAuthorization(AclResolver.secretHash(secret));
        AclToken token = authorization.flatMap(a -> findLive(a.accessorId()))
                .orElseThrow(() -> new AclEntityNotFound("Supplied token does not exist"));
        return details(token, secret);
    }

    /**
     * Lists tokens ({@code GET /v1/acl/tokens}), expired ones left out; {@code ?policy=} keeps the tokens that
     * link that policy. SecretIDs as in {@link #readToken}.
     */
    public List<TokenDetails> listTokens(Optional<String> policyId, Caller caller) {
        Instant now = Instant.now();
        List<AclToken> tokens = store.listTokens().stream().filter(t -> !t.expiredAt(now))
                .filter(t -> policyId.filter(p -> !p.isEmpty()).map(p -> t.policyIds().contains(p)).orElse(true))
                .toList();
        Set<String> ids = new LinkedHashSet<>();
        tokens.forEach(t -> ids.addAll(t.policyIds()));
        Map<String, AclPolicy> policies = store.findPolicies(ids);
        return tokens.stream().map(t -> new TokenDetails(t, secretFor(t, caller), links(t, policies))).toList();
    }

    /**
     * Replaces a token's Description, policies and identities ({@code PUT /v1/acl/token/:AccessorID}).
     *
     * @throws InvalidRequest    naming the field: IDs that differ from the URL's, a changed SecretID, Local or
     *                           expiration, unknown policies, bad identities
     * @throws AclEntityNotFound when there is no such token
     */
    public TokenDetails updateToken(String accessorId, TokenBody body, Caller caller) {
        CheckedToken valid = body.validatedForUpdate(accessorId);
        TokenDetails result = retrying(() -> {
            AclToken existing = findLive(accessorId).orElseThrow(() ->
                    new AclEntityNotFound("Cannot find token \"" + accessorId + "\": ACL not found"));
            body.requireUnchangedFrom(existing);
            Map<String, AclPolicy> policies = linkedPolicies(body.policies());
            AclToken updated = new AclToken(existing.accessorId(), existing.secretHash(),
                    existing.sealedSecret(), body.description(), List.copyOf(policies.keySet()),
                    valid.serviceIdentities(), valid.nodeIdentities(), existing.local(), existing.expirationTime(), existing.createTime(), null, existing.createIndex(),
                    store.nextIndex()).hashed();
            store.replaceToken(updated, existing.hash(), AclAuthorization.of(updated, policies), policies.values());
            return new TokenDetails(updated, secretFor(updated, caller), links(policies));
        });
        recordAcl(caller, "token " + accessorId + " updated");
        return result;
    }

    /**
     * Clones a token ({@code PUT /v1/acl/token/:AccessorID/clone}): new AccessorID and SecretID, the same
     * policies, identities, Local and expiration; the given Description, or the original's when empty.
     *
     * @throws AclNotFound when there is no such token (Consul answers 403 {@code ACL not found} here)
     */
    public TokenDetails cloneToken(String accessorId, String description, Caller caller) {
        TokenDetails cloned = retrying(() -> {
            AclToken source = findLive(accessorId).orElseThrow(() -> new AclNotFound("ACL not found"));
            if (source.anonymous()) {
                throw new InvalidRequest("Cannot clone the anonymous token");
            }
            Map<String, AclPolicy> policies = store.findPolicies(source.policyIds());
            String secret = newSecretId();
            long index = store.nextIndex();
            AclToken clone = sealed(new AclToken(newAccessorId(), AclResolver.secretHash(secret), null,
                    blank(description) ? source.description() : description, List.copyOf(policies.keySet()),
                    source.serviceIdentities(), source.nodeIdentities(), source.local(), source.expirationTime(),
                    Instant.now(), null, index, index).hashed(), secret);
            store.createToken(clone, AclAuthorization.of(clone, policies), policies.values());
            return new TokenDetails(clone, secret, links(policies));
        });
        recordAcl(caller, "token " + cloned.token().accessorId() + " created as a clone of " + accessorId);
        return cloned;
    }

    /**
     * Deletes a token ({@code DELETE /v1/acl/token/:AccessorID}); its SecretID fails the very next request.
     * Deleting an unknown token succeeds, as in Consul.
     *
     * @throws InvalidRequest for a malformed AccessorID, the anonymous token, or the request's own token
     */
    public void deleteToken(String accessorId, Caller caller) {
        if (!AclRequests.isUuid(accessorId)) {
            throw new InvalidRequest("Accessor ID is missing or an invalid UUID");
        }
        if (Caller.ANONYMOUS_ACCESSOR_ID.equals(accessorId)) {
            throw new InvalidRequest("Delete operation not permitted on the anonymous token");
        }
        store.findToken(accessorId).ifPresent(token -> {
            if (token.secretHash().equals(caller.secretHash())) {
                throw new InvalidRequest("Deletion of the request's authorization token is not permitted");
            }
            store.deleteToken(token);
            recordAcl(caller, "token " + accessorId + " deleted");
        });
    }

    /** Records an ACL change in the audit trail (cluster-wide: it belongs to no peering). Never a SecretID. */
    private void recordAcl(Caller caller, String detail) {
        audit.recordClusterWide(UUID.randomUUID().toString(), AuditRecorder.actorOf(caller),
                io.clusterpeering.domain.AuditEvent.Kind.ACL_CHANGED, io.clusterpeering.domain.AuditEvent.SUCCESS, detail);
    }

    // ---- views -------------------------------------------------------------------------------------------

    /**
     * A token as the ACL API shows it.
     *
     * @param token    the stored token
     * @param secretId its SecretID in clear, or {@code <hidden>}
     * @param policies its policy links with current names (links to deleted policies left out)
     */
    public record TokenDetails(AclToken token, String secretId, List<PolicyLink> policies) {
    }

    /**
     * A policy link as Consul shows it.
     *
     * @param id   the policy ID
     * @param name its current name
     */
    public record PolicyLink(String id, String name) {
    }

    private TokenDetails details(AclToken token, String secret) {
        return new TokenDetails(token, secret, links(token, store.findPolicies(token.policyIds())));
    }

    private static List<PolicyLink> links(AclToken token, Map<String, AclPolicy> policies) {
        return token.policyIds().stream().filter(policies::containsKey)
                .map(id -> new PolicyLink(id, policies.get(id).name())).toList();
    }

    private static List<PolicyLink> links(Map<String, AclPolicy> policies) {
        return policies.values().stream().map(p -> new PolicyLink(p.id(), p.name())).toList();
    }

    private String secretFor(AclToken token, Caller caller) {
        if (token.anonymous()) {
            return AclToken.ANONYMOUS_SECRET_ID;
        }
        if (!caller.can(Resource.ACL, null, AccessLevel.WRITE) || token.sealedSecret() == null) {
            return HIDDEN_SECRET;
        }
        return sealer.open(token.accessorId(), token.sealedSecret());
    }

    private Optional<AclToken> findLive(String accessorId) {
        if (blank(accessorId)) {
            return Optional.empty();
        }
        Instant now = Instant.now();
        return store.findToken(accessorId).filter(t -> !t.expiredAt(now));
    }

    private Map<String, AclPolicy> linkedPolicies(List<Link> links) {
        Map<String, AclPolicy> policies = new LinkedHashMap<>();
        if (links == null) {
            return policies;
        }
        for (int i = 0; i < links.size(); i++) {
            Link link = (links.get(i) == null ? Link.EMPTY : links.get(i)).validated(i);
            AclPolicy policy;
            if (link.byId()) {
                policy = store.findPolicy(link.id()).orElseThrow(() ->
                        new InvalidRequest("No such ACL policy with ID \"" + link.id() + "\""));
            } else {
                policy = store.findPolicyByName(link.name()).orElseThrow(() ->
                        new InvalidRequest("No such ACL policy with name \"" + link.name() + "\""));
            }
            policies.putIfAbsent(policy.id(), policy);
        }
        return policies;
    }

    private static String newAccessorId() {
        return UUID.randomUUID().toString();
    }

    private static String newSecretId() {
        return UUID.randomUUID().toString();
    }

    private AclToken sealed(AclToken token, String secret) {
        return token.withSealedSecret(sealer.seal(token.accessorId(), secret));
    }

    private static <T> T retrying(Supplier<T> write) {
        for (int attempt = 1; ; attempt++) {
            try {
                return write.get();
            } catch (PolicyChanged changed) {
                if (attempt == RETRIES) {
                    throw new PeeringConflict("ACL policies or tokens keep changing concurrently; try again");
                }
            }
        }
    }

    private static AclEntityNotFound policyNotFound() {
        return new AclEntityNotFound("Requested policy does not exist: ACL not found");
    }

    private static AclEntityNotFound tokenNotFound() {
        return new AclEntityNotFound("Requested token does not exist: ACL not found");
    }

}
