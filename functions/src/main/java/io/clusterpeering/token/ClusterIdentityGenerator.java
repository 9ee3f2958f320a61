package io.clusterpeering.token;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * Creates a new cluster identity: an EC P-256 CA (valid 10 years) and a signing key certified by it.
 * Certificates are built with Bouncy Castle's X.509 builder (the JDK has no public API for it); keys and
 * signatures come from the JDK's own EC provider. The CA's private key is kept with the identity: it signs the
 * signing certificate here and, later, the short-lived Connect leaf certificates of local services
 * ({@link LeafCertificates}); the signing key signs tokens and peer messages.
 */
public final class ClusterIdentityGenerator {
    private static final Duration VALIDITY = Duration.ofDays(3650);
    private static final SecureRandom RANDOM = new SecureRandom();

    private ClusterIdentityGenerator() {
    }

    /** Generates a fresh identity with a new random cluster ID. */
    public static ClusterIdentity generate() {
        String clusterId = UUID.randomUUID().toString();
        return generate(clusterId, "CN=Cluster Peering CA " + clusterId);
    }

    /**
     * Generates the next CA and signing key of a cluster, for a rotation: same cluster ID (so the same trust domain
     * and server name), new keys, and a CA whose name also carries the rotation's revision, so that a peer trusting
     * both roots never confuses them.
     *
     * @param revision the revision the rotation starts at ({@link CaRotation#revision})
     */
    public static ClusterIdentity next(ClusterIdentity current, long revision) {
        return generate(current.clusterId(), "CN=Cluster Peering CA " + current.clusterId() + " r" + revision);
    }

    private static ClusterIdentity generate(String clusterId, String caSubject) {
        try {
            KeyPair caKeys = newKeyPair();
            KeyPair signingKeys = newKeyPair();
            Instant now = Instant.now();
            X500Name caName = new X500Name(caSubject);
            X509Certificate ca = sign(new JcaX509v3CertificateBuilder(caName, serial(), Date.from(now.minusSeconds(60)),
                    Date.from(now.plus(VALIDITY)), caName, caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)),
                    caKeys.getPrivate());
            X509Certificate signer = sign(new JcaX509v3CertificateBuilder(caName, serial(),
                    Date.from(now.minusSeconds(60)), Date.from(now.plus(VALIDITY)),
                    new X500Name("CN=Cluster Peering signer " + clusterId), signingKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature)),
                    caKeys.getPrivate());
            ECKey signingKey = new ECKey.Builder(Curve.P_256, (ECPublicKey) signingKeys.getPublic())
                    .privateKey((ECPrivateKey) signingKeys.getPrivate())
                    .keyIDFromThumbprint()
                    .build();
            ECKey caKey = new ECKey.Builder(Curve.P_256, (ECPublicKey) caKeys.getPublic())
                    .privateKey((ECPrivateKey) caKeys.getPrivate())
                    .keyIDFromThumbprint()
                    .build();
            return new ClusterIdentity(clusterId, ca, signingKey, signer, caKey);
        } catch (GeneralSecurityException | OperatorCreationException | com.nimbusds.jose.JOSEException
                 | org.bouncycastle.cert.CertIOException e) {
            throw new IllegalStateException("cannot create the cluster identity", e);
        }
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(128, RANDOM);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
            throws OperatorCreationException, CertificateException {
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    }
}
