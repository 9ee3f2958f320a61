package io.clusterpeering.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.X509CertChainUtils;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.clusterpeering.domain.PeeringException.InvalidPeeringToken;

import java.security.Key;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Signs and verifies the compact JWS objects this cluster exchanges: peering tokens and messages to peers.
 * Every object is ES256, carries the signer's certificate in {@code x5c}, and is accepted only when that
 * certificate chains to one of the given trusted CAs and the signature, expiry and required claims hold.
 * All JOSE work is Nimbus's; the chain check is the JDK's PKIX validator.
 */
@jakarta.inject.Singleton
public final class ClusterSignatures {
    /** Tolerated clock difference between clusters when checking {@code exp} and {@code nbf}, in seconds. */
    private static final int MAX_CLOCK_SKEW_SECONDS = 60;

    private final ClusterIdentitySource identitySource;

    /** @param identitySource where this cluster's signing key comes from */
    public ClusterSignatures(ClusterIdentitySource identitySource) {
        this.identitySource = identitySource;
    }

    /**
     * Signs claims with this cluster's key.
     *
     * @param type   the JOSE {@code typ} header, for example {@code peering-token+jwt}
     * @param claims the payload
     * @return the compact serialisation, {@code header.payload.signature}
     */
    public String sign(String type, JWTClaimsSet claims) {
        ClusterIdentity identity = identitySource.identity();
        try {
            return sign(type, claims, identity.signingKey(), identity.signingCertificate().getEncoded(), null);
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot sign with the cluster key", e);
        }
    }

    /**
     * SnapStart priming ({@code function/SnapStartPriming}): signs claims as {@link #sign} does and parses the
     * result back, with a throwaway P-256 key made for this call (from a SecureRandom of its own, dropped with it),
     * never this cluster's key: Nimbus's JWS and JSON classes and the JDK's EC signature are loaded and linked
     * before the snapshot, and no key material of the cluster is read.
     *
     * @param type   the JOSE {@code typ} header the real objects carry
     * @param claims claims shaped as the real ones
     * @throws IllegalStateException when the JDK cannot make or use a P-256 key
     */
    public static void primeSigning(String type, JWTClaimsSet claims) {
        try {
            java.security.SecureRandom random = new java.security.SecureRandom();
            java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
            generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"), random);
            java.security.KeyPair pair = generator.generateKeyPair();
            com.nimbusds.jose.jwk.ECKey key = new com.nimbusds.jose.jwk.ECKey.Builder(com.nimbusds.jose.jwk.Curve.P_256,
                    (java.security.interfaces.ECPublicKey) pair.getPublic()).privateKey(pair.getPrivate())
                    .keyIDFromThumbprint().build();
            String compact = sign(type, claims, key, pair.getPublic().getEncoded(), random);
            SignedJWT parsed = SignedJWT.parse(compact);
            parsed.getJWTClaimsSet();
            if (!parsed.verify(new com.nimbusds.jose.crypto.ECDSAVerifier(key.toPublicJWK()))) {
                throw new IllegalStateException("a throwaway signature did not verify");
            }
        } catch (java.security.GeneralSecurityException | JOSEException | ParseException e) {
            throw new IllegalStateException("cannot prime the signing path", e);
        }
    }

