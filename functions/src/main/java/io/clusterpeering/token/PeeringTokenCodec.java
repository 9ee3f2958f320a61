package io.clusterpeering.token;

import com.nimbusds.jwt.JWTClaimsSet;
import io.clusterpeering.domain.PeeringException.InvalidPeeringToken;
import io.clusterpeering.domain.Remote;

import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a {@link PeeringToken} into the compact JWS a user copies between clusters, and back.
 *
 * <p>The payload keeps Consul's token keys ({@code CA}, {@code ManualServerAddresses}, {@code ServerAddresses},
 * {@code ServerName}, {@code PeerID}, {@code EstablishmentSecret}, {@code Remote}) so their meaning carries
 * over, and adds {@code iat}, {@code exp}, {@code aud} and {@code ServerScheme}. A dialer verifies the
 * signature, that the signer's certificate chains to the {@code CA} in the token, the expiry and the
 * addresses before it makes any network call.
 */
@jakarta.inject.Singleton
public final class PeeringTokenCodec {
    /** The JOSE {@code typ} of a peering token. */
    public static final String TYPE = "peering-token+jwt";
    private static final Set<String> REQUIRED = Set.of("CA", "ServerAddresses", "ServerName", "PeerID",
            "EstablishmentSecret", "Remote", "iat", "exp");
    private static final Pattern HOST_PORT = Pattern.compile("^(\\[[0-9a-fA-F:.]+]|[A-Za-z0-9.-]+):(\\d{1,5})$");

    private final ClusterSignatures signatures;

    /** @param signatures signs with this cluster's key */
    public PeeringTokenCodec(ClusterSignatures signatures) {
        this.signatures = signatures;
    }

    /** Encodes and signs a token. */
    public String encode(PeeringToken token) {
        return signatures.sign(TYPE, claims(token));
    }

    /**
     * SnapStart priming of {@link #encode}: a token of the same shape, with made-up values and no secret of ours,
     * signed with a throwaway key ({@link ClusterSignatures#primeSigning}).
     */
    public static void primeEncoding() {
        Instant now = Instant.now();
        ClusterSignatures.primeSigning(TYPE, claims(new PeeringToken(List.of("-----BEGIN CERTIFICATE-----\nX\n"
                + "-----END CERTIFICATE-----\n"), List.of(), List.of("priming.invalid:8443"), "https",
                "server.dc1.peering.priming.consul", "00000000-0000-0000-0000-000000000000", "priming-not-a-secret",
                new Remote("default", "dc1"), "priming", now, now.plusSeconds(60))));
    }

    private static JWTClaimsSet claims(PeeringToken token) {
        Map<String, Object> remote = new LinkedHashMap<>();
        remote.put("Partition", token.remote().partition());
        remote.put("Datacenter", token.remote().datacenter());
        return new JWTClaimsSet.Builder()
                .claim("CA", token.caPems())
                .claim("ManualServerAddresses", token.manualServerAddresses())
                .claim("ServerAddresses", token.serverAddresses())
                .claim("ServerScheme", token.serverScheme())
                .claim("ServerName", token.serverName())
                .claim("PeerID", token.peerId())
                .claim("EstablishmentSecret", token.establishmentSecret())
                .claim("Remote", remote)
                .audience(token.audience())
                .issueTime(Date.from(token.issuedAt()))
                .expirationTime(Date.from(token.expiresAt()))
                .build();
    }

    /**
     * Verifies and decodes a token.
     *
     * @param compact the token as the user pasted it (surrounding white space is ignored)
     * @return the verified content
     * @throws InvalidPeeringToken naming what is wrong: not a JWS, unsigned, tampered with, expired, a CA that
     *                             does not parse, no addresses, a malformed address, or a missing field
     */
    public PeeringToken decode(String compact) {
        String text = compact == null ? "" : compact.strip();
        JWTClaimsSet untrusted = ClusterSignatures.unverifiedClaims(text);
        List<String> caPems = stringList(untrusted, "CA");
        List<X509Certificate> cas;
        try {
            cas = Pem.decode(caPems);
        } catch (IllegalArgumentException e) {
            throw new InvalidPeeringToken("its CA is unusable: " + e.getMessage());
        }
        return toToken(ClusterSignatures.verify(text, TYPE, cas, REQUIRED));
    }

