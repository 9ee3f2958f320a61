package io.clusterpeering.connect;

import com.fasterxml.jackson.databind.JsonNode;
import io.clusterpeering.support.Clusters;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.Eventually;
import io.clusterpeering.support.TwoClusters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static io.clusterpeering.support.PeeringFlow.establish;
import static io.clusterpeering.support.PeeringFlow.generate;
import static io.clusterpeering.support.PeeringFlow.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Intentions enforced across a peering, end to end, by two Connect-native programs that use only the JDK's TLS
 * and the HTTP API: a server for {@code api} in cluster-01 that requires a client certificate chained to a CA it
 * trusts (cluster-02's, from the peering's {@code PeerCAPems}, and its own cluster's roots) and asks
 * {@code POST /v1/agent/connect/authorize} before it answers; and clients with leaves from
 * {@code /v1/agent/connect/ca/leaf/web}, one in cluster-02, one in cluster-01. ACLs default to deny on both
 * clusters, so no intention means no connection.
 */
@TwoClusters(acl = "deny", bootstrap = true)
class ConnectNativeTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final String INTENTION_FROM_PEER_WEB = "{\"Kind\":\"service-intentions\",\"Name\":\"api\","
            + "\"Sources\":[{\"Name\":\"web\",\"Peer\":\"cluster-02\",\"Action\":\"allow\"}]}";

    private static ApiServer server;
    private static ConsulHttp management1;
    private static ConsulHttp management2;
    private static ConsulHttp web2;

    @BeforeAll
    static void peerAndStartTheServer(Clusters clusters) throws Exception {
        management1 = clusters.management1();
        management2 = clusters.management2();
        HttpResponse<String> established = establish(management2, "cluster-01", generate(management1, "cluster-02"));
        assertEquals(200, established.statusCode(), established.body());
        Eventually.within(LIMIT, "both sides are ACTIVE",
                () -> "ACTIVE".equals(json(management1.get("/v1/peering/cluster-02").body()).get("State").asText())
                        && "ACTIVE".equals(json(management2.get("/v1/peering/cluster-01").body()).get("State").asText()));
        ConsulHttp api1 = management1.withToken(serviceToken(management1, "api"));
        web2 = management2.withToken(serviceToken(management2, "web"));

        List<X509Certificate> trusted = new ArrayList<>(peerCas(management1, "cluster-02"));
        trusted.addAll(roots(management1));
        server = new ApiServer(api1, leaf(api1, "api"), trusted);
    }

    @AfterAll
    static void stopTheServer() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aPeersServiceConnectsOnlyWhileAnIntentionAllowsItAndThePeeringLasts() throws Exception {
        JsonNode rootsAnswer = json(management1.get("/v1/agent/connect/ca/roots").body());
        assertEquals(rootsAnswer.get("ActiveRootID").asText(), rootsAnswer.get("Roots").get(0).get("ID").asText());
        assertEquals(json(management2.get("/v1/peering/cluster-01").body()).get("PeerCAPems").get(0).asText(),
                rootsAnswer.get("Roots").get(0).get("RootCert").asText(),
                "the CA roots are the CA a peer stores for this cluster");
        String trustDomain2 = json(management2.get("/v1/connect/ca/roots").body()).get("TrustDomain").asText();

        Leaf webLeaf = leaf(web2, "web");
        assertEquals("spiffe://" + trustDomain2 + "/ns/default/dc/dc2/svc/web", webLeaf.uri());
        List<X509Certificate> dc1Cas = peerCas(management2, "cluster-01");

        assertEquals("denied: Default behavior configured by ACLs", call(webLeaf, dc1Cas),
                "no intention, ACLs default to deny");

        assertEquals("true", management1.put("/v1/config", INTENTION_FROM_PEER_WEB).body());
        assertEquals("hello web from " + trustDomain2, call(webLeaf, dc1Cas));
        JsonNode allowed = json(management1.post("/v1/agent/connect/authorize", "{\"Target\":\"api\","
                + "\"ClientCertURI\":\"" + webLeaf.uri() + "\"}").body());
        assertEquals("Matched L4 intention: peer(cluster-02)/default/web => default/api (Precedence: 9, Action: ALLOW)",
                allowed.get("Reason").asText(), "Consul's reason text");
        assertEquals(true, json(management1.get("/v1/connect/intentions/check?source=peer:cluster-02/web"
                + "&destination=api").body()).get("Allowed").asBoolean());
        JsonNode matched = json(management1.get("/v1/connect/intentions/match?by=source&name=peer:cluster-02/web")
                .body()).get("peer:cluster-02/web");
        assertEquals(1, matched.size());
        assertEquals("cluster-02", matched.get(0).get("SourcePeer").asText());
        assertEquals("api", matched.get(0).get("DestinationName").asText());

        Leaf localWeb = leaf(management1.withToken(serviceToken(management1, "web")), "web");
        assertTrue(call(localWeb, roots(management1)).startsWith("denied: Default behavior"),
                "the peer's intention never admits a local service of the same name");

        assertEquals(200, management1.delete("/v1/config/service-intentions/api").statusCode());
        assertEquals("denied: Default behavior configured by ACLs", call(webLeaf, dc1Cas),
                "the intention was deleted");

        assertEquals("true", management1.put("/v1/config", INTENTION_FROM_PEER_WEB).body());
        assertEquals("hello web from " + trustDomain2, call(webLeaf, dc1Cas));
        assertEquals(200, management2.delete("/v1/peering/cluster-01").statusCode());
        Eventually.within(LIMIT, "the acceptor sees the peering end", () -> List.of("TERMINATED", "DELETING")
                .contains(json(management1.get("/v1/peering/cluster-02").body()).path("State").asText("gone")));
        String afterDelete = call(webLeaf, dc1Cas);
        assertTrue(afterDelete.startsWith("denied: Unknown trust domain"), afterDelete);
    }

    @Test
    void badRequestsAre400sNamingTheField() {
        assertEquals(List.of(400, "Target service must be specified"), answer(management1.post(
                "/v1/agent/connect/authorize", "{\"ClientCertURI\":\"spiffe://x.consul/ns/default/dc/dc1/svc/web\"}")));
        assertEquals(List.of(400, "ClientCertURI not a valid Connect identifier"), answer(management1.post(
                "/v1/agent/connect/authorize", "{\"Target\":\"api\",\"ClientCertURI\":\"web\"}")));
        assertEquals(List.of(400, "ClientCertURI not a valid Service identifier"), answer(management1.post(
                "/v1/agent/connect/authorize", "{\"Target\":\"api\",\"ClientCertURI\":\"spiffe://x.consul/agent/client/dc/dc1/id/n\"}")));
        assertEquals(List.of(400, "required query parameter 'source' not set"),
                answer(management1.get("/v1/connect/intentions/check?destination=api")));
        assertEquals(List.of(400, "invalid source \"peer:cluster-02\": expected peer:<peer>/<service>"),
                answer(management1.get("/v1/connect/intentions/check?source=peer:cluster-02&destination=api")));
        assertEquals(List.of(400, "'by' parameter must be one of 'source' or 'destination'"),
                answer(management1.get("/v1/connect/intentions/match?by=both&name=api")));
        assertEquals(List.of(400, "Invalid service name: we_b"),
                answer(management1.get("/v1/agent/connect/ca/leaf/we_b")));
    }

    private static List<Object> answer(HttpResponse<String> response) {
        return List.of(response.statusCode(), response.body());
    }

    /** What a client gets from the server: its greeting, or the refusal it was told. */
    private static String call(Leaf leaf, List<X509Certificate> trusted) throws Exception {
        SSLContext tls = tls(leaf, trusted);
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                server.port())) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            X509Certificate serverCert = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            assertTrue(uriOf(serverCert).endsWith("/dc/dc1/svc/api"), "the client checks it reached api");
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
        }
    }

    private static String serviceToken(ConsulHttp management, String service) {
        HttpResponse<String> token = management.put("/v1/acl/token",
                "{\"ServiceIdentities\":[{\"ServiceName\":\"" + service + "\"}]}");
        assertEquals(200, token.statusCode(), token.body());
        return json(token.body()).get("SecretID").asText();
    }

    private static List<X509Certificate> peerCas(ConsulHttp cluster, String peer) throws Exception {
        List<X509Certificate> cas = new ArrayList<>();
        for (JsonNode pem : json(cluster.get("/v1/peering/" + peer).body()).get("PeerCAPems")) {
            cas.addAll(certificates(pem.asText()));
        }
        return cas;
    }

    private static List<X509Certificate> roots(ConsulHttp cluster) throws Exception {
        List<X509Certificate> cas = new ArrayList<>();
        for (JsonNode root : json(cluster.get("/v1/agent/connect/ca/roots").body()).get("Roots")) {
            cas.addAll(certificates(root.get("RootCert").asText()));
        }
        return cas;
    }

    /** A leaf as a Connect-native program loads it: certificate, key, and the URI it names. */
    private record Leaf(X509Certificate certificate, PrivateKey key, String uri) {
    }

    private static Leaf leaf(ConsulHttp cluster, String service) throws Exception {
        HttpResponse<String> answer = cluster.get("/v1/agent/connect/ca/leaf/" + service);
        assertEquals(200, answer.statusCode(), answer.body());
        JsonNode issued = json(answer.body());
        X509Certificate certificate = certificates(issued.get("CertPEM").asText()).get(0);
        String pem = issued.get("PrivateKeyPEM").asText();
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        assertEquals(issued.get("ServiceURI").asText(), uriOf(certificate));
        assertEquals(issued.get("SerialNumber").asText(), serial(certificate));
        return new Leaf(certificate, key, uriOf(certificate));
    }

    private static List<X509Certificate> certificates(String pem) throws Exception {
        Collection<? extends Certificate> parsed = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        return parsed.stream().map(c -> (X509Certificate) c).toList();
    }

    private static SSLContext tls(Leaf leaf, List<X509Certificate> trusted) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("leaf", leaf.key(), new char[0], new Certificate[]{leaf.certificate()});
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < trusted.size(); i++) {
            trust.setCertificateEntry("ca-" + i, trusted.get(i));
        }
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        return context;
    }

    private static String uriOf(X509Certificate certificate) throws Exception {
        for (List<?> name : certificate.getSubjectAlternativeNames()) {
            if ((Integer) name.get(0) == 6) {
                return (String) name.get(1);
            }
        }
        return "";
    }

    private static String serial(X509Certificate certificate) {
        byte[] bytes = certificate.getSerialNumber().toByteArray();
        int start = bytes.length > 1 && bytes[0] == 0 ? 1 : 0;
        List<String> parts = new ArrayList<>();
        for (int i = start; i < bytes.length; i++) {
            parts.add(HexFormat.of().toHexDigits(bytes[i]));
        }
        return String.join(":", parts);
    }

    /**
     * The Connect-native server of {@code api}: TLS with a required client certificate, then one authorize call per
     * connection with the client's URI and serial; it greets an authorized client and tells a refused one why.
     */
    private static final class ApiServer implements AutoCloseable {
        private final SSLServerSocket socket;
        private final ExecutorService accepting = Executors.newSingleThreadExecutor();
        private final ConsulHttp agent;

        ApiServer(ConsulHttp agent, Leaf leaf, List<X509Certificate> trusted) throws Exception {
            this.agent = agent;
            socket = (SSLServerSocket) tls(leaf, trusted).getServerSocketFactory()
                    .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
            socket.setNeedClientAuth(true);
            accepting.submit(this::serve);
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve() {
            while (!socket.isClosed()) {
                try (Socket connection = socket.accept()) {
                    answer((SSLSocket) connection);
                } catch (SocketException closed) {
                    return;
                } catch (Exception e) {
                    // a failed handshake ends that connection only
                }
            }
        }

        private void answer(SSLSocket connection) throws Exception {
            connection.startHandshake();
            X509Certificate client = (X509Certificate) connection.getSession().getPeerCertificates()[0];
            HttpResponse<String> decision = agent.post("/v1/agent/connect/authorize", "{\"Target\":\"api\","
                    + "\"ClientCertURI\":\"" + uriOf(client) + "\",\"ClientCertSerial\":\"" + serial(client) + "\"}");
            JsonNode body = json(decision.body());
            PrintWriter out = new PrintWriter(connection.getOutputStream(), true, StandardCharsets.UTF_8);
            if (decision.statusCode() == 200 && body.get("Authorized").asBoolean()) {
                String uri = uriOf(client);
                out.println("hello " + uri.substring(uri.lastIndexOf('/') + 1) + " from "
                        + java.net.URI.create(uri).getHost());
            } else {
                out.println("denied: " + body.path("Reason").asText(decision.body()));
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            accepting.shutdownNow();
        }
    }
}
