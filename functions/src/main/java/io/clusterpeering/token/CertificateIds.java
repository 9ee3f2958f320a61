package io.clusterpeering.token;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * How Consul names certificates in its CA API: hex bytes joined by colons ({@code connect.HexString}) for serial
 * numbers, root IDs (the SHA-1 fingerprint of the DER) and signing key IDs (the subject key identifier).
 */
public final class CertificateIds {
    private CertificateIds() {
    }

    /** Lower-case hex bytes joined by colons, {@code 0a:1b:2c}. */
    public static String colonHex(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            if (!text.isEmpty()) {
                text.append(':');
            }
            text.append(HexFormat.of().toHexDigits(b));
        }
        return text.toString();
    }

    /** A serial number's magnitude bytes (no sign byte), colon hex. */
    public static String serial(BigInteger serial) {
        byte[] bytes = serial.toByteArray();
        return colonHex(bytes.length > 1 && bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes);
    }

    /** Consul's root ID ({@code connect.CalculateCertFingerprint}): the SHA-1 of the certificate's DER, colon hex. */
    public static String fingerprint(X509Certificate certificate) {
        try {
            return colonHex(MessageDigest.getInstance("SHA-1").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint the certificate", e);
        }
    }

    /**
     * The certificate's subject key identifier, colon hex, or the empty string when it has none: the key ID inside
     * the extension's DER ({@code 04 len 04 len keyId}, short-form lengths for key IDs up to 127 bytes).
     */
    public static String subjectKeyId(X509Certificate certificate) {
        byte[] extension = certificate.getExtensionValue("2.5.29.14");
        if (extension == null || extension.length < 4) {
            return "";
        }
        return colonHex(Arrays.copyOfRange(extension, 4, extension.length));
    }
}
