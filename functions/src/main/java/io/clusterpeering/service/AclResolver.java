package io.clusterpeering.service;

import io.clusterpeering.acl.AclAuthorization;
import io.clusterpeering.acl.AclAuthorization.Grant;
import io.clusterpeering.acl.AclToken;
import io.clusterpeering.acl.Authorizer;
import io.clusterpeering.acl.Caller;
import io.clusterpeering.acl.PolicyRules;
import io.clusterpeering.acl.RouteAcl;
import io.clusterpeering.config.AclConfiguration;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.PeeringException.AclDisabled;
import io.clusterpeering.domain.PeeringException.AclNotFound;
import io.clusterpeering.domain.PeeringException.PermissionDenied;
import io.clusterpeering.store.AclStore;
import io.clusterpeering.token.EstablishmentSecrets;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Consul's {@code ACLResolver} ({@code agent/consul/acl.go}): turns a request's token into a {@link Caller} with
 * one strongly consistent read of its token-check item, and runs the route's ACL check. The only ACL class on
 * the request path: every HTTP function's base handler uses it, and it needs neither the SecretID sealer nor
 * the audit trail, so a function that is not an ACL function never creates them. Parsed rules are cached by
 * their text. Policy and token management is {@link AclManagementService}.
 */
@Singleton
public class AclResolver {
    /** Consul's reserved root-authorizer names, which can never be resolved as a SecretID. */
    private static final Set<String> ROOT_SECRETS = Set.of("allow", "deny", "manage");
    private static final int RULES_CACHE_LIMIT = 1024;

    private final AclStore store;
    private final AclConfiguration config;
    private final String datacenter;
    /** Parsed rules by their text: content-addressed, so it can never be stale. */
    private final Map<String, PolicyRules> parsedRules = new ConcurrentHashMap<>();

    /** A resolver for this cluster's datacenter ({@code peering.datacenter}) and ACL settings. */
    public AclResolver(AclStore store, AclConfiguration config, PeeringConfiguration peering) {
        this.store = store;
        this.config = config;
        this.datacenter = peering.getDatacenter();
    }

    /**
     * The one ACL check of a request, run by the base handler before any handler logic: with ACLs off every
     * route is open but the ACL API (401); with ACLs on the token is resolved (one read) and, for a route that
     * declares a permission, the permission is required.
     *
     * @param route    what the route requires
     * @param secretId the request's SecretID, empty for none
     * @return the caller, or null for a route that resolves no token
     * @throws AclDisabled      on an ACL API route while ACLs are off (401 {@code ACL support disabled})
     * @throws AclNotFound      for an unknown, expired or deleted SecretID (403)
     * @throws PermissionDenied when the route's permission is not granted (403, Consul's text)
     */
    public Caller authorize(RouteAcl route, Optional<String> secretId) {
        if (!config.isEnabled()) {
            if (route.aclApi()) {
                throw new AclDisabled();
            }
            return Caller.unrestricted();
        }
        return switch (route.kind()) {
            case NONE -> null;
            case HANDLER -> resolve(secretId);
            case PERMISSION -> {
                Caller caller = resolve(secretId);
                caller.require(route.permission());
                yield caller;
            }
        };
    }

    /**
     * Resolves the request's token, as a Consul server does, with one strongly consistent read: no token is
     * the anonymous token; a known, unexpired SecretID is its token, with its policies' rules for this
     * datacenter and the default policy.
     *
     * @param secretId the SecretID from the request, empty for none
     * @throws AclNotFound      with {@code ACL not found} for an unknown, expired or deleted SecretID (before
     *                          bootstrap: Consul's longer text saying ACLs must be bootstrapped)
     * @throws PermissionDenied with {@code Cannot resolve root ACL} for the reserved secrets allow, deny, manage
     */
    public Caller resolve(Optional<String> secretId) {
        String secret = presentedSecret(secretId);
        if (isRootSecret(secret)) {
            throw new PermissionDenied("Cannot resolve root ACL");
        }
        String hash = secretHash(secret);
        Optional<AclAuthorization> found = store.findAuthorization(hash)
                .filter(a -> a.expirationTime() == null || a.expirationTime().isAfter(Instant.now()));
        if (found.isPresent()) {
            return new Caller(found.get().accessorId(), hash, authorizer(found.get().grants()));
        }
        if (secret.equals(AclToken.ANONYMOUS_SECRET_ID)) {
            return new Caller(Caller.ANONYMOUS_ACCESSOR_ID, hash, authorizer(List.of()));
        }
        throw notFound();
    }

    /** SHA-256 of a SecretID: the form under which it is stored and looked up (never the SecretID itself). */
    public static String secretHash(String secretId) {
        return EstablishmentSecrets.hash(secretId);
    }

    /** The SecretID a request presents: its token, or the anonymous token's when it has none (as in Consul). */
    static String presentedSecret(Optional<String> secretId) {
        return secretId.filter(s -> !s.isEmpty()).orElse(AclToken.ANONYMOUS_SECRET_ID);
    }

    /** Whether the SecretID is one of Consul's root-authorizer names ({@code allow}, {@code deny}, {@code manage}). */
    static boolean isRootSecret(String secret) {
        return ROOT_SECRETS.contains(secret);
    }

    private AclNotFound notFound() {
        return new AclNotFound(store.bootstrapIndex().isPresent() ? "ACL not found"
                : "ACL system must be bootstrapped before making any requests that require authorization: ACL not found");
    }

    private Authorizer authorizer(List<Grant> grants) {
        List<PolicyRules> rules = new ArrayList<>();
        for (Grant grant : grants) {
            if (grant.appliesIn(datacenter)) {
                rules.add(parse(grant.rules()));
            }
        }
        return Authorizer.of(rules, config.defaultAllow());
    }

    private PolicyRules parse(String rules) {
        PolicyRules parsed = parsedRules.get(rules);
        if (parsed == null) {
            parsed = PolicyRules.parse(rules);
            if (parsedRules.size() >= RULES_CACHE_LIMIT) {
                parsedRules.clear();
            }
            parsedRules.put(rules, parsed);
        }
        return parsed;
    }
}
