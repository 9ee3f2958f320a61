package io.clusterpeering.service;

import java.util.List;
import java.util.Map;

/**
 * A request to generate a peering token, as Consul's {@code api.PeeringGenerateTokenRequest}.
 *
 * @param peerName                the name this cluster gives the peer (required)
 * @param partition               the local partition; null or empty means {@code default}
 * @param meta                    metadata for a new peering, may be null
 * @param serverExternalAddresses {@code host:port} addresses to put in the token in place of our own, may be null
 */
public record GenerateTokenCommand(String peerName, String partition, Map<String, String> meta,
                                   List<String> serverExternalAddresses) {
    public GenerateTokenCommand {
        meta = io.clusterpeering.domain.PeeringRules.metaWithoutNulls(meta);
    }
}
