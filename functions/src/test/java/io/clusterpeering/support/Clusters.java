package io.clusterpeering.support;

import io.clusterpeering.local.LocalCluster;

/**
 * The two clusters {@link TwoClusters} started, and clients for their HTTP API.
 *
 * @param dc1         the first cluster, datacenter {@code dc1}
 * @param dc2         the second cluster, datacenter {@code dc2}
 * @param client1     {@link PeeringFlow#client} of dc1 (the made-up {@code test-token})
 * @param client2     {@link PeeringFlow#client} of dc2
 * @param management1 dc1's client with its bootstrap (management) token; null unless {@link TwoClusters#bootstrap}
 * @param management2 dc2's client with its bootstrap (management) token; null unless {@link TwoClusters#bootstrap}
 */
public record Clusters(LocalCluster dc1, LocalCluster dc2, ConsulHttp client1, ConsulHttp client2,
                       ConsulHttp management1, ConsulHttp management2) {
}
