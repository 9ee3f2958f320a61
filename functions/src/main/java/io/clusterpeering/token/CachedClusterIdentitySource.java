package io.clusterpeering.token;

/**
 * A {@link ClusterIdentitySource} that loads the identity on first use and then holds it in memory, reading it again
 * once it is older than the refresh interval ({@code peering.identity-refresh}, 60 s by default), so that a CA
 * rotation reaches every instance within that time. Subclasses say where it is kept. Never loaded during SnapStart
 * priming ({@link SecretGuard}), so a snapshot holds no key material.
 */
public abstract class CachedClusterIdentitySource implements ClusterIdentitySource {
    private final java.time.Duration refresh;
    private volatile ClusterIdentity cached;
    private volatile long loadedAt;

    /** @param refresh how long a loaded identity is used before it is read again */
    protected CachedClusterIdentitySource(java.time.Duration refresh) {
        this.refresh = refresh;
    }

    @Override
    public final ClusterIdentity identity() {
        ClusterIdentity identity = cached;
        if (identity == null || System.nanoTime() - loadedAt > refresh.toNanos()) {
            SecretGuard.beforeReading("the cluster identity");
            synchronized (this) {
                if (cached == null || System.nanoTime() - loadedAt > refresh.toNanos()) {
                    cached = cached == null ? load() : current();
                    loadedAt = System.nanoTime();
                }
                identity = cached;
            }
        }
        return identity;
    }

    @Override
    public final void replace(long expectedRevision, ClusterIdentity next) {
        store(expectedRevision, next);
        synchronized (this) {
            cached = next;
            loadedAt = System.nanoTime();
        }
    }

    /**
     * Reads (or first creates) the identity from where it is kept.
     *
     * @throws IllegalStateException when it cannot be read
     */
    protected abstract ClusterIdentity load();

    /**
     * Writes {@code next} where the identity is kept, if the stored one is at {@code expectedRevision}.
     *
     * @throws IdentityChanged when it is not
     */
    protected abstract void store(long expectedRevision, ClusterIdentity next);
}
