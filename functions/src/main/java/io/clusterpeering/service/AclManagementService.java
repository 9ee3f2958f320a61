package io.clusterpeering.service;

import io.clusterpeering.acl.AccessLevel;
import io.clusterpeering.acl.AclAuthorization;
import io.clusterpeering.acl.AclAuthorization.Grant;
import io.clusterpeering.acl.AclPolicy;
import io.clusterpeering.acl.AclToken;
import io.clusterpeering.acl.AclToken.NodeIdentity;
import io.clusterpeering.acl.AclToken.ServiceIdentity;
import io.clusterpeering.acl.Caller;
import io.clusterpeering.acl.InvalidRulesException;
import io.clusterpeering.acl.PolicyRules;
import io.clusterpeering.acl.Resource;
import io.clusterpeering.acl.SecretSealer;
import io.clusterpeering.config.AclConfiguration;
import io.clusterpeering.domain.GoDurations;
import io.clusterpeering.domain.PeeringException.AclEntityNotFound;
import io.clusterpeering.domain.PeeringException.AclNotFound;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.domain.PeeringException.PeeringConflict;
import io.clusterpeering.domain.PeeringException.PermissionDenied;
import io.clusterpeering.service.AclRequests.BootstrapBody;
import io.clusterpeering.service.AclRequests.Link;
import io.clusterpeering.service.AclRequests.PolicyBody;
import io.clusterpeering.service.AclRequests.TokenBody;
import io.clusterpeering.store.AclStore;
import io.clusterpeering.store.AclStore.PolicyChanged;
import io.clusterpeering.store.AclStore.TokenWithAuthorization;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Consul's ACL management (the {@code ACL} RPC endpoint of {@code agent/consul/acl_endpoint.go}): bootstrap, and
 * the policy and token use cases of the {@code /v1/acl/*} API, with Consul's validation texts (as 400s naming the
 * field, where Consul answers 500). Resolving a request's token is {@link AclResolver}'s, which the request path
 * uses alone. Knows nothing of Lambda or HTTP.
 */
@Singleton
public class AclManagementService {
    /** What acl:read-only callers see in place of a SecretID, as in Consul. */
    public static final String HIDDEN_SECRET = "<hidden>";
    private static final String RESERVED_PREFIX = "00000000-0000-0000-0000-0000000000";
    private static final Pattern UUID_FORMAT = Pattern.compile(
            "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    private static final Pattern POLICY_NAME = Pattern.compile("^[A-Za-z0-9\\-_]{1,128}$");
    private static final Pattern SERVICE_IDENTITY_NAME = Pattern.compile("^[a-z0-9]([a-z0-9\\-_]*[a-z0-9])?$");
    private static final int RETRIES = 5;

    private final AclStore store;
    private final SecretSealer sealer;
    private final AclConfiguration config;
    private final AuditRecorder audit;

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
        String secret = body == null || blank(body.bootstrapSecret()) ? newSecretId()
                : requireUuid(body.bootstrapSecret(), "BootstrapSecret");
        long index = store.nextIndex();
        Instant now = Instant.now();
        AclPolicy management = new AclPolicy(AclPolicy.GLOBAL_MANAGEMENT_ID, AclPolicy.GLOBAL_MANAGEMENT_NAME,
                AclPolicy.GLOBAL_MANAGEMENT_DESCRIPTION, PolicyRules.GLOBAL_MANAGEMENT_RULES, List.of(), null, index, index);
        management = withHash(management);
        AclToken token = withHash(new AclToken(newAccessorId(), AclResolver.secretHash(secret), null,
                "Bootstrap Token (Global Management)", List.of(management.id()), List.of(), List.of(), false, null,
                now, null, index, index));
        token = sealed(token, secret);
        AclToken anonymous = withHash(new AclToken(Caller.ANONYMOUS_ACCESSOR_ID,
                AclResolver.secretHash(AclToken.ANONYMOUS_SECRET_ID), null, "Anonymous Token", List.of(), List.of(), List.of(),
                false, null, now, null, index, index));
        store.bootstrapOnce(index, management, List.of(
                new TokenWithAuthorization(token, authorization(token, Map.of(management.id(), management))),
                new TokenWithAuthorization(anonymous, authorization(anonymous, Map.of()))));
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
        if (!blank(body.id())) {
            throw new InvalidRequest("Cannot specify the ID when creating a new policy");
        }
        long index = store.nextIndex();
        AclPolicy policy = withHash(new AclPolicy(UUID.randomUUID().toString(), requirePolicyName(body.name()),
                body.description(), requireRules(body.rules()), requireDatacenters(body.datacenters()), null,
                index, index));
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
        if (!blank(body.id()) && !body.id().equals(id)) {
            throw new InvalidRequest("Policy ID in URL and payload do not match");
        }
        String name = requirePolicyName(body.name());
        String rules = requireRules(body.rules());
        List<String> datacenters = requireDatacenters(body.datacenters());
        AclPolicy result = retrying(() -> {
            AclPolicy previous = store.findPolicy(id).orElseThrow(() ->
                    new AclEntityNotFound("Cannot find policy \"" + id + "\": ACL not found"));
            if (previous.builtin() && !previous.rules().equals(rules)) {
                throw new InvalidRequest("Changing the Rules for the builtin global-management policy is not permitted");
            }
            if (previous.builtin() && !previous.datacenters().equals(datacenters)) {
                throw new InvalidRequest("Changing the Datacenters of the builtin global-management policy is not permitted");
            }
            AclPolicy updated = withHash(new AclPolicy(id, name, body.description(), rules, datacenters, null,
                    previous.createIndex(), store.nextIndex()));
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
                AclToken unlinked = withHash(copy(token, token.description(), remaining, store.nextIndex()));
                rewrites.add(new TokenWithAuthorization(unlinked, authorization(unlinked, store.findPolicies(remaining))));
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
                AclToken fixed = withHash(copy(t, t.description(), linked, store.nextIndex()));
                return new TokenWithAuthorization(fixed, authorization(fixed, current));
            }).toList());
        }
    }

    private List<TokenWithAuthorization> rewrites(List<AclToken> tokens, Map<String, AclPolicy> replaced) {
        Set<String> ids = new LinkedHashSet<>();
        tokens.forEach(t -> ids.addAll(t.policyIds()));
        ids.removeAll(replaced.keySet());
        Map<String, AclPolicy> policies = new LinkedHashMap<>(store.findPolicies(ids));
        policies.putAll(replaced);
        return tokens.stream().map(t -> new TokenWithAuthorization(t, authorization(t, policies))).toList();
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
        String accessorId = blank(body.accessorId()) ? newAccessorId() : requireUserUuid(body.accessorId(), "AccessorID");
        String secret = blank(body.secretId()) ? newSecretId() : requireUserUuid(body.secretId(), "SecretID");
        requireNoUnsupported(body);
        Instant now = Instant.now();
        Instant expiration = expiration(body, now);
        List<ServiceIdentity> services = serviceIdentities(body);
        List<NodeIdentity> nodes = nodeIdentities(body);
        TokenDetails created = retrying(() -> {
            Map<String, AclPolicy> policies = linkedPolicies(body.policies());
            long index = store.nextIndex();
            AclToken token = sealed(withHash(new AclToken(accessorId, AclResolver.secretHash(secret), null, body.description(),
                    List.copyOf(policies.keySet()), services, nodes, Boolean.TRUE.equals(body.local()), expiration, now,
                    null, index, index)), secret);
            store.createToken(token, authorization(token, policies), policies.values());
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
        if (!blank(body.accessorId()) && !body.accessorId().equals(accessorId)) {
            throw new InvalidRequest("Token Accessor ID in URL and payload do not match");
        }
        requireNoUnsupported(body);
        List<ServiceIdentity> services = serviceIdentities(body);
        List<NodeIdentity> nodes = nodeIdentities(body);
        TokenDetails result = retrying(() -> {
            AclToken existing = findLive(accessorId).orElseThrow(() ->
                    new AclEntityNotFound("Cannot find token \"" + accessorId + "\": ACL not found"));
            if (!blank(body.secretId()) && !AclResolver.secretHash(body.secretId()).equals(existing.secretHash())) {
                throw new InvalidRequest("Changing a token's SecretID is not permitted");
            }
            if (body.local() != null && body.local() != existing.local()) {
                throw new InvalidRequest("Cannot toggle local mode of " + accessorId);
            }
            if (!blank(body.expirationTime()) && !parseTime(body.expirationTime(), "ExpirationTime")
                    .equals(existing.expirationTime())) {
                throw new InvalidRequest("Cannot change expiration time of " + accessorId);
            }
            if (body.expirationTtl() != null && !isZero(body.expirationTtl())) {
                throw new InvalidRequest("Cannot change expiration time of " + accessorId);
            }
            Map<String, AclPolicy> policies = linkedPolicies(body.policies());
            AclToken updated = withHash(new AclToken(existing.accessorId(), existing.secretHash(),
                    existing.sealedSecret(), body.description(), List.copyOf(policies.keySet()), services, nodes,
                    existing.local(), existing.expirationTime(), existing.createTime(), null, existing.createIndex(),
                    store.nextIndex()));
            store.replaceToken(updated, existing.hash(), authorization(updated, policies), policies.values());
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
            AclToken clone = sealed(withHash(new AclToken(newAccessorId(), AclResolver.secretHash(secret), null,
                    blank(description) ? source.description() : description, List.copyOf(policies.keySet()),
                    source.serviceIdentities(), source.nodeIdentities(), source.local(), source.expirationTime(),
                    Instant.now(), null, index, index)), secret);
            store.createToken(clone, authorization(clone, policies), policies.values());
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
        if (blank(accessorId) || !UUID_FORMAT.matcher(accessorId).matches()) {
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

    // ---- building ----------------------------------------------------------------------------------------

    /** The check item of a token: its expiry and a copy of the rules of its policies and identities. */
    private static AclAuthorization authorization(AclToken token, Map<String, AclPolicy> policies) {
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

    private Map<String, AclPolicy> linkedPolicies(List<Link> links) {
        Map<String, AclPolicy> policies = new LinkedHashMap<>();
        if (links == null) {
            return policies;
        }
        for (int i = 0; i < links.size(); i++) {
            Link link = links.get(i);
            if (link == null || (blank(link.id()) && blank(link.name()))) {
                throw new InvalidRequest("Policies[" + i + "]: a policy link needs an ID or a Name");
            }
            AclPolicy policy;
            if (!blank(link.id())) {
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

    private static List<ServiceIdentity> serviceIdentities(TokenBody body) {
        List<ServiceIdentity> identities = new ArrayList<>();
        if (body.serviceIdentities() != null) {
            for (var identity : body.serviceIdentities()) {
                String name = identity == null ? null : identity.serviceName();
                if (blank(name) || !SERVICE_IDENTITY_NAME.matcher(name).matches() || name.length() > 256) {
                    throw new InvalidRequest("Service identity \"" + (name == null ? "" : name)
                            + "\" has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are allowed");
                }
                identities.add(new ServiceIdentity(name, identity.datacenters()));
            }
        }
        return identities;
    }

    private List<NodeIdentity> nodeIdentities(TokenBody body) {
        List<NodeIdentity> identities = new ArrayList<>();
        if (body.nodeIdentities() != null) {
            for (var identity : body.nodeIdentities()) {
                if (identity == null || blank(identity.nodeName())) {
                    throw new InvalidRequest("NodeIdentities: a node identity needs a NodeName");
                }
                if (blank(identity.datacenter())) {
                    throw new InvalidRequest("Node identity is missing the datacenter field on this token");
                }
                identities.add(new NodeIdentity(identity.nodeName(), identity.datacenter()));
            }
        }
        return identities;
    }

    private static void requireNoUnsupported(TokenBody body) {
        if (body.roles() != null && !body.roles().isEmpty()) {
            throw new InvalidRequest("Roles: ACL roles are not supported by this server; link policies instead");
        }
        if (body.templatedPolicies() != null && !body.templatedPolicies().isEmpty()) {
            throw new InvalidRequest("TemplatedPolicies: templated policies are not supported by this server");
        }
        if (!blank(body.authMethod())) {
            throw new InvalidRequest("AuthMethod field is disallowed outside of login");
        }
    }

    private Instant expiration(TokenBody body, Instant now) {
        boolean hasTtl = body.expirationTtl() != null && !isZero(body.expirationTtl());
        boolean hasTime = !blank(body.expirationTime());
        if (hasTtl && hasTime) {
            throw new InvalidRequest("Token Expiration TTL and Expiration Time cannot both be set");
        }
        Instant expiration;
        if (hasTtl) {
            Duration ttl = ttl(body.expirationTtl());
            if (ttl.isNegative() || ttl.isZero()) {
                throw new InvalidRequest("Token Expiration TTL '" + body.expirationTtl() + "' should be > 0");
            }
            expiration = now.plus(ttl);
        } else if (hasTime) {
            expiration = parseTime(body.expirationTime(), "ExpirationTime");
            if (expiration.isBefore(now)) {
                throw new InvalidRequest("ExpirationTime cannot be before CreateTime");
            }
        } else {
            return null;
        }
        Duration inFuture = Duration.between(now, expiration);
        if (inFuture.compareTo(config.getTokenMinExpirationTtl()) < 0) {
            throw new InvalidRequest("ExpirationTime cannot be less than " + GoDurations.format(config.getTokenMinExpirationTtl())
                    + " in the future (was " + GoDurations.format(inFuture) + ")");
        }
        if (inFuture.compareTo(config.getTokenMaxExpirationTtl()) > 0) {
            throw new InvalidRequest("ExpirationTime cannot be more than " + GoDurations.format(config.getTokenMaxExpirationTtl())
                    + " in the future (was " + GoDurations.format(inFuture) + ")");
        }
        return expiration;
    }

    private static Duration ttl(Object value) {
        if (value instanceof Number number) {
            return Duration.ofNanos(number.longValue());
        }
        try {
            return GoDurations.parse(value.toString());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest("ExpirationTTL: " + e.getMessage());
        }
    }

    private static boolean isZero(Object ttl) {
        return (ttl instanceof Number number && number.longValue() == 0) || "".equals(ttl) || "0s".equals(ttl)
                || "0".equals(ttl);
    }

    private static Instant parseTime(String value, String field) {
        try {
            return java.time.OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidRequest(field + ": \"" + value + "\" is not an RFC 3339 time");
        }
    }

    private static String requirePolicyName(String name) {
        if (blank(name)) {
            throw new InvalidRequest("Invalid Policy: no Name is set");
        }
        if (!POLICY_NAME.matcher(name).matches()) {
            throw new InvalidRequest("Invalid Policy: invalid Name. Only alphanumeric characters, '-' and '_' are allowed");
        }
        return name;
    }

    private static String requireRules(String rules) {
        try {
            PolicyRules.parse(rules);
        } catch (InvalidRulesException e) {
            throw new InvalidRequest(e.getMessage());
        }
        return rules == null ? "" : rules;
    }

    private static List<String> requireDatacenters(List<String> datacenters) {
        if (datacenters == null) {
            return List.of();
        }
        for (int i = 0; i < datacenters.size(); i++) {
            if (blank(datacenters.get(i))) {
                throw new InvalidRequest("Datacenters[" + i + "]: a datacenter name cannot be empty");
            }
        }
        return datacenters;
    }

    private static String requireUserUuid(String value, String field) {
        requireUuid(value, "Invalid Token: " + field);
        if (value.toLowerCase(Locale.ROOT).startsWith(RESERVED_PREFIX)) {
            throw new InvalidRequest("Invalid Token: " + field
                    + " - UUIDs with the prefix \"" + RESERVED_PREFIX + "\" are reserved");
        }
        return value;
    }

    private static String requireUuid(String value, String field) {
        if (!UUID_FORMAT.matcher(value).matches()) {
            throw new InvalidRequest(field + " - not a valid UUID");
        }
        return value;
    }

    private static String newAccessorId() {
        return UUID.randomUUID().toString();
    }

    private static String newSecretId() {
        return UUID.randomUUID().toString();
    }

    private AclToken sealed(AclToken token, String secret) {
        return new AclToken(token.accessorId(), token.secretHash(), sealer.seal(token.accessorId(), secret),
                token.description(), token.policyIds(), token.serviceIdentities(), token.nodeIdentities(),
                token.local(), token.expirationTime(), token.createTime(), token.hash(), token.createIndex(),
                token.modifyIndex());
    }

    private static AclToken copy(AclToken token, String description, List<String> policyIds, long modifyIndex) {
        return new AclToken(token.accessorId(), token.secretHash(), token.sealedSecret(), description, policyIds,
                token.serviceIdentities(), token.nodeIdentities(), token.local(), token.expirationTime(),
                token.createTime(), null, token.createIndex(), modifyIndex);
    }

    private static AclToken withHash(AclToken t) {
        String hash = digest("token", t.description(), String.join(",", t.policyIds()),
                t.serviceIdentities().toString(), t.nodeIdentities().toString(), Boolean.toString(t.local()),
                String.valueOf(t.expirationTime()), Long.toString(t.modifyIndex()));
        return new AclToken(t.accessorId(), t.secretHash(), t.sealedSecret(), t.description(), t.policyIds(),
                t.serviceIdentities(), t.nodeIdentities(), t.local(), t.expirationTime(), t.createTime(), hash,
                t.createIndex(), t.modifyIndex());
    }

    private static AclPolicy withHash(AclPolicy p) {
        String hash = digest("policy", p.name(), p.description(), p.rules(), String.join(",", p.datacenters()),
                Long.toString(p.modifyIndex()));
        return new AclPolicy(p.id(), p.name(), p.description(), p.rules(), p.datacenters(), hash, p.createIndex(),
                p.modifyIndex());
    }

    /** An opaque digest of an ACL object's content (Consul's {@code Hash}; SHA-256 here, base64). */
    private static String digest(String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                sha.update((part == null ? "" : part).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return Base64.getEncoder().encodeToString(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
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

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
