package io.clusterpeering.token;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Makes establishment secrets and the hashes under which they are stored. A secret is 256 random bits,
 * base64url without padding (43 characters); only its SHA-256 is ever stored, and neither is logged. A
 * plain hash suffices because the secret is uniformly random: there is nothing to guess a dictionary from.
 */
public final class EstablishmentSecrets {
    private static final int SECRET_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private EstablishmentSecrets() {
    }

    /** A new random secret. */
    public static String newSecret() {
        byte[] bytes = new byte[SECRET_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The stored form of a secret: SHA-256 of its UTF-8 bytes, base64url without padding. */
    public static String hash(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
