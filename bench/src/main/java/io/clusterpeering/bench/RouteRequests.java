package io.clusterpeering.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.clusterpeering.domain.Remote;
import io.clusterpeering.function.Routes;
import io.clusterpeering.peer.PeerMessage;
import io.clusterpeering.peer.PeerMessages;
import io.clusterpeering.token.ClusterIdentity;
import io.clusterpeering.token.ClusterIdentitySource;
import io.clusterpeering.token.PeeringToken;
import io.clusterpeering.token.PeeringTokenCodec;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * A realistic first request for every HTTP route, against data a fixture prepared: reads of things that exist,
 * writes that succeed (each run with fresh names), the internal routes with requests signed by a real dialer
 * cluster. {@link #request} returns the request for run {@code i}, preparing what that run consumes.
 */
final class RouteRequests {
    /** A request: method, path with query, body (or null), content type. */
    record Req(String method, String pathAndQuery, String body) {
    }

    private final Cluster cluster;
    private final Cluster dialer;
    private final Function<String, String> acceptorToken;
    private final String policyId;
    private final String tokenAccessor;
    private final String messagePeeringId;
    private final String messageDialerId;

    /**
     * Prepares the fixture on {@code cluster} (ACLs on): a pending peering {@code bench-peer}, a catalog service
     * {@code web} with three instances exported to it, a policy and a token, and one peering established by the
     * secret exchange from {@code dialer} (for the signed peer messages).
     *
     * @param acceptorToken generates a token on a live acceptor (for establish), by peer name
     */
    RouteRequests(Cluster cluster, Cluster dialer, Function<String, String> acceptorToken) {
        this.cluster = cluster;
        this.dialer = dialer;
        this.acceptorToken = acceptorToken;
        cluster.ok("POST", "/v1/peering/token", "{\"PeerName\":\"bench-peer\"}");
        for (int i = 1; i <= 3; i++) {
            cluster.ok("PUT", "/v1/catalog/register", "{\"Node\":\"node-" + i + "\",\"Address\":\"10.0.0." + i + "\","
                    + "\"Service\":{\"ID\":\"web-" + i + "\",\"Service\":\"web\",\"Port\":8080,\"Tags\":[\"v1\"]},"
                    + "\"Check\":{\"CheckID\":\"web-" + i + "-http\",\"Name\":\"web http\",\"Status\":\"passing\","
                    + "\"ServiceID\":\"web-" + i + "\"}}");
        }
        cluster.ok("PUT", "/v1/config", "{\"Kind\":\"exported-services\",\"Name\":\"default\","
                + "\"Services\":[{\"Name\":\"web\",\"Consumers\":[{\"Peer\":\"bench-peer\"}]}]}");
        policyId = cluster.ok("PUT", "/v1/acl/policy", "{\"Name\":\"bench-read\",\"Rules\":\"peering = \\\"read\\\"\"}")
                .get("ID").asText();
        tokenAccessor = cluster.ok("PUT", "/v1/acl/token", "{\"Description\":\"bench\",\"Policies\":[{\"Name\":\"bench-read\"}]}")
                .get("AccessorID").asText();
        Req exchange = exchange("bench-msg");
        messageDialerId = exchangeDialerId;
        JsonNode answer = cluster.ok(exchange.method(), exchange.pathAndQuery(), exchange.body());
        messagePeeringId = answer.get("PeerID").asText();
    }

    private String exchangeDialerId;

    /** The request of run {@code i} (-1 for the recording run) for a route. */
    Req request(Routes.Route route, int i) {
        String n = i < 0 ? "rec" : Integer.toString(i);
        String key = route.method() + " " + route.path();
        return switch (key) {
            case "POST /v1/peering/token" -> new Req("POST", "/v1/peering/token", "{\"PeerName\":\"cold-gen-" + n + "\"}");
            case "POST /v1/peering/establish" -> new Req("POST", "/v1/peering/establish", "{\"PeerName\":\"cold-est-"
                    + n + "-" + UUID.randomUUID().toString().substring(0, 6) + "\",\"PeeringToken\":\""
                    + acceptorToken.apply("cold-dialer-" + n + "-" + UUID.randomUUID().toString().substring(0, 6)) + "\"}");
            case "GET /v1/peering/{name}" -> new Req("GET", "/v1/peering/bench-peer", null);
            case "DELETE /v1/peering/{name}" -> {
                cluster.ok("POST", "/v1/peering/token", "{\"PeerName\":\"cold-del-" + n + "\"}");
                yield new Req("DELETE", "/v1/peering/cold-del-" + n, null);
            }
            case "GET /v1/peerings" -> new Req("GET", "/v1/peerings", null);
            case "GET /v1/agent/self" -> new Req("GET", "/v1/agent/self", null);
            case "GET /v1/status/leader" -> new Req("GET", "/v1/status/leader", null);
            case "GET /v1/status/peers" -> new Req("GET", "/v1/status/peers", null);
            case "PUT /v1/catalog/register" -> new Req("PUT", "/v1/catalog/register", "{\"Node\":\"cold-node\",\"Address\":"
                    + "\"10.0.1.1\",\"Service\":{\"ID\":\"cold-" + n + "\",\"Service\":\"cold\",\"Port\":80}}");
            case "PUT /v1/catalog/deregister" -> {
                cluster.ok("PUT", "/v1/catalog/register", "{\"Node\":\"cold-node\",\"Address\":\"10.0.1.1\","
                        + "\"Service\":{\"ID\":\"cold-dereg-" + n + "\",\"Service\":\"cold\",\"Port\":80}}");
                yield new Req("PUT", "/v1/catalog/deregister", "{\"Node\":\"cold-node\",\"ServiceID\":\"cold-dereg-" + n + "\"}");
            }
            case "GET /v1/catalog/services" -> new Req("GET", "/v1/catalog/services", null);
            case "GET /v1/catalog/service/{name}" -> new Req("GET", "/v1/catalog/service/web", null);
            case "GET /v1/health/service/{name}" -> new Req("GET", "/v1/health/service/web", null);
            case "PUT /v1/config" -> new Req("PUT", "/v1/config", "{\"Kind\":\"service-resolver\",\"Name\":\"cold-" + n
                    + "\",\"ConnectTimeout\":\"5s\"}");
            case "GET /v1/config/{kind}" -> new Req("GET", "/v1/config/exported-services", null);
            case "GET /v1/config/{kind}/{name}" -> new Req("GET", "/v1/config/exported-services/default", null);
            case "DELETE /v1/config/{kind}/{name}" -> {
                cluster.ok("PUT", "/v1/config", "{\"Kind\":\"service-resolver\",\"Name\":\"cold-del-" + n
                        + "\",\"ConnectTimeout\":\"5s\"}");
                yield new Req("DELETE", "/v1/config/service-resolver/cold-del-" + n, null);
            }
            case "GET /v1/exported-services" -> new Req("GET", "/v1/exported-services", null);
            case "GET /v1/imported-services" -> new Req("GET", "/v1/imported-services", null);
            case "PUT /v1/acl/bootstrap" -> new Req("PUT", "/v1/acl/bootstrap", null);
            case "PUT /v1/acl/policy" -> new Req("PUT", "/v1/acl/policy", "{\"Name\":\"cold-policy-" + n
                    + "\",\"Rules\":\"peering = \\\"read\\\"\"}");
            case "GET /v1/acl/policy/{id}" -> new Req("GET", "/v1/acl/policy/" + policyId, null);
            case "PUT /v1/acl/policy/{id}" -> new Req("PUT", "/v1/acl/policy/" + policyId, "{\"Name\":\"bench-read\","
                    + "\"Description\":\"run " + n + "\",\"Rules\":\"peering = \\\"read\\\"\"}");
            case "DELETE /v1/acl/policy/{id}" -> {
                String id = cluster.ok("PUT", "/v1/acl/policy", "{\"Name\":\"cold-delpol-" + n + "\",\"Rules\":\"\"}")
                        .get("ID").asText();
                yield new Req("DELETE", "/v1/acl/policy/" + id, null);
            }
            case "GET /v1/acl/policy/name/{name}" -> new Req("GET", "/v1/acl/policy/name/bench-read", null);
            case "GET /v1/acl/policies" -> new Req("GET", "/v1/acl/policies", null);
            case "PUT /v1/acl/token" -> new Req("PUT", "/v1/acl/token", "{\"Description\":\"cold " + n
                    + "\",\"Policies\":[{\"Name\":\"bench-read\"}]}");
            case "GET /v1/acl/token/self" -> new Req("GET", "/v1/acl/token/self", null);
            case "GET /v1/acl/token/{AccessorID}" -> new Req("GET", "/v1/acl/token/" + tokenAccessor, null);
            case "PUT /v1/acl/token/{AccessorID}" -> new Req("PUT", "/v1/acl/token/" + tokenAccessor,
                    "{\"Description\":\"run " + n + "\",\"Policies\":[{\"Name\":\"bench-read\"}]}");
            case "PUT /v1/acl/token/{AccessorID}/clone" -> new Req("PUT", "/v1/acl/token/" + tokenAccessor + "/clone",
                    "{\"Description\":\"clone " + n + "\"}");
            case "DELETE /v1/acl/token/{AccessorID}" -> {
                String accessor = cluster.ok("PUT", "/v1/acl/token", "{\"Description\":\"to delete\","
                        + "\"Policies\":[{\"Name\":\"bench-read\"}]}").get("AccessorID").asText();
                yield new Req("DELETE", "/v1/acl/token/" + accessor, null);
            }
            case "GET /v1/acl/tokens" -> new Req("GET", "/v1/acl/tokens", null);
            case "POST /v1/internal/peering/exchange" -> exchange("cold-exch-" + n + "-" + UUID.randomUUID().toString().substring(0, 6));
            case "POST /v1/internal/peering/message" -> new Req("POST", "/v1/internal/peering/message",
                    dialer.context().getBean(PeerMessages.class).signMessage(PeerMessage.Kind.HEARTBEAT, messageDialerId,
                            messagePeeringId, Instant.now()));
            default -> throw new ColdStartSection.UnsupportedRoute("no benchmark request for " + key + ": add one to RouteRequests");
        };
    }

    /** A secret exchange from the dialer cluster for a new token of this cluster: what a dialer's establish sends. */
    private Req exchange(String peerName) {
        String compact = cluster.ok("POST", "/v1/peering/token", "{\"PeerName\":\"" + peerName + "\"}")
                .get("PeeringToken").asText();
        PeeringToken token = dialer.context().getBean(PeeringTokenCodec.class).decode(compact);
        ClusterIdentity identity = dialer.context().getBean(ClusterIdentitySource.class).identity();
        exchangeDialerId = UUID.randomUUID().toString();
        String jws = dialer.context().getBean(PeerMessages.class).signExchange(new PeerMessages.ExchangeRequest(
                token.peerId(), token.establishmentSecret(), exchangeDialerId, identity.caPems(),
                identity.serverName("dc2"), List.of("http://127.0.0.1:9"), new Remote("default", "dc2")), Instant.now());
        return new Req("POST", "/v1/internal/peering/exchange", jws);
    }

}
