package io.clusterpeering.token;

import io.clusterpeering.domain.Remote;

import java.time.Instant;
import java.util.List;

/**
 * The content of a peering token, with Consul's {@code structs.PeeringToken} fields plus what the JWS adds.
 *
 * @param caPems                the acceptor cluster's CA certificates (Consul's {@code CA})
 * @param manualServerAddresses {@code host:port} addresses from ServerExternalAddresses; dialers prefer them
 * @param serverAddresses       the acceptor's own {@code host:port} addresses
 * @param serverScheme          {@code http} or {@code https}: how to reach those addresses (ours)
 * @param serverName            {@code server.<dc>.peering.<trust-domain>} of the acceptor
 * @param peerId                the acceptor's peering ID (Consul's {@code PeerID})
 * @param establishmentSecret   the single-use secret, at least 128 random bits, base64url
 * @param remote                the acceptor's partition and datacenter
 * @param audience              the peer name the acceptor gave the dialer ({@code aud})
 * @param issuedAt              {@code iat}
 * @param expiresAt             {@code exp}
 */
public record PeeringToken(List<String> caPems, List<String> manualServerAddresses, List<String> serverAddresses,
                           String serverScheme, String serverName, String peerId, String establishmentSecret,
                           Remote remote, String audience, Instant issuedAt, Instant expiresAt) {

    /** The addresses a dialer tries, in order: the manual ones when given (Consul's rule), else the server ones. */
    public List<String> addressesToDial() {
        return manualServerAddresses.isEmpty() ? serverAddresses : manualServerAddresses;
    }
}
