package io.clusterpeering.token;

import com.nimbusds.jose.JOSEException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Issues Connect leaf certificates for local services, signed by the cluster's CA, as Consul's built-in CA does
 * for {@code GET /v1/agent/connect/ca/leaf/:service}: a new EC P-256 key per certificate (returned to the caller,
 * never stored), the service's SPIFFE ID as the only URI SAN, the service name as CN, client and server
 * authentication usages, valid from a minute ago (clock skew) for the given lifetime.
 *
 * <p>Bouncy Castle builds the certificate (the JDK has no public X.509 builder); keys and signatures are the
 * JDK's. Only the functions that issue leaves carry Bouncy Castle.
 */
public final class LeafCertificates {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration BACKDATE = Duration.ofMinutes(1);

    private LeafCertificates() {
    }

    /**
     * One issued leaf.
     *
     * @param serialNumber  the serial as Consul writes it: lower-case hex bytes joined by colons
     * @param certPem       the certificate, PEM, followed by nothing else (the root is in the CA roots)
     * @param privateKeyPem its private key, PKCS #8 PEM
     * @param validAfter    start of validity
     * @param validBefore   end of validity
     */
    public record IssuedLeaf(String serialNumber, String certPem, String privateKeyPem, Instant validAfter,
                             Instant validBefore) {
    }

    /**
     * Issues a leaf for a service.
     *
     * @param identity   the cluster identity; its CA key signs
     * @param spiffeUri  the service's SPIFFE ID ({@code spiffe://<trust-domain>/ns/default/dc/<dc>/svc/<name>})
     * @param service    the service name, the certificate's CN
     * @param lifetime   how long the certificate is valid
     * @param now        the issue time
     * @throws IllegalStateException when the identity has no CA key (stored before leaves were issued) or the
     *                               JDK cannot make the key or the signature
     */
    public static IssuedLeaf issue(ClusterIdentity identity, String spiffeUri, String service, Duration lifetime,
                                   Instant now) {
        if (identity.caKey() == null) {
            throw new IllegalStateException("the cluster identity holds no CA key: it was stored before leaf"
                    + " certificates were issued");
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair keys = generator.generateKeyPair();
            BigInteger serial = new BigInteger(63, RANDOM).setBit(62);
            Instant notBefore = now.minus(BACKDATE);
            Instant notAfter = now.plus(lifetime);
            X509Certificate ca = identity.caCertificate();
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca, serial, Date.from(notBefore),
                    Date.from(notAfter), new X500Name("CN=" + cnSafe(service)), keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature
                            | KeyUsage.keyEncipherment | KeyUsage.keyAgreement))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[]{
                            KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, true,
                            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeUri)))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(keys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(ca));
            X509Certificate leaf = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(identity.caKey().toPrivateKey())));
            return new IssuedLeaf(CertificateIds.serial(serial), Pem.encode(leaf), Pem.encodePrivateKey(keys.getPrivate()),
                    notBefore, notAfter);
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException | JOSEException e) {
            throw new IllegalStateException("cannot issue a leaf certificate", e);
        }
    }

    /** Service names are DNS labels; anything an X.500 name would treat as syntax is dropped from the CN. */
    private static String cnSafe(String service) {
        return service.replaceAll("[^A-Za-z0-9._-]", "");
    }
}
