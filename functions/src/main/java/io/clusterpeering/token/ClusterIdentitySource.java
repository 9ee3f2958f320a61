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
}
