package io.clusterpeering.domain;

/**
 * Where the peer lives: its partition and datacenter, as Consul's {@code api.PeeringRemoteInfo}.
 *
 * @param partition  the peer's partition ({@code "default"} unless the peer uses partitions)
 * @param datacenter the peer's datacenter name, for example {@code dc2}
 */
public record Remote(String partition, String datacenter) {
    /** An unknown remote: both fields empty, as Consul shows before the peer has identified itself. */
    public static final Remote UNKNOWN = new Remote("", "");
}
