package io.clusterpeering.token;

/**
 * Where the cluster's CA and signing key are kept. The first call on a new cluster creates them; every later
 * call, from any function instance, returns the same identity. The local runtime and the tests keep it in
 * the DynamoDB table; a deployment may keep it elsewhere (a secrets store) by providing another bean.
 */
public interface ClusterIdentitySource {

    /**
     * Returns this cluster's identity, creating and persisting it on first use.
     *
     * @throws IllegalStateException when a stored identity cannot be read back
     */
    ClusterIdentity identity();

    /**
     * SnapStart priming: builds what reading the identity needs (a client), without reading it, so the first read
     * after a restore is only its call. Nothing by default.
     */
    default void prepare() {
    }

    /**
     * The identity as stored now, never from a cache: what a rotation step decides on.
     *
     * @throws IllegalStateException when the stored identity cannot be read back
     */
    ClusterIdentity current();

    /**
     * Stores {@code next} in place of the identity, if the stored one is still at {@code expectedRevision}: the rule
     * that two rotation steps never both win.
     *
     * @throws IdentityChanged when the stored identity moved past that revision meanwhile
     */
    void replace(long expectedRevision, ClusterIdentity next);

    /** The stored identity was rewritten by someone else since it was read. */
    final class IdentityChanged extends RuntimeException {
        public IdentityChanged(String message) {
            super(message);
        }
    }
}
