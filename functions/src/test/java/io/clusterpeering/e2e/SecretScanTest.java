package io.clusterpeering.e2e;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.support.AclFlow;
import io.clusterpeering.support.Clusters;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.Eventually;
import io.clusterpeering.support.TableSnapshot;
import io.clusterpeering.support.TwoClusters;
import io.clusterpeering.token.ClusterIdentity;
import io.clusterpeering.token.ClusterIdentitySource;
import io.clusterpeering.token.PeeringTokenCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.clusterpeering.support.PeeringFlow.client;
import static io.clusterpeering.support.PeeringFlow.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No secret at rest or in a log line. Two clusters with ACLs on run a full walkthrough: bootstrap, policies and
 * tokens, generate (twice: the first token is replaced), a refused establish with the replaced token, establish,
 * register and export a service, replication, heartbeats, ACL token reads, delete. Every log line of the run (a
 * logback appender on the root logger, {@code io.clusterpeering} at DEBUG; messages, MDC and stack traces) and
 * every item of both tables (a Scan, every attribute rendered) is then searched for:
 * <ul>
 *   <li>each peering token and its establishment secret (decoded from the token);</li>
 *   <li>each ACL SecretID (both bootstrap tokens, every created token);</li>
 *   <li>private keys: {@code PRIVATE KEY} (PEM), each cluster's signing key as its JWK {@code d} value and its
 *       PKCS#8 encoding (base64).</li>
 * </ul>
 * One place may hold a private key: the local identity item ({@code CLUSTER / IDENTITY}) of the
 * {@code dynamodb} identity source, which only local runs and tests use (the deployment sets
 * {@code PEERING_IDENTITY_SOURCE=secrets-manager} and keeps the key in Secrets Manager); it must hold its own
 * cluster's key and nothing else secret.
 */
