package io.clusterpeering.function;

import io.clusterpeering.store.ConsulIndex;
import io.clusterpeering.token.SecretGuard;
import io.micronaut.crac.OrderedResource;
import jakarta.inject.Singleton;
import org.crac.Context;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SnapStart priming: just before Lambda snapshots an initialised function, walks the code path of that function's
 * first request, so the snapshot already holds what it loads and warms (the handler's request parsing, the ACL
 * token check, the route's store calls through the SDK client, the JSON views and the error answers).
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
                for (Runnable primer : primers()) {
                    primer.run();
                }
                primedCalls++;
            } catch (RuntimeException e) {
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
