package io.clusterpeering.support;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.nimbusds.jwt.JWTClaimsSet;
import io.clusterpeering.function.ExchangeSecretFunction;
import io.clusterpeering.function.PeerMessageFunction;
import io.clusterpeering.local.EmbeddedDynamoDb;
import io.clusterpeering.peer.PeerMessages;
import io.clusterpeering.service.EstablishCommand;
import io.clusterpeering.service.PeeringService;
import io.clusterpeering.token.ClusterSignatures;
import io.micronaut.context.ApplicationContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Stands in for the other cluster of a peering: a minimal HTTP/1.1 server on a free port (plain sockets, one
 * request per connection, {@code Connection: close}, so none of its sockets outlives a request and a leak count
 * sees only the caller's) that serves the internal peering routes ({@code /v1/internal/peering/exchange} and
 * {@code /message}). Honestly it hands them to a real
 * peer core (its own application context, table and cluster identity); in the hostile {@link Mode}s it answers
 * slowly, with garbage, with another cluster's signature, with a replayed answer, or not at all. Handler threads
 * are named {@code fake-peer-*} so tests can count their own threads apart.
 */
public final class FakePeer implements AutoCloseable {
    /** How the fake answers {@code /v1/internal/peering/message}. */
    public enum Mode {
        /** As the real peer does. */
        HONEST,
        /** Answers as the real peer, but only after the caller's timeout. */
        SLOW,
        /** Sends 200 and then its body one byte every 100 ms, longer than the caller's timeout. */
        TRICKLE,
        /** Reads the request and never answers; closes the connection after twice the caller's timeout. */
        SILENT,
        /** Closes the connection without an answer. */
        HANG_UP,
        /** 200 with an HTML page. */
        GARBAGE,
        /** 500 with random bytes. */
        GARBAGE_ERROR,
        /** 200 with a body of a megabyte. */
        HUGE,
        /** 200 with a well-formed heartbeat answer signed by another cluster. */
        WRONG_SIGNER,
        /** 200 with the last honest answer, sent again. */
        REPLAY
    }

    private final ServerSocket server;
    private final ExecutorService handlers;
    private final ApplicationContext core;
    private final ApplicationContext stranger;
    private final Duration callerTimeout;
    private final AtomicReference<Mode> mode = new AtomicReference<>(Mode.HONEST);
    private final AtomicReference<String> lastHonestAnswer = new AtomicReference<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ExchangeSecretFunction exchangeFunction;
    private final PeerMessageFunction messageFunction;

    private FakePeer(ServerSocket server, ExecutorService handlers, ApplicationContext core, ApplicationContext stranger,
                     Duration callerTimeout) {
        this.server = server;
        this.handlers = handlers;
        this.core = core;
        this.stranger = stranger;
        this.callerTimeout = callerTimeout;
        this.exchangeFunction = new ExchangeSecretFunction(core);
        this.messageFunction = new PeerMessageFunction(core);
    }

    /**
     * Starts a fake peer.
     *
     * @param callerTimeout the {@code peering.peer-call-timeout} of the cluster that calls it, which the slow
     *                      modes outlast
     */
    public static FakePeer start(Duration callerTimeout) throws IOException {
        ServerSocket server = new ServerSocket(EmbeddedDynamoDb.freePort(), 50, InetAddress.getLoopbackAddress());
        int port = server.getLocalPort();
        Map<String, Object> properties = new HashMap<>(TestDynamoDb.freshTable("fake-peer"));
        properties.put("peering.datacenter", "dc-fake");
        properties.put("peering.advertise-url", "http://127.0.0.1:" + port);
        ApplicationContext core = ApplicationContext.run(properties);
        ApplicationContext stranger = ApplicationContext.run(TestDynamoDb.freshTable("stranger"));
        AtomicInteger threads = new AtomicInteger();
        ExecutorService handlers = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "fake-peer-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        FakePeer fake = new FakePeer(server, handlers, core, stranger, callerTimeout);
        handlers.execute(fake::accept);
        return fake;
    }

