package io.clusterpeering.peer;

import jakarta.inject.Singleton;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * The network steps of a pre-flight check, one at a time, so each can be reported on its own: name resolution,
 * a TCP connection, and a TLS handshake with the certificate chain checked. Uses only the JDK.
 */
@Singleton
public class LinkProbe {

    /**
     * Resolves a host name (or parses an IP literal).
     *
     * @throws UnknownHostException when it does not resolve
     */
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return List.of(InetAddress.getAllByName(bare));
    }

    /**
     * Opens and closes a TCP connection.
     *
     * @return how long connecting took, in milliseconds
     * @throws IOException when it is refused, unreachable or times out
     */
    public long connect(InetAddress address, int port, Duration timeout) throws IOException {
        long started = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), (int) timeout.toMillis());
        }
        return (System.nanoTime() - started) / 1_000_000;
    }

    /**
     * Completes a TLS handshake with the host name checked against the server's certificate, first trusting only
     * the given CAs (the token's), then, if that fails, the JDK's trust store (which is what the peer client uses:
     * an API Gateway endpoint presents a public certificate; the token's CA signs the peering messages instead).
     *
     * @return which trust the server's chain satisfied, and its leaf's subject and issuer
     * @throws IOException when neither trust accepts the server, or the handshake fails
     */
    public TlsResult handshake(String host, int port, List<X509Certificate> tokenCas, Duration timeout) throws IOException {
        IOException tokenCaFailure = null;
        if (!tokenCas.isEmpty()) {
            try {
                X509Certificate leaf = handshake(host, port, trusting(tokenCas), timeout);
                return new TlsResult(true, leaf.getSubjectX500Principal().getName(), leaf.getIssuerX500Principal().getName());
            } catch (IOException e) {
                tokenCaFailure = e;
            }
        }
        try {
            X509Certificate leaf = handshake(host, port, SSLContext.getDefault(), timeout);
            return new TlsResult(false, leaf.getSubjectX500Principal().getName(), leaf.getIssuerX500Principal().getName());
        } catch (GeneralSecurityException e) {
            throw new IOException(e.getMessage(), e);
        } catch (IOException e) {
            if (tokenCaFailure != null) {
                e.addSuppressed(tokenCaFailure);
            }
            throw e;
        }
    }

    private static X509Certificate handshake(String host, int port, SSLContext context, Duration timeout) throws IOException {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            plain.setSoTimeout((int) timeout.toMillis());
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, false)) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                if (!Character.isDigit(host.charAt(0)) && !host.contains(":")) {
                    parameters.setServerNames(List.of(new SNIHostName(host)));
                }
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                Certificate[] chain = socket.getSession().getPeerCertificates();
                return (X509Certificate) chain[0];
            }
        }
    }

    private static SSLContext trusting(List<X509Certificate> cas) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot trust the token's CA: " + e.getMessage(), e);
        }
    }

    /**
     * A completed handshake.
     *
     * @param chainsToTokenCa true when the server's certificate chains to the token's CA; false when to a CA of the
     *                        JDK's trust store
     * @param subject         the server certificate's subject
     * @param issuer          its issuer
     */
    public record TlsResult(boolean chainsToTokenCa, String subject, String issuer) {
    }
}
