package io.clusterpeering.service;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.clusterpeering.acl.AclPolicy;
import io.clusterpeering.acl.AclToken;
import io.clusterpeering.acl.AclToken.NodeIdentity;
import io.clusterpeering.acl.AclToken.ServiceIdentity;
import io.clusterpeering.acl.InvalidRulesException;
import io.clusterpeering.acl.PolicyRules;
import io.clusterpeering.domain.GoDurations;
import io.clusterpeering.domain.PeeringException.InvalidRequest;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The bodies of Consul's ACL write endpoints, as Consul's Go {@code api} package sends them: every field of
 * {@code api.ACLToken} and {@code api.ACLPolicy} is accepted (read-only ones such as {@code CreateIndex},
 * {@code Hash} and {@code CreateTime} are ignored), and anything else is refused, as Consul decodes ACL bodies
 * strictly.
 *
 * <p>Each body validates itself ({@code validated…} methods, Consul's checks of {@code acl_endpoint.go} and
 * {@code structs/acl.go} with its texts): every failure is an {@link InvalidRequest} (400) naming the field,
 * where Consul answers 500. The checks are methods, not compact constructors, so that decoding and validating
 * stay two steps: a constructor that threw would reach {@link io.clusterpeering.http.ConsulJson#readStrict} as a
 * decoding failure and change the answer's text, and a check that needs the stored token or the URL's ID has
 * nothing to check against while decoding.
 */
public final class AclRequests {
    private static final Pattern UUID_FORMAT = Pattern.compile(
            "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    /** Consul reserves the UUIDs with this prefix for its builtin tokens and policies. */
    private static final String RESERVED_PREFIX = "00000000-0000-0000-0000-0000000000";
    private static final Pattern POLICY_NAME = Pattern.compile("^[A-Za-z0-9\\-_]{1,128}$");
    private static final Pattern SERVICE_IDENTITY_NAME = Pattern.compile("^[a-z0-9]([a-z0-9\\-_]*[a-z0-9])?$");

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

        /**
         * Checks the body of a token create ({@code PUT /v1/acl/token}) in Consul's order: chosen IDs, unsupported
         * fields, expiration, identities. Policy links are checked one by one as they are looked up
         * ({@link Link#validated}).
         *
         * @param now    the token's CreateTime, from which the expiration is measured
         * @param minTtl the shortest expiration allowed ({@code peering.acl.token-min-expiration-ttl})
         * @param maxTtl the longest expiration allowed ({@code peering.acl.token-max-expiration-ttl})
         * @return what the body chooses, checked
         * @throws InvalidRequest naming the field: a malformed or reserved AccessorID/SecretID
         *                        ({@code Invalid Token: AccessorID - not a valid UUID}), roles, templated policies or
         *                        an AuthMethod, an ExpirationTTL and ExpirationTime both set, an expiration in the
         *                        past or outside {@code [minTtl, maxTtl]}, a bad service or node identity
         */
        public CheckedToken validatedForCreate(Instant now, Duration minTtl, Duration maxTtl) {
            String accessor = blank(accessorId) ? null : requireUserUuid(accessorId, "AccessorID");
            String secret = blank(secretId) ? null : requireUserUuid(secretId, "SecretID");
            requireSupported();
            Instant expiration = expiration(now, minTtl, maxTtl);
            return new CheckedToken(accessor, secret, expiration, validatedServiceIdentities(), validatedNodeIdentities());
        }

        /**
         * Checks the body of a token update ({@code PUT /v1/acl/token/:AccessorID}) before the token is read; the
         * fields a token keeps for life are checked against it by {@link #requireUnchangedFrom}.
         *
         * @param urlAccessorId the AccessorID in the URL
         * @return the URL's AccessorID and the body's identities, checked (no SecretID or expiration: they cannot change)
         * @throws InvalidRequest for an AccessorID that differs from the URL's
         *                        ({@code Token Accessor ID in URL and payload do not match}), roles, templated policies,
         *                        an AuthMethod, a bad service or node identity
         */
        public CheckedToken validatedForUpdate(String urlAccessorId) {
            if (!blank(accessorId) && !accessorId.equals(urlAccessorId)) {
                throw new InvalidRequest("Token Accessor ID in URL and payload do not match");
            }
            requireSupported();
            return new CheckedToken(urlAccessorId, null, null, validatedServiceIdentities(), validatedNodeIdentities());
        }

        /**
         * Checks that an update leaves what Consul never lets change: the SecretID, Local and the expiration.
         *
         * @param existing the token as stored
         * @throws InvalidRequest with Consul's {@code Changing a token's SecretID is not permitted},
         *                        {@code Cannot toggle local mode of <id>}, {@code Cannot change expiration time of <id>}
         *                        (an ExpirationTime that differs, or any ExpirationTTL), or for an ExpirationTime that
         *                        is not RFC 3339
         */
        public void requireUnchangedFrom(AclToken existing) {
            String id = existing.accessorId();
            if (!blank(secretId) && !AclResolver.secretHash(secretId).equals(existing.secretHash())) {
                throw new InvalidRequest("Changing a token's SecretID is not permitted");
            }
            if (local != null && local != existing.local()) {
                throw new InvalidRequest("Cannot toggle local mode of " + id);
            }
            if (!blank(expirationTime) && !parseTime(expirationTime, "ExpirationTime").equals(existing.expirationTime())) {
                throw new InvalidRequest("Cannot change expiration time of " + id);
            }
            if (expirationTtl != null && !isZeroTtl(expirationTtl)) {
                throw new InvalidRequest("Cannot change expiration time of " + id);
            }
        }

        private void requireSupported() {
            if (roles != null && !roles.isEmpty()) {
                throw new InvalidRequest("Roles: ACL roles are not supported by this server; link policies instead");
            }
            if (templatedPolicies != null && !templatedPolicies.isEmpty()) {
                throw new InvalidRequest("TemplatedPolicies: templated policies are not supported by this server");
            }
            if (!blank(authMethod)) {
                throw new InvalidRequest("AuthMethod field is disallowed outside of login");
            }
        }

        private Instant expiration(Instant now, Duration minTtl, Duration maxTtl) {
            boolean hasTtl = expirationTtl != null && !isZeroTtl(expirationTtl);
            boolean hasTime = !blank(expirationTime);
            if (hasTtl && hasTime) {
                throw new InvalidRequest("Token Expiration TTL and Expiration Time cannot both be set");
            }
            Instant expiration;
            if (hasTtl) {
                Duration ttl = ttl(expirationTtl);
                if (ttl.isNegative() || ttl.isZero()) {
                    throw new InvalidRequest("Token Expiration TTL '" + expirationTtl + "' should be > 0");
                }
                expiration = now.plus(ttl);
            } else if (hasTime) {
                expiration = parseTime(expirationTime, "ExpirationTime");
                if (expiration.isBefore(now)) {
                    throw new InvalidRequest("ExpirationTime cannot be before CreateTime");
                }
            } else {
                return null;
            }
            Duration inFuture = Duration.between(now, expiration);
            if (inFuture.compareTo(minTtl) < 0) {
                throw new InvalidRequest("ExpirationTime cannot be less than " + GoDurations.format(minTtl)
                        + " in the future (was " + GoDurations.format(inFuture) + ")");
            }
            if (inFuture.compareTo(maxTtl) > 0) {
                throw new InvalidRequest("ExpirationTime cannot be more than " + GoDurations.format(maxTtl)
                        + " in the future (was " + GoDurations.format(inFuture) + ")");
            }
            return expiration;
        }

        private List<ServiceIdentity> validatedServiceIdentities() {
            List<ServiceIdentity> identities = new ArrayList<>();
            if (serviceIdentities != null) {
                serviceIdentities.forEach(i -> identities.add((i == null ? ServiceIdentityBody.EMPTY : i).validated()));
            }
            return identities;
        }

        private List<NodeIdentity> validatedNodeIdentities() {
            List<NodeIdentity> identities = new ArrayList<>();
            if (nodeIdentities != null) {
                nodeIdentities.forEach(i -> identities.add((i == null ? NodeIdentityBody.EMPTY : i).validated()));
            }
            return identities;
        }
    }

    /**
     * What a token body chooses, checked ({@link TokenBody#validatedForCreate}, {@link TokenBody#validatedForUpdate}).
     *
     * @param accessorId        the chosen AccessorID, or null for a random one
     * @param secretId          the chosen SecretID, or null for a random one (always null on update)
     * @param expirationTime    when the token expires, or null for never (always null on update)
     * @param serviceIdentities the service identities
     * @param nodeIdentities    the node identities
     */
    public record CheckedToken(String accessorId, String secretId, Instant expirationTime,
                               List<ServiceIdentity> serviceIdentities, List<NodeIdentity> nodeIdentities) {
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

        /**
         * Checks the body of a policy create ({@code PUT /v1/acl/policy}).
         *
         * @return the body with its Rules and Datacenters made non-null
         * @throws InvalidRequest with Consul's {@code Cannot specify the ID when creating a new policy}, or as
         *                        {@link #validatedForUpdate}
         */
        public PolicyBody validatedForCreate() {
            if (!blank(id)) {
                throw new InvalidRequest("Cannot specify the ID when creating a new policy");
            }
            return validated();
        }

        /**
         * Checks the body of a policy update ({@code PUT /v1/acl/policy/:id}).
         *
         * @param urlId the ID in the URL
         * @return the body with its Rules and Datacenters made non-null
         * @throws InvalidRequest naming the field: an ID that differs from the URL's
         *                        ({@code Policy ID in URL and payload do not match}), no Name
         *                        ({@code Invalid Policy: no Name is set}) or one Consul refuses, rules that do not
         *                        parse (naming the line), an empty datacenter name
         */
        public PolicyBody validatedForUpdate(String urlId) {
            if (!blank(id) && !id.equals(urlId)) {
                throw new InvalidRequest("Policy ID in URL and payload do not match");
            }
            return validated();
        }

        /**
         * Checks that an update of the builtin global-management policy keeps its Rules and Datacenters, as Consul
         * requires (a rename and a new Description are allowed).
         *
         * @param previous the policy as stored
         * @throws InvalidRequest with Consul's {@code Changing the Rules for the builtin global-management policy is
         *                        not permitted} (or the Datacenters)
         */
        public void requireBuiltinUnchanged(AclPolicy previous) {
            if (previous.builtin() && !previous.rules().equals(rules)) {
                throw new InvalidRequest("Changing the Rules for the builtin global-management policy is not permitted");
            }
            if (previous.builtin() && !previous.datacenters().equals(datacenters)) {
                throw new InvalidRequest("Changing the Datacenters of the builtin global-management policy is not permitted");
            }
        }

        private PolicyBody validated() {
            if (blank(name)) {
                throw new InvalidRequest("Invalid Policy: no Name is set");
            }
            if (!POLICY_NAME.matcher(name).matches()) {
                throw new InvalidRequest("Invalid Policy: invalid Name. Only alphanumeric characters, '-' and '_' are allowed");
            }
            try {
                PolicyRules.parse(rules);
            } catch (InvalidRulesException e) {
                throw new InvalidRequest(e.getMessage());
            }
            List<String> checkedDatacenters = datacenters == null ? List.of() : datacenters;
            for (int i = 0; i < checkedDatacenters.size(); i++) {
                if (blank(checkedDatacenters.get(i))) {
                    throw new InvalidRequest("Datacenters[" + i + "]: a datacenter name cannot be empty");
                }
            }
            return new PolicyBody(id, name, description, rules == null ? "" : rules, checkedDatacenters, hash,
                    createIndex, modifyIndex, namespace, partition);
        }
    }

    /** {@code PUT /v1/acl/token/:AccessorID/clone}: the clone's description (empty keeps the original's). */
    public record CloneBody(@JsonProperty("Description") String description) {
    }

    /** {@code PUT /v1/acl/bootstrap}: an optional SecretID to give the management token. */
    public record BootstrapBody(@JsonProperty("BootstrapSecret") String bootstrapSecret) {

        /**
         * The SecretID the body chooses for the management token, checked.
         *
         * @return the chosen SecretID, or empty for a random one
         * @throws InvalidRequest with {@code BootstrapSecret - not a valid UUID}
         */
        public Optional<String> validatedSecret() {
            return blank(bootstrapSecret) ? Optional.empty() : Optional.of(requireUuid(bootstrapSecret, "BootstrapSecret"));
        }
    }

    /**
     * A link to a policy (or role) by ID and/or Name.
     *
     * @param id   the ID, or empty
     * @param name the name, or empty
     */
    public record Link(@JsonProperty("ID") String id, @JsonProperty("Name") String name) {
        /** A JSON {@code null} in a list of links reads as this link, which names nothing. */
        public static final Link EMPTY = new Link(null, null);

        /**
         * Checks that the link names a policy; whether that policy exists is for the lookup.
         *
         * @param position its position in {@code Policies}, for the message
         * @return this link
         * @throws InvalidRequest with {@code Policies[i]: a policy link needs an ID or a Name}
         */
        public Link validated(int position) {
            if (blank(id) && blank(name)) {
                throw new InvalidRequest("Policies[" + position + "]: a policy link needs an ID or a Name");
            }
            return this;
        }

        /** Whether the link names its policy by ID (it wins over the Name, as in Consul). */
        public boolean byId() {
            return !blank(id);
        }
    }

    /**
     * A service identity.
     *
     * @param serviceName the service (lower-case alphanumerics, {@code -} and {@code _})
     * @param datacenters where it applies
     */
    public record ServiceIdentityBody(@JsonProperty("ServiceName") String serviceName,
                                      @JsonProperty("Datacenters") List<String> datacenters) {
        /** A JSON {@code null} in {@code ServiceIdentities} reads as this identity, which has no name. */
        static final ServiceIdentityBody EMPTY = new ServiceIdentityBody(null, null);

        /**
         * Checks the name as Consul's {@code isValidServiceIdentityName}: lower-case alphanumerics, {@code -} and
         * {@code _}, starting and ending with an alphanumeric, at most 256 characters.
         *
         * @throws InvalidRequest with Consul's {@code Service identity "x" has an invalid name. Only lowercase
         *                        alphanumeric characters, '-' and '_' are allowed}
         */
        public ServiceIdentity validated() {
            if (blank(serviceName) || !SERVICE_IDENTITY_NAME.matcher(serviceName).matches() || serviceName.length() > 256) {
                throw new InvalidRequest("Service identity \"" + (serviceName == null ? "" : serviceName)
                        + "\" has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are allowed");
            }
            return new ServiceIdentity(serviceName, datacenters);
        }
    }

    /**
     * A node identity.
     *
     * @param nodeName   the node
     * @param datacenter its datacenter
     */
    public record NodeIdentityBody(@JsonProperty("NodeName") String nodeName,
                                   @JsonProperty("Datacenter") String datacenter) {
        /** A JSON {@code null} in {@code NodeIdentities} reads as this identity, which has no name. */
        static final NodeIdentityBody EMPTY = new NodeIdentityBody(null, null);

        /**
         * Checks that the identity names its node and datacenter.
         *
         * @throws InvalidRequest with {@code NodeIdentities: a node identity needs a NodeName}, or Consul's
         *                        {@code Node identity is missing the datacenter field on this token}
         */
        public NodeIdentity validated() {
            if (blank(nodeName)) {
                throw new InvalidRequest("NodeIdentities: a node identity needs a NodeName");
            }
            if (blank(datacenter)) {
                throw new InvalidRequest("Node identity is missing the datacenter field on this token");
            }
            return new NodeIdentity(nodeName, datacenter);
        }
    }

    /** Whether the value is a UUID in Consul's textual form (any case). */
    static boolean isUuid(String value) {
        return value != null && UUID_FORMAT.matcher(value).matches();
    }

    /** Whether a field is absent: null, empty or white space. */
    static boolean blank(String value) {
        return value == null || value.isBlank();
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
        if (!isUuid(value)) {
            throw new InvalidRequest(field + " - not a valid UUID");
        }
        return value;
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

    /** Whether an ExpirationTTL means "none": zero nanoseconds, or Go's empty or zero duration. */
    private static boolean isZeroTtl(Object ttl) {
        return (ttl instanceof Number number && number.longValue() == 0) || "".equals(ttl) || "0s".equals(ttl)
                || "0".equals(ttl);
    }

    private static Instant parseTime(String value, String field) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidRequest(field + ": \"" + value + "\" is not an RFC 3339 time");
        }
    }
}
