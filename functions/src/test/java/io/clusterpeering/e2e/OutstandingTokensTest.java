package io.clusterpeering.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.clusterpeering.support.Clusters;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.Race;
import io.clusterpeering.support.TwoClusters;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.StreamSupport;

import static io.clusterpeering.support.PeeringFlow.establish;
import static io.clusterpeering.support.PeeringFlow.generate;
import static io.clusterpeering.support.PeeringFlow.json;
import static io.clusterpeering.support.PeeringFlow.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outstanding peering tokens through the public HTTP API of two clusters: {@code GET /v1/peering/token} lists the
 * tokens generated and not used (newest and superseded, never a secret), {@code DELETE /v1/peering/{name}/token}
 * revokes the newest, after which the dialer gets the usual 403, and an established peering is not touched. A
 * revoke racing establishments of the same token has exactly one winner. Every response is checked against the
 * OpenAPI document.
 */
@TwoClusters
class OutstandingTokensTest {
    private static final int ROUNDS = 8;
    private static final int ESTABLISHERS = 4;
    private static final int REVOKERS = 4;
    private final ConsulHttp acceptor;
    private final ConsulHttp dialer;

    OutstandingTokensTest(Clusters clusters) {
        acceptor = clusters.client1();
        dialer = clusters.client2();
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    @Test
    void listShowsTheNewestTokenAndTheSupersededOneButNoSecret() {
        // given two tokens for one name
        String name = unique("out");
        Instant before = Instant.now().minusSeconds(1);
        String older = generate(acceptor, name);
        String newer = generate(acceptor, name);

        // when
        HttpResponse<String> listed = acceptor.get("/v1/peering/token");

        // then
        assertEquals(200, listed.statusCode(), listed.body());
        List<JsonNode> mine = tokensFor(listed.body(), name);
        assertEquals(2, mine.size(), listed.body());
        assertFalse(mine.get(0).get("Superseded").asBoolean(), "the newest comes first and is live: " + mine);
        assertTrue(mine.get(1).get("Superseded").asBoolean(), "the older one was superseded: " + mine);
        String peeringId = read(acceptor, name).get("ID").asText();
        for (JsonNode token : mine) {
            assertEquals(peeringId, token.get("PeeringID").asText());
            assertEquals("default", token.get("Partition").asText());
            Instant generatedAt = Instant.parse(token.get("GeneratedAt").asText());
            assertTrue(generatedAt.isAfter(before), token.toString());
            assertTrue(Instant.parse(token.get("ExpiresAt").asText()).isAfter(generatedAt), token.toString());
        }
        assertFalse(listed.body().contains(secretOf(older)) || listed.body().contains(secretOf(newer)),
                "the list carries no establishment secret");
        assertTrue(Long.parseLong(listed.headers().firstValue("X-Consul-Index").orElseThrow()) > 0);
    }

    @Test
    void anEstablishedTokenLeavesTheListAndHasNothingToRevoke() {
        String name = unique("used");
        String token = generate(acceptor, name);
        assertEquals(200, establish(dialer, unique("dial"), token).statusCode());

        assertTrue(tokensFor(acceptor.get("/v1/peering/token").body(), name).isEmpty(), "a used token is not outstanding");
        HttpResponse<String> revoked = acceptor.delete("/v1/peering/" + name + "/token");
        assertEquals(409, revoked.statusCode(), revoked.body());
        assertTrue(revoked.body().contains("has no outstanding token"), revoked.body());
        assertEquals("ACTIVE", read(acceptor, name).get("State").asText());
    }

    @Test
    void aRevokedTokenIsRefusedWithTheUsual403AndLeavesThePeeringPending() {
        // given
        String name = unique("rev");
        String token = generate(acceptor, name);

        // when
        HttpResponse<String> revoked = acceptor.delete("/v1/peering/" + name + "/token");

        // then
        assertEquals(200, revoked.statusCode(), revoked.body());
        JsonNode body = json(revoked.body());
        assertEquals(name, body.get("PeerName").asText());
        assertFalse(body.get("Superseded").asBoolean());
        assertTrue(tokensFor(acceptor.get("/v1/peering/token").body(), name).isEmpty());
        String dialerName = unique("dial");
        HttpResponse<String> refused = establish(dialer, dialerName, token);
        assertEquals(403, refused.statusCode(), refused.body());
        assertTrue(refused.body().startsWith("a new peering token must be generated: invalid peering establishment secret"),
                refused.body());
        assertEquals(404, dialer.get("/v1/peering/" + dialerName).statusCode(), "the refused dialer stored nothing");
        assertEquals("PENDING", read(acceptor, name).get("State").asText());
        assertEquals(409, acceptor.delete("/v1/peering/" + name + "/token").statusCode(), "nothing left to revoke");
        // a new token still establishes the same peering
        assertEquals(200, establish(dialer, dialerName, generate(acceptor, name)).statusCode());
        assertEquals("ACTIVE", read(acceptor, name).get("State").asText());
    }

    @Test
    void revokingANewTokenOfAnEstablishedPeeringLeavesThePeeringActive() {
        String name = unique("live");
        String dialerName = unique("dial");
        assertEquals(200, establish(dialer, dialerName, generate(acceptor, name)).statusCode());
        String fresh = generate(acceptor, name);
        JsonNode before = read(acceptor, name);

        HttpResponse<String> revoked = acceptor.delete("/v1/peering/" + name + "/token");

        assertEquals(200, revoked.statusCode(), revoked.body());
        JsonNode after = read(acceptor, name);
        assertEquals("ACTIVE", after.get("State").asText(), after.toString());
        assertEquals(before.get("ID"), after.get("ID"));
        assertEquals(before.get("PeerCAPems"), after.get("PeerCAPems"));
        assertEquals("ACTIVE", read(dialer, dialerName).get("State").asText());
        assertEquals(403, establish(dialer, unique("other"), fresh).statusCode(), "the revoked fresh token is refused");
    }

    @Test
    void badInputAndMissingPeeringsAreNamed() {
        HttpResponse<String> empty = acceptor.sendUnchecked("DELETE", "/v1/peering//token", null);
        assertEquals(400, empty.statusCode(), empty.body());
        assertEquals("Must specify a name to revoke the token of.", empty.body());
        HttpResponse<String> partition = acceptor.sendUnchecked("GET", "/v1/peering/token?partition=Not_Valid!", null);
        assertEquals(400, partition.statusCode(), partition.body());
        assertTrue(partition.body().toLowerCase().contains("partition"), partition.body());
        HttpResponse<String> missing = acceptor.delete("/v1/peering/" + unique("never") + "/token");
        assertEquals(404, missing.statusCode(), missing.body());
        assertTrue(missing.body().startsWith("Peering not found for"), missing.body());
        String dialerName = unique("dialer-side");
        assertEquals(200, establish(dialer, dialerName, generate(acceptor, unique("acc"))).statusCode());
        HttpResponse<String> dialerRevoke = dialer.delete("/v1/peering/" + dialerName + "/token");
        assertEquals(409, dialerRevoke.statusCode(), dialerRevoke.body());
        assertTrue(dialerRevoke.body().contains("only the peer can revoke"), dialerRevoke.body());
    }

    /**
     * Each round: one fresh token, {@value #ESTABLISHERS} dialers establishing with it (each under its own local
     * name) and {@value #REVOKERS} revokes, all released at once. Exactly one call wins: either one establishment
     * (every other gets 403, every revoke 409) or one revoke (every establishment 403, every other revoke 409), and
     * both clusters' rows agree with the winner.
     */
    @Test
    void revokeRacingEstablishHasExactlyOneWinner() throws Exception {
        int establishWins = 0;
        for (int round = 0; round < ROUNDS; round++) {
            String name = unique("race");
            String token = generate(acceptor, name);
            List<String> dialerNames = new ArrayList<>();
            List<Callable<HttpResponse<String>>> racers = new ArrayList<>();
            for (int i = 0; i < ESTABLISHERS; i++) {
                String dialerName = name + "-d" + i;
                dialerNames.add(dialerName);
                racers.add(() -> dialer.sendUnchecked("POST", "/v1/peering/establish",
                        "{\"PeerName\":\"" + dialerName + "\",\"PeeringToken\":\"" + token + "\"}"));
            }
            // The revokes set off a little later each round (0 to 140 ms), so that over the rounds they meet the
            // establishments at different points of the exchange; which side wins is never asserted.
            long revokeDelayMillis = round * 20L;
            for (int i = 0; i < REVOKERS; i++) {
                racers.add(() -> {
                    Thread.sleep(revokeDelayMillis);
                    return acceptor.sendUnchecked("DELETE", "/v1/peering/" + name + "/token", null);
                });
            }

            List<Object> outcomes = Race.run(racers);

            List<Integer> establishes = new ArrayList<>();
            List<Integer> revokes = new ArrayList<>();
            for (int i = 0; i < outcomes.size(); i++) {
                if (!(outcomes.get(i) instanceof HttpResponse<?> response)) {
                    throw new AssertionError("a racer threw", (Throwable) outcomes.get(i));
                }
                (i < ESTABLISHERS ? establishes : revokes).add(response.statusCode());
            }
            String seen = "round " + round + ": establishes " + establishes + ", revokes " + revokes;
            long establishedCount = establishes.stream().filter(s -> s == 200).count();
            long revokedCount = revokes.stream().filter(s -> s == 200).count();
            assertEquals(1, establishedCount + revokedCount, "exactly one winner, " + seen);
            assertTrue(establishes.stream().allMatch(s -> s == 200 || s == 403), seen);
            assertTrue(revokes.stream().allMatch(s -> s == 200 || s == 409), seen);
            assertTrue(tokensFor(acceptor.get("/v1/peering/token").body(), name).isEmpty(), "nothing outstanding, " + seen);
            JsonNode acceptorRow = read(acceptor, name);
            List<String> linked = dialerNames.stream()
                    .filter(d -> dialer.get("/v1/peering/" + d).statusCode() == 200).toList();
            if (establishedCount == 1) {
                establishWins++;
                assertEquals("ACTIVE", acceptorRow.get("State").asText(), seen);
                assertEquals(1, linked.size(), "one dialer row, " + seen + ", rows " + linked);
                String winner = dialerNames.get(establishes.indexOf(200));
                assertEquals(List.of(winner), linked, seen);
                assertEquals("ACTIVE", read(dialer, winner).get("State").asText(), seen);
            } else {
                assertEquals("PENDING", acceptorRow.get("State").asText(), seen);
                assertEquals(List.of(), linked, "no dialer stored a row, " + seen);
            }
        }
        System.out.printf("OutstandingTokensTest: %d rounds of %d establishes racing %d revokes; an establish won %d, "
                + "a revoke won %d%n", ROUNDS, ESTABLISHERS, REVOKERS, establishWins, ROUNDS - establishWins);
    }

    private static List<JsonNode> tokensFor(String listBody, String name) {
        return StreamSupport.stream(json(listBody).spliterator(), false)
                .filter(token -> name.equals(token.get("PeerName").asText())).toList();
    }

    /** The establishment secret inside a token (its JWS payload), to prove no response carries it. */
    private static String secretOf(String token) {
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        return json(payload).get("EstablishmentSecret").asText();
    }
}
