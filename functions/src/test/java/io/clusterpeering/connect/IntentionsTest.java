package io.clusterpeering.connect;

import io.clusterpeering.domain.PeeringException.InvalidRequest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Consul's evaluation order and source matching, and SPIFFE IDs as Consul writes them. */
class IntentionsTest {

    @SafeVarargs
    private static Map<String, Object> entry(String destination, Map<String, Object>... sources) {
        return Map.of("Kind", "service-intentions", "Name", destination, "Sources", List.of(sources),
                "CreateIndex", 3, "ModifyIndex", 4);
    }

    private static Map<String, Object> source(String name, String peer, String action) {
        return peer.isEmpty() ? Map.of("Name", name, "Action", action)
                : Map.of("Name", name, "Peer", peer, "Action", action);
    }

    @Test
    void exactBeatsWildcardOnBothSidesAndTheFirstMatchDecides() {
        Intentions intentions = Intentions.of(List.of(
                entry("*", source("*", "", "allow"), source("web", "", "deny")),
                entry("api", source("*", "", "deny"), source("web", "", "allow"))), "default");
        assertEquals(List.of(9, 8, 6, 5), intentions.all().stream().map(Intention::precedence).toList());
        assertTrue(intentions.deciding("", "web", "api").orElseThrow().allowsConnection(), "exact to exact: 9");
        assertFalse(intentions.deciding("", "db", "api").orElseThrow().allowsConnection(), "* to api: 8");
        assertFalse(intentions.deciding("", "web", "billing").orElseThrow().allowsConnection(), "web to *: 6");
        assertTrue(intentions.deciding("", "db", "billing").orElseThrow().allowsConnection(), "* to *: 5");
    }

    @Test
    void aPeerSourceMatchesOnlyCallersThroughThatPeeringAndALocalSourceOnlyLocalOnes() {
        Intentions intentions = Intentions.of(List.of(entry("api",
                source("web", "cluster-02", "allow"), source("*", "", "allow"))), "default");
        assertTrue(intentions.deciding("cluster-02", "web", "api").isPresent());
        assertTrue(intentions.deciding("cluster-03", "web", "api").isEmpty(), "another peering");
        assertTrue(intentions.deciding("cluster-02", "db", "api").isEmpty(), "a local * admits no peer's service");
        assertEquals("", intentions.deciding("", "web", "api").orElseThrow().sourcePeer(),
                "a local web is matched by the local source, never by the peer's");
        assertEquals("peer:cluster-02/web", intentions.bySource("cluster-02", "web").get(0).sourceString());
        assertEquals("peer(cluster-02)/default/web => default/api (Precedence: 9, Action: ALLOW)",
                intentions.bySource("cluster-02", "web").get(0).describe(), "Consul's Intention.String()");
        assertEquals("default/* => default/api (Precedence: 8, Action: ALLOW)",
                intentions.bySource("", "db").get(0).describe(), "no partition written for default");
        assertEquals(2, intentions.byDestination("api").size());
    }

    @Test
    void anL7IntentionNeverAllowsAConnection() {
        Intentions intentions = Intentions.of(List.of(entry("api", Map.of("Name", "web",
                "Permissions", List.of(Map.of("Action", "allow", "HTTP", Map.of("PathPrefix", "/")))))), "default");
        Intention l7 = intentions.deciding("", "web", "api").orElseThrow();
        assertEquals(1, l7.permissions().size());
        assertFalse(l7.allowsConnection());
        assertEquals("default/web => default/api (Precedence: 9, Permissions: 1)", l7.describe());
    }

    @Test
    void spiffeIdsReadBackAsWrittenAndOthersAreRefusedWithConsulsTexts() {
        SpiffeId id = SpiffeId.service("abc.consul", "default", "dc1", "web");
        assertEquals("spiffe://abc.consul/ns/default/dc/dc1/svc/web", id.uri());
        assertEquals(id, SpiffeId.parse(id.uri()));
        SpiffeId partitioned = SpiffeId.parse("spiffe://abc.consul/ap/team/ns/default/dc/dc1/svc/web");
        assertEquals("team", partitioned.partition());
        assertEquals("spiffe://abc.consul/ap/team/ns/default/dc/dc1/svc/web", partitioned.uri());
        assertEquals("ClientCertURI not a valid Connect identifier",
                assertThrows(InvalidRequest.class, () -> SpiffeId.parse("https://abc.consul/x")).getMessage());
        assertEquals("ClientCertURI not a valid Service identifier", assertThrows(InvalidRequest.class,
                () -> SpiffeId.parse("spiffe://abc.consul/agent/client/dc/dc1/id/node-1")).getMessage());
        assertThrows(InvalidRequest.class, () -> SpiffeId.parse(null));
    }
}