    /**
     * Reads a token's content without checking its signature or expiry, for the pre-flight check's first step
     * (nothing read this way may be trusted until {@link #verifySignature} holds).
     *
     * @throws InvalidPeeringToken when it is not a compact JWS, a required field is missing, or a field is malformed
     */
    public PeeringToken decodeUnverified(String compact) {
        JWTClaimsSet claims = ClusterSignatures.unverifiedClaims(compact == null ? "" : compact.strip());
        for (String name : REQUIRED) {
            if (claims.getClaim(name) == null) {
                throw new InvalidPeeringToken("its " + name + " field is missing");
            }
        }
        try {
            Pem.decode(stringList(claims, "CA"));
        } catch (IllegalArgumentException e) {
            throw new InvalidPeeringToken("its CA is unusable: " + e.getMessage());
        }
        return toToken(claims);
    }

    /**
     * Checks a token's signature and that the signer's certificate chains to the token's CA, but not its expiry.
     *
     * @throws InvalidPeeringToken naming what does not hold
     */
    public void verifySignature(String compact) {
        String text = compact == null ? "" : compact.strip();
        List<X509Certificate> cas = Pem.decode(stringList(ClusterSignatures.unverifiedClaims(text), "CA"));
        ClusterSignatures.verify(text, TYPE, cas, REQUIRED, false);
    }

    private PeeringToken toToken(JWTClaimsSet claims) {
        List<String> serverAddresses = stringList(claims, "ServerAddresses");
        List<String> manual = stringList(claims, "ManualServerAddresses");
        if (serverAddresses.isEmpty() && manual.isEmpty()) {
            throw new InvalidPeeringToken("its server addresses value is empty");
        }
        for (String address : concat(manual, serverAddresses)) {
            requireHostPort(address);
        }
        String scheme = string(claims, "ServerScheme");
        if (scheme != null && !scheme.equals("http") && !scheme.equals("https")) {
            throw new InvalidPeeringToken("its ServerScheme must be http or https");
        }
        Map<String, Object> remote = jsonObject(claims, "Remote");
        List<String> audience = claims.getAudience();
        return new PeeringToken(stringList(claims, "CA"), manual, serverAddresses, scheme == null ? "https" : scheme,
                requireText(claims, "ServerName"), requireText(claims, "PeerID"),
                requireText(claims, "EstablishmentSecret"),
                new Remote(textOf(remote.get("Partition")), textOf(remote.get("Datacenter"))),
                audience.isEmpty() ? null : audience.get(0),
                claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant());
    }

    private static void requireHostPort(String address) {
        var matcher = HOST_PORT.matcher(address == null ? "" : address);
        int port = matcher.matches() ? Integer.parseInt(matcher.group(2)) : 0;
        if (port < 1 || port > 65535) {
            throw new InvalidPeeringToken(address + " is not a valid peering server address");
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    private static List<String> stringList(JWTClaimsSet claims, String name) {
        try {
            List<String> values = claims.getStringListClaim(name);
            return values == null ? List.of() : values;
        } catch (ParseException e) {
            throw new InvalidPeeringToken("its " + name + " must be a list of strings");
        }
    }

    private static String string(JWTClaimsSet claims, String name) {
        try {
            return claims.getStringClaim(name);
        } catch (ParseException e) {
            throw new InvalidPeeringToken("its " + name + " must be a string");
        }
    }

    private static String requireText(JWTClaimsSet claims, String name) {
        String value = string(claims, name);
        if (value == null || value.isBlank()) {
            throw new InvalidPeeringToken("its " + name + " value is empty");
        }
        return value;
    }

    private static Map<String, Object> jsonObject(JWTClaimsSet claims, String name) {
        try {
            Map<String, Object> value = claims.getJSONObjectClaim(name);
            return value == null ? Map.of() : value;
        } catch (ParseException e) {
            throw new InvalidPeeringToken("its " + name + " must be an object");
        }
    }

    private static String textOf(Object value) {
        return value == null ? "" : value.toString();
    }
}
