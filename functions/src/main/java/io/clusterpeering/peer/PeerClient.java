package io.clusterpeering.peer;

import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.PeeringException.PeerUnreachable;
import jakarta.inject.Singleton;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Calls the other cluster's internal peering routes over HTTP(S): the secret exchange, heartbeats and
 * terminations. Tries each of the peer's base URLs in order until one answers; an HTTP answer of any status
 * ends the attempt and is returned. Uses the JDK's {@link HttpClient} (no extra jar in the Lambda package;
 * Micronaut's JDK-based client did not resolve on our Maven mirror). Bodies are signed JWS texts, sent as
 * {@code application/jose}. Each attempt is bounded: connect, answer and whole body within
 * {@code peering.peer-call-timeout}, and an answer body of at most {@link #MAX_ANSWER_BYTES}; a call that
 * overruns is cancelled, which closes its connection. A call whose kept-alive connection turns out to have been
 * closed by the peer before any answer (the request never reached it) is sent once more on a new connection.
 * The JDK client (a selector thread, the default TLS context) is built on the first call, so functions that never
 * call a peer (every read) never pay for it at start-up.
 */
@Singleton
public class PeerClient {
    /** The largest answer body read from a peer, in bytes; peers answer {@code {}} or one signed heartbeat. */
    static final int MAX_ANSWER_BYTES = 64 * 1024;

    private final Duration timeout;
    private volatile HttpClient http;

    public PeerClient(PeeringConfiguration config) {
        this.timeout = config.getPeerCallTimeout();
    }

    private HttpClient http() {
        HttpClient current = http;
        if (current == null) {
            synchronized (this) {
                if (http == null) {
                    http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
                }
                current = http;
            }
        }
        return current;
    }

    /**
     * Posts a signed message to the first of the peer's URLs that answers.
     *
     * @param baseUrls the peer's base URLs, for example {@code http://127.0.0.1:8501}
     * @param path     the internal route, for example {@code /v1/internal/peering/exchange}
     * @param jws      the signed body
     * @param purpose  what the call is for, used in the error text ("exchange peering secret")
     * @return the answer: the URL that answered, the HTTP status and the body
     * @throws PeerUnreachable naming every address tried and why it failed, when none answered
     */
    public PeerAnswer post(List<String> baseUrls, String path, String jws, String purpose) {
        List<String> failures = new ArrayList<>();
        for (String baseUrl : baseUrls) {
            try {
                try {
                    return attempt(baseUrl, path, jws);
                } catch (Failure first) {
                    if (!first.closedUnanswered) {
                        throw first;
                    }
                    // Most often a kept-alive connection the peer had closed meanwhile, which the request never
                    // reached: it is sent once more, on a new connection. Messages carry a sequence number, so a
                    // repeat of one the peer did take is refused there as not newer.
                    return attempt(baseUrl, path, jws);
                }
            } catch (Failure e) {
                failures.add(describe(purpose, baseUrl, e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PeerUnreachable("interrupted while trying to " + purpose);
            }
        }
        if (failures.isEmpty()) {
            throw new PeerUnreachable("failed to " + purpose + ": the peer has no known address");
        }
        throw new PeerUnreachable(String.join("; ", failures));
    }

    private PeerAnswer attempt(String baseUrl, String path, String jws) throws Failure, InterruptedException {
        CompletableFuture<HttpResponse<String>> call = null;
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(stripSlash(baseUrl) + path))
                    .timeout(timeout)
                    .header("Content-Type", "application/jose")
                    .POST(HttpRequest.BodyPublishers.ofString(jws, StandardCharsets.US_ASCII))
                    .build();
            call = http().sendAsync(request, info -> new LimitedText(MAX_ANSWER_BYTES));
            // The request timeout ends at the answer's headers; this bound also covers a body that trickles.
            HttpResponse<String> response = call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new PeerAnswer(baseUrl, response.statusCode(), response.body());
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new Failure("no answer within " + timeout.toMillis() + " ms", false);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof HttpTimeoutException) {
                throw new Failure("no answer within " + timeout.toMillis() + " ms", false);
            }
            throw new Failure(reason(cause), closedBeforeAnswer(cause));
        } catch (IllegalArgumentException e) {
            throw new Failure(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), false);
        } catch (InterruptedException e) {
            if (call != null) {
                call.cancel(true);
            }
            throw e;
        }
    }

    /** What went wrong, in words: the JDK leaves the message of a refused connection empty. */
    private static String reason(Throwable failure) {
        if (failure.getMessage() != null && !failure.getMessage().isBlank()) {
            return failure.getMessage();
        }
        if (failure instanceof java.net.ConnectException) {
            return "connection refused";
        }
        return failure.getCause() != null ? reason(failure.getCause()) : "the connection failed";
    }

    /** Whether the connection ended before a single byte of an answer: the JDK's "header parser received no bytes". */
    private static boolean closedBeforeAnswer(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.io.EOFException
                    || (t.getMessage() != null && t.getMessage().contains("received no bytes"))) {
                return true;
            }
        }
        return false;
    }

    /** Why one attempt failed, and whether it may be sent again. */
    private static final class Failure extends Exception {
        private final boolean closedUnanswered;

        Failure(String reason, boolean closedUnanswered) {
            super(reason, null, false, false);
            this.closedUnanswered = closedUnanswered;
        }
    }

    private static String describe(String purpose, String baseUrl, String reason) {
        URI uri = URI.create(baseUrl);
        String address = uri.getHost() + ":" + (uri.getPort() > 0 ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : 80));
        return "failed to " + purpose + " through address \"" + address + "\": " + reason;
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /**
     * Reads an answer body as UTF-8 text, failing (and cancelling the read) once it grows past a limit, so a
     * peer cannot make us buffer an endless answer.
     */
    private static final class LimitedText implements HttpResponse.BodySubscriber<String> {
        private final int maxBytes;
        private final CompletableFuture<String> result = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        LimitedText(int maxBytes) {
            this.maxBytes = maxBytes;
        }

        @Override
        public CompletionStage<String> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                if (bytes.size() + buffer.remaining() > maxBytes) {
                    subscription.cancel();
                    result.completeExceptionally(new IOException("the answer is larger than " + maxBytes + " bytes"));
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * What a peer answered.
     *
     * @param baseUrl the URL that answered
     * @param status  the HTTP status
     * @param body    the body text
     */
    public record PeerAnswer(String baseUrl, int status, String body) {
        /** True for HTTP 200. */
        public boolean ok() {
            return status == 200;
        }
    }
}
