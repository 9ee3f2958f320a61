package io.clusterpeering.token;

import java.util.function.Supplier;

/**
 * Keeps key material out of a SnapStart snapshot: while {@link #withoutSecrets} runs (the priming before the
 * snapshot), the places that read a secret (the cluster identity's CA and signing key, a KMS-sealed ACL SecretID)
 * refuse with {@link SecretRefused} instead of reading it, so priming can walk a request's real code path and stop
 * exactly where a secret would be read. Outside priming it does nothing.
 */
public final class SecretGuard {
    private static volatile boolean refusing;

    private SecretGuard() {
    }

    /**
     * Runs an action during which every secret read is refused.
     *
     * @return what the action returned
     */
    public static synchronized <T> T withoutSecrets(Supplier<T> action) {
        refusing = true;
        try {
            return action.get();
        } finally {
            refusing = false;
        }
    }

    /**
     * Called before reading a secret.
     *
     * @param what the secret, for the message ("the cluster identity")
     * @throws SecretRefused while {@link #withoutSecrets} runs
     */
    public static void beforeReading(String what) {
        if (refusing) {
            throw new SecretRefused(what + " is not read before a SnapStart snapshot");
        }
    }

    /** A secret read refused during priming; priming stops that request's path here. */
    public static final class SecretRefused extends IllegalStateException {
        public SecretRefused(String message) {
            super(message);
        }
    }
}
