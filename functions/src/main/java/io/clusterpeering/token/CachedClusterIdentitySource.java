package io.clusterpeering.token;

/**
 * A {@link ClusterIdentitySource} that loads the identity once per instance, on first use, and then holds it
 * in memory. Subclasses say where it is kept. Never loaded during SnapStart priming ({@link SecretGuard}), so a
 * snapshot holds no key material.
 */
public abstract class CachedClusterIdentitySource implements ClusterIdentitySource {
    private volatile ClusterIdentity cached;

    @Override
    public final ClusterIdentity identity() {
        ClusterIdentity identity = cached;
        if (identity == null) {
            SecretGuard.beforeReading("the cluster identity");
            synchronized (this) {
                if (cached == null) {
                    cached = load();
                }
                identity = cached;
            }
        }
        return identity;
    }

    /**
     * Reads (or first creates) the identity from where it is kept; called once.
     *
     * @throws IllegalStateException when it cannot be read
     */
    protected abstract ClusterIdentity load();
}
