package io.clusterpeering.peer;

import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.PeeringException.PeerUnreachable;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transport between clusters against a peer that keeps connections alive and drops one: the JDK client
 * reuses a pooled connection that the peer has closed, the request gets no answer at all, and the call is sent
 * once more on a new connection instead of failing (a heartbeat would otherwise read FAILING for a whole interval).
 * A peer that drops every connection unanswered still fails, after that one repeat.
 */
class PeerClientTest {

    @Test
    void aKeptAliveConnectionThePeerClosedIsRetriedOnceOnANewConnection() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread peer = new Thread(() -> serve(server, requests, false), "keep-alive-peer");
            peer.setDaemon(true);
            peer.start();
            PeerClient client = new PeerClient(config(Duration.ofSeconds(2)));
            List<String> urls = List.of("http://127.0.0.1:" + server.getLocalPort());

            assertEquals(200, client.post(urls, "/v1/internal/peering/message", "a.b.c", "send heartbeat").status());
            assertEquals(200, client.post(urls, "/v1/internal/peering/message", "a.b.c", "send heartbeat").status(),
                    "the second call meets the dropped connection and is sent again");
            assertEquals(3, requests.get(), "first call, the dropped one, and its repeat");
        }
    }

    @Test
    void aPeerThatDropsEveryConnectionUnansweredFailsAfterOneRepeat() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread peer = new Thread(() -> serve(server, requests, true), "hang-up-peer");
            peer.setDaemon(true);
            peer.start();
            PeerClient client = new PeerClient(config(Duration.ofSeconds(2)));
            PeerUnreachable failure = assertThrows(PeerUnreachable.class, () -> client.post(
                    List.of("http://127.0.0.1:" + server.getLocalPort()), "/x", "a.b.c", "send heartbeat"));
            assertTrue(failure.getMessage().startsWith("failed to send heartbeat through address \"127.0.0.1:"),
                    failure.getMessage());
            assertEquals(2, requests.get());
        }
    }

    /**
     * A peer on plain sockets: answers the first request of a connection (keeping it alive) and closes the
     * connection unanswered on its second request; with {@code hangUpAlways}, closes every connection unanswered.
     */
    private static void serve(ServerSocket server, AtomicInteger requests, boolean hangUpAlways) {
        while (!server.isClosed()) {
            try {
                Socket connection = server.accept();
                Thread handler = new Thread(() -> {
                    try (connection) {
                        InputStream in = connection.getInputStream();
                        OutputStream out = connection.getOutputStream();
                        for (int n = 0; readRequest(in); n++) {
                            requests.incrementAndGet();
                            if (hangUpAlways || n == 1) {
                                return;
                            }
                            out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
                                    .getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                        }
                    } catch (IOException ignored) {
                        // the client closed
                    }
                });
                handler.setDaemon(true);
                handler.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** Reads one request; false at the end of the connection. */
    private static boolean readRequest(InputStream in) throws IOException {
        int length = 0;
        for (String line = line(in); line != null; line = line(in)) {
            if (line.isEmpty()) {
                in.readNBytes(length);
                return true;
            }
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        return false;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c = in.read();
        if (c == -1) {
            return null;
        }
        for (; c != -1 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private static PeeringConfiguration config(Duration callTimeout) {
        return new PeeringConfiguration() {
            public String getDatacenter() {
                return "dc1";
            }

            public String getAdvertiseUrl() {
                return "http://127.0.0.1:1";
            }

            public Duration getTokenLifetime() {
                return Duration.ofHours(1);
            }

            @Override
            public Duration getLeafCertTtl() {
                return Duration.ofHours(72);
            }

            public Duration getHeartbeatInterval() {
                return Duration.ofSeconds(15);
            }

            public Duration getHeartbeatTimeout() {
                return Duration.ofMinutes(2);
            }

            public Duration getSyncAckTimeout() {
                return Duration.ofSeconds(45);
            }

            public Duration getPeerCallTimeout() {
                return callTimeout;
            }

            public Duration getMaxBlockingWait() {
                return Duration.ofMinutes(10);
            }

            public Duration getBlockingPollInterval() {
                return Duration.ofMillis(100);
            }

            public Duration getAuditRetention() {
                return Duration.ofDays(90);
            }

            public boolean isMetricsEmf() {
                return false;
            }

            public int getHeartbeatConcurrency() {
                return 1;
            }

            public int getReplicationConcurrency() {
                return 1;
            }

            @Override
            public Duration getStreamInvocationTime() {
                return Duration.ofSeconds(120);
            }

            @Override
            public Duration getStreamSafetyMargin() {
                return Duration.ofSeconds(15);
            }
        };
    }
}
