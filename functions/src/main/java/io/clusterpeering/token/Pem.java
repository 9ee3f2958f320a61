package io.clusterpeering.token;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/**
 * PEM text for X.509 certificates, as Consul carries CA roots (one block per certificate, newline-terminated), and
 * for the private key of an issued leaf certificate (PKCS #8, {@code PRIVATE KEY}).
 */
public final class Pem {
    private Pem() {
    }

    /** Encodes one certificate as a PEM block ending in a newline. */
    public static String encode(X509Certificate certificate) {
        try {
            return block("CERTIFICATE", certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("certificate cannot be encoded", e);
        }
    }

    /** Encodes a private key as a PKCS #8 PEM block ending in a newline ({@code -----BEGIN PRIVATE KEY-----}). */
    public static String encodePrivateKey(java.security.PrivateKey key) {
        return block("PRIVATE KEY", key.getEncoded());
    }

    private static String block(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    /**
     * Decodes every certificate in the given PEM texts.
     *
     * @throws IllegalArgumentException when a text holds no certificate or a malformed one
     */
    public static List<X509Certificate> decode(List<String> pems) {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (String pem : pems) {
                Collection<? extends java.security.cert.Certificate> parsed = pem == null ? List.of()
                        : factory.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
                if (parsed.isEmpty()) {
                    throw new IllegalArgumentException("no PEM-encoded certificate found");
                }
                parsed.forEach(c -> certificates.add((X509Certificate) c));
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException("malformed certificate: " + plainReason(e), e);
        }
        return certificates;
    }

    /**
     * The JDK's reason without the exception class names it prefixes ({@code java.io.IOException: Incomplete
     * data} becomes {@code Incomplete data}): the text goes into 400 answers, which name no internals.
     */
    private static String plainReason(Exception e) {
        String message = e.getMessage() == null ? "unreadable" : e.getMessage();
        String plain = message.replaceAll("(?:[a-z][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error):\\s*", "").strip();
        return plain.isEmpty() ? "unreadable" : plain;
    }
}
