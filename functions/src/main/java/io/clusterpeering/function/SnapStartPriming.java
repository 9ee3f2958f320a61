package io.clusterpeering.function;

import io.clusterpeering.http.ApiGatewayPayloads;
import io.clusterpeering.http.ConsulJson;
import io.clusterpeering.http.ConsulShapes;
import io.clusterpeering.store.ConsulIndex;
import io.clusterpeering.token.SecretGuard;
import io.micronaut.crac.OrderedResource;
import jakarta.inject.Singleton;
import org.crac.Context;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SnapStart priming: just before Lambda snapshots an initialised function, walks the code path of that function's
 * first request, so the snapshot already holds what it loads and warms: reading and answering one API Gateway event
 * of each payload format (HTTP API 2.0, REST API 1.0), then the handler's request parsing, the ACL token check,
 * the route's store calls through the SDK client, the JSON views and the error answers.
 *
 * <p>Each HTTP function registers its own priming with {@link #register} ({@link ConsulHttpFunction#prime}); with
 * none registered (the stream and heartbeat handlers) one GetItem of the index counter, which every function may
 * make, warms the SDK client. Priming reads no secret: it runs inside {@link SecretGuard#withoutSecrets}, so the
 * cluster identity's key and sealed ACL SecretIDs are refused and load on first use after restore, and it writes
 * nothing. It ends with a garbage collection, so what it read is not in the snapshot either. Registered with CRaC
 * by Micronaut's CRaC support; a failure is logged and never blocks the snapshot.
 */
@Singleton
public class SnapStartPriming implements OrderedResource {
    private static final Logger LOG = LoggerFactory.getLogger(SnapStartPriming.class);
    /** The smallest event of each payload format; reading one touches no store. */
    private static final String[] PRIMING_EVENTS = {
            "{\"version\":\"2.0\",\"rawPath\":\"/v1/agent/self\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}",
            "{\"httpMethod\":\"GET\",\"path\":\"/agent/self\",\"requestContext\":{\"path\":\"/v1/agent/self\"}}"};

    private final ConsulIndex index;
    private final Map<Class<?>, Runnable> primers = new LinkedHashMap<>();
    private volatile int primedCalls;

    public SnapStartPriming(ConsulIndex index) {
        this.index = index;
    }

    /**
     * Registers the priming of one function (one per function class: a later one replaces it).
     *
     * @param function the function class
     * @param primer   walks its first request's path; must not write and may throw
     */
    public synchronized void register(Class<?> function, Runnable primer) {
        primers.put(function, primer);
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        SecretGuard.withoutSecrets(() -> {
            try {
                index.current();
                ConsulJson.write(new ConsulShapes.RemoteView("default", "dc1"), false);
                for (String event : PRIMING_EVENTS) {
                    var invocation = ApiGatewayPayloads.read(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)));
                    ApiGatewayPayloads.write(invocation.format(), Routes.unrouted("GET", "/", "allow"), new ByteArrayOutputStream());
                }
                for (Runnable primer : primers()) {
                    primer.run();
                }
                primedCalls++;
            } catch (IOException | RuntimeException e) {
                LOG.warn("priming before the snapshot failed: {}", e.getMessage());
            }
            return null;
        });
        System.gc();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        LOG.debug("restored from snapshot");
    }

    private synchronized java.util.List<Runnable> primers() {
        return java.util.List.copyOf(primers.values());
    }

    /** How many times priming ran to completion; for tests. */
    public int primedCalls() {
        return primedCalls;
    }
}