@ExtendWith(SecretScanTest.CapturedLogs.class)
@TwoClusters(acl = "deny")
class SecretScanTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static ListAppender<ILoggingEvent> logs;
    private static Level previousLevel;
    private final LocalCluster dc1;
    private final LocalCluster dc2;

    SecretScanTest(Clusters clusters) {
        dc1 = clusters.dc1();
        dc2 = clusters.dc2();
    }

    /**
     * Captures every log line from before the clusters start (declared before {@code @TwoClusters}, so it runs
     * first) until after they stop, {@code io.clusterpeering} at DEBUG.
     */
    static final class CapturedLogs implements BeforeAllCallback, AfterAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            logs = new ListAppender<>();
            logs.start();
            Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            root.addAppender(logs);
            Logger ours = (Logger) LoggerFactory.getLogger("io.clusterpeering");
            previousLevel = ours.getLevel();
            ours.setLevel(Level.DEBUG);
        }

        @Override
        public void afterAll(ExtensionContext context) {
            ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
            ((Logger) LoggerFactory.getLogger("io.clusterpeering")).setLevel(previousLevel);
        }
    }

    @Test
    void noSecretIsStoredOrLoggedInAFullWalkthrough() {
        Map<String, String> secrets = new LinkedHashMap<>();

        // ACLs: bootstrap both clusters, a policy and a token on each, read and list them.
        ConsulHttp one = client(dc1).withToken(AclFlow.bootstrap(client(dc1)));
        ConsulHttp two = client(dc2).withToken(AclFlow.bootstrap(client(dc2)));
        secrets.put("dc1 bootstrap SecretID", tokenOf(one));
        secrets.put("dc2 bootstrap SecretID", tokenOf(two));
        String operator = AclFlow.secret(one, "peering = \"write\"\nservice_prefix \"\" { policy = \"write\" }");
        String reader = AclFlow.secret(two, "peering = \"read\"\nservice_prefix \"\" { policy = \"read\" }");
        secrets.put("dc1 created SecretID", operator);
        secrets.put("dc2 created SecretID", reader);
        String accessor = json(one.get("/v1/acl/token/self").body()).get("AccessorID").asText();
        assertEquals(200, one.get("/v1/acl/token/" + accessor).statusCode());
        assertEquals(200, one.get("/v1/acl/tokens").statusCode());
        assertEquals(403, client(dc1).withToken("00000000-0000-4000-8000-000000000000").get("/v1/peerings").statusCode(),
                "an unknown token is refused (and that refusal is logged without the token)");

        // Peering: a token, replaced by a second one; the first is refused; the second establishes.
        ConsulHttp acceptor = client(dc1).withToken(operator);
        String replaced = generate(acceptor);
        String token = generate(acceptor);
        PeeringTokenCodec codec = dc1.context().getBean(PeeringTokenCodec.class);
        secrets.put("replaced peering token", replaced);
        secrets.put("peering token", token);
        secrets.put("replaced establishment secret", codec.decode(replaced).establishmentSecret());
        secrets.put("establishment secret", codec.decode(token).establishmentSecret());
        assertEquals(403, establish(two, replaced).statusCode());
        HttpResponse<String> established = establish(two, token);
        assertEquals(200, established.statusCode(), established.body());
        assertEquals(403, establish(two, token).statusCode(), "the token is single-use");

        // Replication and heartbeats.
        assertEquals(200, one.put("/v1/catalog/register", "{\"Node\":\"n1\",\"Address\":\"10.0.0.1\","
                + "\"Service\":{\"ID\":\"api-1\",\"Service\":\"api\",\"Port\":80}}").statusCode());
        assertEquals(200, one.put("/v1/config", "{\"Kind\":\"exported-services\",\"Name\":\"default\","
                + "\"Services\":[{\"Name\":\"api\",\"Consumers\":[{\"Peer\":\"cluster-02\"}]}]}").statusCode());
        ConsulHttp importer = client(dc2).withToken(reader);
        Eventually.within(LIMIT, "api is imported", () -> json(two.get("/v1/health/service/api?peer=cluster-01")
                .body()).size() == 1);
        Eventually.within(LIMIT, "heartbeats went both ways", () -> json(importer.get("/v1/peering/cluster-01").body())
                .path("StreamStatus").path("LastHeartbeat").isTextual());

        // Delete, and wait until it is finished on both sides.
        assertEquals(200, two.delete("/v1/peering/cluster-01").statusCode());
        Eventually.within(LIMIT, "deleted", () -> two.get("/v1/peering/cluster-01").statusCode() == 404);
        Eventually.within(LIMIT, "terminated on the acceptor", () -> "TERMINATED".equals(
                json(acceptor.get("/v1/peering/cluster-02").body()).path("State").asText()));

        for (LocalCluster cluster : List.of(dc1, dc2)) {
            ClusterIdentity identity = cluster.context().getBean(ClusterIdentitySource.class).identity();
            String name = cluster == dc1 ? "dc1" : "dc2";
            secrets.put(name + " signing key (JWK d)", identity.signingKey().getD().toString());
            try {
                secrets.put(name + " signing key (PKCS#8)", Base64.getEncoder().encodeToString(
                        identity.signingKey().toECPrivateKey().getEncoded()));
            } catch (com.nimbusds.jose.JOSEException e) {
                throw new IllegalStateException(e);
            }
        }
        secrets.put("PEM private key", "PRIVATE KEY");

        List<String> found = new ArrayList<>();
        int items = 0;
        for (LocalCluster cluster : List.of(dc1, dc2)) {
            String name = cluster == dc1 ? "dc1" : "dc2";
            String ownKey = secrets.get(name + " signing key (JWK d)");
            for (Map.Entry<String, Map<String, AttributeValue>> item : TableSnapshot.of(cluster).items().entrySet()) {
                items++;
                String text = render(item.getValue());
                boolean identityItem = item.getKey().equals("CLUSTER|IDENTITY");
                secrets.forEach((what, secret) -> {
                    if (text.contains(secret) && !(identityItem && secret.equals(ownKey))) {
                        found.add(what + " in " + name + "'s table item " + item.getKey());
                    }
                });
            }
        }
        List<ILoggingEvent> events = List.copyOf(logs.list);
        for (ILoggingEvent event : events) {
            String line = event.getLoggerName() + " " + event.getFormattedMessage() + " " + event.getMDCPropertyMap()
                    + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy()));
            secrets.forEach((what, secret) -> {
                if (line.contains(secret)) {
                    found.add(what + " in a log line: " + line.substring(0, Math.min(300, line.length())));
                }
            });
        }
        System.out.println("SecretScanTest: " + secrets.size() + " secrets searched in " + items + " table items and "
                + events.size() + " log lines");
        assertTrue(events.size() > 20, "the log was captured: " + events.size() + " lines");
        assertTrue(found.isEmpty(), String.join("\n", found));
    }

    private static String tokenOf(ConsulHttp cluster) {
        return json(cluster.get("/v1/acl/token/self").body()).get("SecretID").asText();
    }

    private static String generate(ConsulHttp acceptor) {
        HttpResponse<String> response = acceptor.post("/v1/peering/token", "{\"PeerName\":\"cluster-02\"}");
        assertEquals(200, response.statusCode(), response.body());
        return json(response.body()).get("PeeringToken").asText();
    }

    private static HttpResponse<String> establish(ConsulHttp dialer, String token) {
        return dialer.post("/v1/peering/establish", "{\"PeerName\":\"cluster-01\",\"PeeringToken\":\"" + token + "\"}");
    }

    /** Every value of an item as text: strings, numbers, lists, maps, sets and binary (base64). */
    private static String render(Map<String, AttributeValue> item) {
        StringBuilder text = new StringBuilder();
        item.forEach((name, value) -> text.append(name).append('=').append(render(value)).append('\n'));
        return text.toString();
    }

    private static String render(AttributeValue value) {
        if (value.s() != null) {
            return value.s();
        }
        if (value.n() != null) {
            return value.n();
        }
        if (value.b() != null) {
            return Base64.getEncoder().encodeToString(value.b().asByteArray()) + " "
                    + new String(value.b().asByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        if (value.hasL()) {
            return value.l().stream().map(SecretScanTest::render).toList().toString();
        }
        if (value.hasM()) {
            return render(value.m());
        }
        if (value.hasSs()) {
            return value.ss().toString();
        }
        if (value.hasNs()) {
            return value.ns().toString();
        }
        if (value.hasBs()) {
            return value.bs().stream().map(b -> Base64.getEncoder().encodeToString(b.asByteArray())).toList().toString();
        }
        return String.valueOf(value.bool());
    }
}
