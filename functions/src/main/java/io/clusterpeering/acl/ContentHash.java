package io.clusterpeering.acl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** The opaque digest of an ACL object's content: Consul's {@code Hash} field (SHA-256 here, base64). */
final class ContentHash {
    private ContentHash() {
    }

    /** The digest of the parts, each followed by a NUL byte so that no two splits of one text collide; null reads as "". */
    static String of(String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                sha.update((part == null ? "" : part).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return Base64.getEncoder().encodeToString(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
