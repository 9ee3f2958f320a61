package io.clusterpeering.service;

import io.clusterpeering.acl.AccessLevel;
import io.clusterpeering.acl.Caller;
import io.clusterpeering.acl.Resource;
import io.clusterpeering.config.AclConfiguration;
import io.clusterpeering.connect.Intention;
import io.clusterpeering.connect.Intentions;
import io.clusterpeering.connect.SpiffeId;
import io.clusterpeering.domain.ConfigEntryRules;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.domain.PeeringState;
import io.clusterpeering.store.ConfigEntryStore;
import io.clusterpeering.store.PeeringStore;
import io.clusterpeering.token.ClusterIdentitySource;
import jakarta.inject.Singleton;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Answers "may this caller connect to that service?" from the partition's {@code service-intentions}: Consul's
 * {@code POST /v1/agent/connect/authorize} (for a Connect-native service, given the client certificate's SPIFFE
 * ID), {@code GET /v1/connect/intentions/check} and {@code GET /v1/connect/intentions/match}.
 *
 * <p>Unlike Consul's HTTP API, peers count: a client certificate whose trust domain is a peer's (the trust domain
 * of the server name the peering stored, whose CA is the peering's {@code PeerCAPems}) is matched against the
 * sources naming that peering, and {@code check}/{@code match} take Consul's {@code peer:<peer>/<service>}
 * source form. Consul's agent passes an empty peer to the same evaluation, so a {@code Peer} source never matches
 * there, and its check/match refuse {@code peer:}. A trust domain that is neither this cluster's nor an active
 * peering's is refused; Consul does not look at the trust domain (it leaves that to the TLS handshake).
 */
@Singleton
public class IntentionDecisions {
    private static final String PEER_PREFIX = "peer:";

    private final ConfigEntryStore configEntries;
    private final PeeringStore peerings;
    private final ClusterIdentitySource identities;
    private final AclConfiguration acl;

    public IntentionDecisions(ConfigEntryStore configEntries, PeeringStore peerings, ClusterIdentitySource identities,
                              AclConfiguration acl) {
        this.configEntries = configEntries;
        this.peerings = peerings;
        this.identities = identities;
        this.acl = acl;
    }

    /**
     * A decision.
     *
     * @param authorized whether the connection is allowed
     * @param reason     why, in Consul's words where Consul has them
     */
    public record Decision(boolean authorized, String reason) {
    }

    /**
     * Consul's {@code ConnectAuthorize}, peers included.
     *
     * @param target        the destination service
     * @param clientCertUri the client certificate's URI SAN
     * @param partition     the target's partition
     * @param caller        needs {@code service:write} on the target, as Consul
     * @throws InvalidRequest naming {@code Target} or {@code ClientCertURI} when either is missing or malformed
     * @throws io.clusterpeering.domain.PeeringException.PermissionDenied without service:write on the target
     */
    public Decision authorize(String target, String clientCertUri, String partition, Caller caller) {
        if (target == null || target.isEmpty()) {
            throw new InvalidRequest("Target service must be specified");
        }
        SpiffeId client = SpiffeId.parse(clientCertUri);
        caller.require(Resource.SERVICE, target, AccessLevel.WRITE);
        String peer;
        if (client.trustDomain().equals(identities.identity().trustDomain())) {
            if (!client.partition().equals(partition)) {
                return new Decision(false, "Mismatched partitions: \"" + client.partition() + "\" != \"" + partition
                        + "\"");
            }
            peer = "";
        } else {
            Optional<Peering> through = peeringWithTrustDomain(partition, client.trustDomain());
            if (through.isEmpty()) {
                return new Decision(false, "Unknown trust domain: \"" + client.trustDomain()
                        + "\" is neither this cluster's nor an active peering's");
            }
            peer = through.get().name();
        }
        return decide(intentions(partition), peer, client.service(), target);
    }

    /**
     * Consul's {@code IntentionCheck}: would a connection from {@code source} to {@code destination} be allowed?
     *
     * @param source      {@code <service>} (local) or {@code peer:<peer>/<service>}
     * @param destination a local service
     * @param caller      needs {@code intention:read} on the destination
     * @throws InvalidRequest naming the parameter when one is missing or malformed
     */
    public boolean check(String source, String destination, String partition, Caller caller) {
        if (source == null || source.isEmpty()) {
            throw new InvalidRequest("required query parameter 'source' not set");
        }
        if (destination == null || destination.isEmpty()) {
            throw new InvalidRequest("required query parameter 'destination' not set");
        }
        SourceName parsed = SourceName.parse(source, "source");
        String target = serviceName(destination, "destination");
        caller.require(Resource.INTENTION, target, AccessLevel.READ);
        return decide(intentions(partition), parsed.peer(), parsed.service(), target).authorized();
    }

    /**
     * Consul's {@code IntentionMatch}: for each name, the intentions that cover it as a source or a destination,
     * in evaluation order. As Consul, the caller needs {@code intention:read} on every name asked for (the service
     * part of a {@code peer:} source); intentions whose destination it may not read are then left out.
     *
     * @param bySource true for {@code by=source}, false for {@code by=destination}
     * @param names    the names asked for; by source each may be {@code peer:<peer>/<service>}
     * @throws InvalidRequest when no name is given or one is malformed
     * @throws io.clusterpeering.domain.PeeringException.PermissionDenied without intention:read on a name
     */
    public Map<String, List<Intention>> match(boolean bySource, List<String> names, String partition, Caller caller) {
        if (names.isEmpty()) {
            throw new InvalidRequest("required query parameter 'name' not set");
        }
        Intentions all = intentions(partition);
        Map<String, List<Intention>> matches = new LinkedHashMap<>();
        for (String name : names) {
            List<Intention> found;
            if (bySource) {
                SourceName parsed = SourceName.parse(name, "name");
                caller.require(Resource.INTENTION, parsed.service(), AccessLevel.READ);
                found = all.bySource(parsed.peer(), parsed.service());
            } else {
                String destination = serviceName(name, "name");
                caller.require(Resource.INTENTION, destination, AccessLevel.READ);
                found = all.byDestination(destination);
            }
            matches.put(name, found.stream()
                    .filter(i -> caller.can(Resource.INTENTION, i.destinationName(), AccessLevel.READ)).toList());
        }
        return matches;
    }

    private Decision decide(Intentions intentions, String peer, String service, String target) {
        Optional<Intention> deciding = intentions.deciding(peer, service, target);
        if (deciding.isPresent()) {
            Intention intention = deciding.get();
            String layer = intention.permissions().isEmpty() ? "L4" : "L7";
            return new Decision(intention.allowsConnection(), "Matched " + layer + " intention: " + intention.describe());
        }
        // With ACLs off Consul 1.16 authorizes with a manage-all authorizer, whose intention default is allow; the
        // reason is the same text either way.
        return new Decision(!acl.isEnabled() || acl.defaultAllow(), "Default behavior configured by ACLs");
    }

    private Intentions intentions(String partition) {
        return Intentions.of(configEntries.list(partition, ConfigEntryRules.SERVICE_INTENTIONS), partition);
    }

    /** The partition's peering whose peer has this trust domain and can still be talked to. */
    private Optional<Peering> peeringWithTrustDomain(String partition, String trustDomain) {
        return peerings.list(partition).stream()
                .filter(p -> p.state() != PeeringState.DELETING && p.state() != PeeringState.TERMINATED
                        && !p.peerCaPems().isEmpty())
                .filter(p -> p.peerTrustDomain().equalsIgnoreCase(trustDomain))
                .findFirst();
    }

    private static String serviceName(String value, String parameter) {
        if (value.isEmpty() || value.contains("/") || value.contains(":")) {
            throw new InvalidRequest("invalid " + parameter + " " + quote(value) + ": a service name was expected");
        }
        return value;
    }

    private static String quote(String value) {
        return "\"" + value + "\"";
    }

    /** A source as check and match take it: {@code <service>} or {@code peer:<peer>/<service>}. */
    private record SourceName(String peer, String service) {
        static SourceName parse(String value, String parameter) {
            if (value.startsWith(PEER_PREFIX)) {
                String rest = value.substring(PEER_PREFIX.length());
                int slash = rest.indexOf('/');
                if (slash <= 0 || slash == rest.length() - 1 || rest.indexOf('/', slash + 1) >= 0) {
                    throw new InvalidRequest("invalid " + parameter + " " + quote(value)
                            + ": expected peer:<peer>/<service>");
                }
                return new SourceName(rest.substring(0, slash).toLowerCase(java.util.Locale.ROOT),
                        rest.substring(slash + 1));
            }
            return new SourceName("", serviceName(value, parameter));
        }
    }
}