    /** ES256 over the claims with the key, the certificate's DER in {@code x5c}; {@code random} null for the JDK's. */
    private static String sign(String type, JWTClaimsSet claims, com.nimbusds.jose.jwk.ECKey key, byte[] certificate,
                               java.security.SecureRandom random) {
        try {
            JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256)
                    .type(new JOSEObjectType(type))
                    .keyID(key.getKeyID())
                    .x509CertChain(List.of(Base64.encode(certificate)))
                    .build();
            SignedJWT jwt = new SignedJWT(header, claims);
            ECDSASigner signer = new ECDSASigner(key);
            if (random != null) {
                signer.getJCAContext().setSecureRandom(random);
            }
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign with the cluster key", e);
        }
    }

    /**
     * Reads the claims of a compact JWS without checking anything, to learn which trust applies to it.
     *
     * @throws InvalidPeeringToken when the text is not a compact JWS
     */
    public static JWTClaimsSet unverifiedClaims(String compact) {
        try {
            JWT jwt = JWTParser.parse(compact);
            if (jwt instanceof PlainJWT) {
                throw new InvalidPeeringToken("it is unsigned (alg none); only ES256 signatures are accepted");
            }
            if (!(jwt instanceof SignedJWT)) {
                throw new InvalidPeeringToken("it is encrypted, not signed");
            }
            return jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new InvalidPeeringToken("it is not a compact JWS (" + e.getMessage() + ")");
        }
    }

    /**
     * Verifies a compact JWS and returns its claims.
     *
     * @param compact        the serialised object
     * @param type           the {@code typ} header it must carry
     * @param trustedCas     the CAs one of which must have issued the signer's certificate
     * @param requiredClaims claim names that must be present
     * @throws InvalidPeeringToken naming the failure: not a JWS, unsigned or {@code alg: none}, another
     *                             algorithm, an untrusted or missing certificate, a signature that does not
     *                             match the content, an expired object, or a missing claim
     */
    public static JWTClaimsSet verify(String compact, String type, List<X509Certificate> trustedCas,
                                      Set<String> requiredClaims) {
        return verify(compact, type, trustedCas, requiredClaims, true);
    }

    /**
     * As {@link #verify(String, String, List, Set)}; with {@code checkTimes} false, {@code exp} and {@code nbf} are
     * not checked (the pre-flight check reports the signature and the expiry as separate steps).
     */
    public static JWTClaimsSet verify(String compact, String type, List<X509Certificate> trustedCas,
                                      Set<String> requiredClaims, boolean checkTimes) {
        if (compact == null || compact.isBlank()) {
            throw new InvalidPeeringToken("it is empty");
        }
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier((actual, context) -> {
            if (actual == null || !type.equals(actual.getType())) {
                throw new BadJOSEException("its type is not " + type);
            }
        });
        processor.setJWSKeySelector(keySelector(trustedCas));
        DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier =
                new DefaultJWTClaimsVerifier<>(null, new HashSet<>(requiredClaims));
        claimsVerifier.setMaxClockSkew(MAX_CLOCK_SKEW_SECONDS);
        if (checkTimes) {
            processor.setJWTClaimsSetVerifier(claimsVerifier);
        } else {
            processor.setJWTClaimsSetVerifier((claims, context) -> {
                for (String name : requiredClaims) {
                    if (claims.getClaim(name) == null) {
                        throw new BadJWTException("JWT missing required claims: [" + name + "]");
                    }
                }
            });
        }
        try {
            return processor.process(compact, null);
        } catch (ParseException e) {
            throw new InvalidPeeringToken("it is not a compact JWS (" + e.getMessage() + ")");
        } catch (BadJWSException e) {
            throw new InvalidPeeringToken("its signature does not match its content: it was altered after signing");
        } catch (BadJWTException e) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            throw new InvalidPeeringToken(message.contains("Expired") ? "it has expired" : message);
        } catch (BadJOSEException e) {
            String message = e.getMessage() == null ? "rejected" : e.getMessage();
            if (message.startsWith("Unsecured")) {
                message = "it is unsigned (alg none); only ES256 signatures are accepted";
            }
            throw new InvalidPeeringToken(message);
        } catch (KeySourceException e) {
            throw new InvalidPeeringToken(e.getMessage());
        } catch (JOSEException e) {
            throw new InvalidPeeringToken("its signature cannot be checked: " + e.getMessage());
        }
    }

    /** Selects the verification key: the x5c leaf, after its chain is validated against the trusted CAs. */
    private static JWSKeySelector<SecurityContext> keySelector(List<X509Certificate> trustedCas) {
        return (header, context) -> {
            if (!JWSAlgorithm.ES256.equals(header.getAlgorithm())) {
                throw new KeySourceException("its algorithm is " + header.getAlgorithm() + "; only ES256 is accepted");
            }
            List<Base64> chain = header.getX509CertChain();
            if (chain == null || chain.isEmpty()) {
                throw new KeySourceException("it carries no signing certificate (x5c)");
            }
            try {
                List<X509Certificate> certificates = X509CertChainUtils.parse(chain);
                requireChainTo(certificates, trustedCas);
                return List.<Key>of(certificates.get(0).getPublicKey());
            } catch (ParseException e) {
                throw new KeySourceException("its signing certificate is malformed");
            }
        };
    }

    private static void requireChainTo(List<X509Certificate> chain, List<X509Certificate> trustedCas)
            throws KeySourceException {
        if (trustedCas.isEmpty()) {
            throw new KeySourceException("no CA is known to check its signing certificate against");
        }
        try {
            Set<TrustAnchor> anchors = new HashSet<>();
            trustedCas.forEach(ca -> anchors.add(new TrustAnchor(ca, null)));
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(chain);
            CertPathValidator.getInstance("PKIX").validate(path, parameters);
        } catch (java.security.GeneralSecurityException e) {
            throw new KeySourceException("its signing certificate is not issued by the expected CA");
        }
    }
}