    /** Takes connections until closed; one request per connection, each on a handler thread of its own. */
    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket connection = server.accept();
                handlers.execute(() -> handle(connection));
            } catch (IOException | java.util.concurrent.RejectedExecutionException closed) {
                return;
            }
        }
    }

    /**
     * Establishes from the fake peer (as dialer, with its own, default call timeout) with a token of the cluster
     * under test, calling the cluster's exchange route.
     *
     * @param peerName the name the fake gives the cluster
     */
    public void establish(String peerName, String token) {
        core.getBean(PeeringService.class).establish(new EstablishCommand(peerName, null, token, null),
                io.clusterpeering.acl.Caller.ANONYMOUS_ACCESSOR_ID);
    }

    /** Sets how the fake answers messages from now on. */
    public void mode(Mode next) {
        mode.set(next);
    }

    /** Waits until no request is being answered, at most the given time. @return whether none is */
    public boolean awaitIdle(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return inFlight.get() == 0;
    }

    /**
     * Reads one HTTP/1.1 request (request line, headers, a Content-Length body) and answers it as the mode says,
     * always with {@code Connection: close}, then closes the connection: no socket outlives its request.
     */
    private void handle(Socket connection) {
        inFlight.incrementAndGet();
        try (connection) {
            InputStream in = connection.getInputStream();
            String requestLine = line(in);
            int length = 0;
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                if (header.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(header.substring("content-length:".length()).trim());
                }
            }
            String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            OutputStream out = connection.getOutputStream();
            if (requestLine.contains(PeeringService.EXCHANGE_PATH)) {
                answer(out, honest(exchangeFunction, PeeringService.EXCHANGE_PATH, body));
                return;
            }
            switch (mode.get()) {
                case HONEST -> {
                    APIGatewayV2HTTPResponse response = honest(messageFunction, PeeringService.MESSAGE_PATH, body);
                    if (response.getStatusCode() == 200 && response.getBody().contains("Heartbeat")) {
                        lastHonestAnswer.set(response.getBody());
                    }
                    answer(out, response);
                }
                case SLOW -> {
                    sleep(callerTimeout.plusMillis(300));
                    answer(out, honest(messageFunction, PeeringService.MESSAGE_PATH, body));
                }
                case TRICKLE -> {
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n"
                            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    long end = System.nanoTime() + callerTimeout.multipliedBy(6).toNanos();
                    while (System.nanoTime() < end) {
                        out.write('{');
                        out.flush();
                        sleep(Duration.ofMillis(100));
                    }
                }
                case SILENT -> sleep(callerTimeout.multipliedBy(2));
                case HANG_UP -> {
                    // try-with-resources closes the connection without an answer
                }
                case GARBAGE -> raw(out, 200, "<html><body><h1>502 Bad Gateway</h1></body></html>".getBytes(StandardCharsets.UTF_8));
                case GARBAGE_ERROR -> {
                    byte[] noise = new byte[200];
                    new java.util.Random().nextBytes(noise);
                    raw(out, 500, noise);
                }
                case HUGE -> {
                    byte[] big = new byte[1 << 20];
                    Arrays.fill(big, (byte) 'x');
                    raw(out, 200, big);
                }
                case WRONG_SIGNER -> raw(out, 200, ("{\"Heartbeat\":\"" + strangerAnswer(body) + "\"}")
                        .getBytes(StandardCharsets.UTF_8));
                case REPLAY -> {
                    String replayed = lastHonestAnswer.get();
                    raw(out, 200, (replayed == null ? "{}" : replayed).getBytes(StandardCharsets.UTF_8));
                }
            }
        } catch (IOException ignored) {
            // the caller gave up and closed its end: expected in the slow modes
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** A heartbeat answer with every claim right for this peering, but signed by another cluster's key. */
    private String strangerAnswer(String request) {
        try {
            JWTClaimsSet claims = ClusterSignatures.unverifiedClaims(request);
            return stranger.getBean(PeerMessages.class).signHeartbeatAnswer(claims.getAudience().get(0),
                    claims.getIssuer(), claims.getLongClaim("Seq"), Instant.now());
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static APIGatewayV2HTTPResponse honest(io.clusterpeering.function.ConsulHttpFunction function, String path,
                                                   String body) {
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0").withRawPath(path).withBody(body).withIsBase64Encoded(false)
                .withHeaders(Map.of("content-type", "application/jose"))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId("fake-" + System.nanoTime())
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("POST").withPath(path).build())
                        .build())
                .build();
        return function.execute(event);
    }

    private static void answer(OutputStream out, APIGatewayV2HTTPResponse response) throws IOException {
        raw(out, response.getStatusCode(), response.getBody() == null ? new byte[0]
                : response.getBody().getBytes(StandardCharsets.UTF_8));
    }

    private static void raw(OutputStream out, int status, byte[] body) throws IOException {
        out.write(("HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The base URL the fake listens at. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Names of the modes, for reports. */
    public static List<Mode> hostileModes() {
        return Arrays.stream(Mode.values()).filter(m -> m != Mode.HONEST).toList();
    }

    @Override
    public void close() throws IOException {
        server.close();
        handlers.shutdownNow();
        core.close();
        stranger.close();
    }
}
