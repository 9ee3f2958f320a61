package io.clusterpeering.domain;

import java.util.Locale;

/**
 * What makes a peering unique: partition and name, compared case-insensitively (Consul lower-cases names on
 * lookup). The constructor normalises both to lower case.
 *
 * @param partition the partition, {@code default} when none was given
 * @param name      the peer name
 */
public record PeeringKey(String partition, String name) {
    /** Consul's default partition. */
    public static final String DEFAULT_PARTITION = "default";

    public PeeringKey {
        partition = partition == null || partition.isBlank() ? DEFAULT_PARTITION : partition.toLowerCase(Locale.ROOT);
        name = name == null ? "" : name.toLowerCase(Locale.ROOT);
    }
}
