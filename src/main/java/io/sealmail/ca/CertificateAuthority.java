package io.sealmail.ca;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority: a CA certificate and its private key, issuing server certificates.
 *
 * <p>Profile (RFC 5280): the CA is self-signed with BasicConstraints CA:true, pathLen 0 and KeyUsage
 * keyCertSign + cRLSign, both critical. Leaves carry the names in the SAN extension (the subject CN is
 * informational), ExtendedKeyUsage serverAuth, KeyUsage digitalSignature (+ keyEncipherment for RSA keys, which
 * TLS 1.2 RSA key exchange needs), and key identifiers. Serial numbers are 128 random bits, positive, as the
 * CA/Browser Forum asks (at least 64 bits of CSPRNG output) and cert-manager does.
 *
 * <p>Thread-safe: {@link #issue} may be called concurrently.
 */
public final class CertificateAuthority {
    /** Leaves and CAs start this far in the past, so a peer whose clock lags a little still accepts them. */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private final List<X509Certificate> certificates; // issuing CA first, root last (often the same one)
    private final PrivateKey privateKey;
    private final PrivateKey signingKey; // the same key, as the provider that signs with it wants it
    private final KeyAlgorithm keyAlgorithm;
    private final X500Name name;
    private final byte[] keyIdentifier;
    private final Clock clock;

    private CertificateAuthority(List<X509Certificate> certificates, PrivateKey privateKey, Clock clock) {
        this.certificates = List.copyOf(certificates);
        this.privateKey = privateKey;
        this.clock = clock;
        X509Certificate ca = certificates.get(0);
        this.keyAlgorithm = KeyAlgorithm.of(ca.getPublicKey());
        this.name = X500Name.getInstance(ca.getSubjectX500Principal().getEncoded());
        byte[] ski = subjectKeyIdentifier(ca);
        this.keyIdentifier = ski != null ? ski : keyIdentifier(ca.getPublicKey());
        this.signingKey = signingKey(privateKey, keyAlgorithm);
    }

    /** A new self-signed CA with a fresh key. */
    public static CertificateAuthority create(CaSpec spec, Clock clock) {
        X500Name subject = parseName(spec.subject());
        KeyPair keys = spec.key().generate();
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        byte[] ski = keyIdentifier(keys.getPublic());
        X509v3CertificateBuilder builder = new X509v3CertificateBuilder(subject, serial(),
                Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(spec.validity())), subject,
                SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()));
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(ski));
            builder.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(ski));
        } catch (CertIOException e) {
            throw new IllegalStateException(e);
        }
        X509Certificate cert = sign(builder, signingKey(keys.getPrivate(), spec.key()), spec.key());
        return new CertificateAuthority(List.of(cert), keys.getPrivate(), clock);
    }

    /**
     * Loads an existing CA. {@code caCrtPem} holds the CA certificate, optionally followed by the certificates
     * above it up to the root; {@code caKeyPem} the CA's unencrypted private key. Refuses, with a message that
     * names the problem: unparseable input, an unsupported key type, a certificate that is not a CA, a key that
     * does not belong to the certificate, and a CA that has expired or is not yet valid.
     */
    public static CertificateAuthority fromPem(String caCrtPem, String caKeyPem, Clock clock) {
        List<X509Certificate> certs;
        try {
            certs = Pem.readCertificates(caCrtPem);
        } catch (CaException e) {
            throw new CaException("CA certificate: " + e.getMessage(), e);
        }
        X509Certificate ca = certs.get(0);
        String who = " (subject " + ca.getSubjectX500Principal().getName() + ")";
        try {
            KeyAlgorithm.of(ca.getPublicKey());
        } catch (CaException e) {
            throw new CaException("CA certificate has an " + e.getMessage() + who, e);
        }
        PrivateKey key;
        try {
            key = Pem.readPrivateKey(caKeyPem);
        } catch (CaException e) {
            throw new CaException("CA key: " + e.getMessage(), e);
        }
        if (ca.getBasicConstraints() < 0) {
            throw new CaException("CA certificate is not a CA: it lacks BasicConstraints CA:true" + who);
        }
        boolean[] usage = ca.getKeyUsage();
        if (usage != null && !usage[5]) {
            throw new CaException("CA certificate is not a CA: its KeyUsage lacks keyCertSign" + who);
        }
        if (!keyMatches(key, ca.getPublicKey())) {
            throw new CaException("CA key does not match the CA certificate's public key" + who);
        }
        Instant now = clock.instant();
        if (now.isAfter(ca.getNotAfter().toInstant())) {
            throw new CaException("CA certificate expired on " + ca.getNotAfter().toInstant() + who);
        }
        if (now.isBefore(ca.getNotBefore().toInstant())) {
            throw new CaException("CA certificate is not valid until " + ca.getNotBefore().toInstant() + who);
        }
        for (int i = 0; i + 1 < certs.size(); i++) {
            if (!signedBy(certs.get(i), certs.get(i + 1).getPublicKey())) {
                throw new CaException("CA certificate: certificate " + (i + 1) + " of the bundle is not signed by"
                        + " certificate " + (i + 2) + "; give the issuing CA first, then its issuers up to the root");
            }
        }
        return new CertificateAuthority(certs, key, clock);
    }

    /** A new leaf with a fresh key, valid from 5 minutes ago for the spec's validity (at most to the CA's end). */
    public IssuedCertificate issue(LeafSpec leaf) {
        return issue(leaf, leaf.key().generate());
    }

    /**
     * A new leaf for an existing key pair of the spec's key type: a renewal that keeps the key, so a DANE
     * {@code 3 1 1} record (RFC 7672 §3.1.1: it pins the key) stays valid.
     */
    public IssuedCertificate issue(LeafSpec leaf, KeyPair keys) {
        if (KeyAlgorithm.of(keys.getPublic()) != leaf.key()) {
            throw new CaException("the key to reuse is " + KeyAlgorithm.of(keys.getPublic()).id() + ", the certificate asks for "
                    + leaf.key().id());
        }
        SubjectAltNames names = SubjectAltNames.of(leaf);
        X509Certificate ca = certificate();
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant caEnd = ca.getNotAfter().toInstant();
        if (!now.isBefore(caEnd)) {
            throw new CaException("cannot issue: the CA certificate expired on " + caEnd);
        }
        // A leaf never outlives its issuer: clients would reject it from then on anyway (RFC 5280 §6.1.3).
        Instant notAfter = now.plus(leaf.validity());
        if (notAfter.isAfter(caEnd)) {
            notAfter = caEnd;
        }
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
        X500Name subject = leafSubject(names);
        X509v3CertificateBuilder builder = new X509v3CertificateBuilder(name, serial(),
                Date.from(now.minus(CLOCK_SKEW)), Date.from(notAfter), subject, spki);
        List<GeneralName> san = new ArrayList<>();
        for (String dns : names.dnsNames()) {
            san.add(new GeneralName(GeneralName.dNSName, dns));
        }
        for (String ip : names.ipAddresses()) {
            san.add(new GeneralName(GeneralName.iPAddress, ip));
        }
        int usage = KeyUsage.digitalSignature | (leaf.key().isRsa() ? KeyUsage.keyEncipherment : 0);
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            // RFC 5280 §4.2.1.6: the SAN is critical when the subject is empty.
            builder.addExtension(Extension.subjectAlternativeName, subject.getRDNs().length == 0,
                    new GeneralNames(san.toArray(GeneralName[]::new)));
            builder.addExtension(Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdentifier(spki)));
            builder.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(keyIdentifier));
        } catch (CertIOException e) {
            throw new IllegalStateException(e);
        }
        X509Certificate cert = sign(builder, signingKey, keyAlgorithm);
        List<X509Certificate> chain = certificates.subList(0, certificates.size() - 1);
        return new IssuedCertificate(cert, chain, keys.getPrivate(), root());
    }

    /** The issuing CA certificate. */
    public X509Certificate certificate() {
        return certificates.get(0);
    }

    /** The trust anchor: the last certificate of the bundle (the CA itself when it is a root). */
    public X509Certificate root() {
        return certificates.get(certificates.size() - 1);
    }

    public KeyAlgorithm keyAlgorithm() {
        return keyAlgorithm;
    }

    /** {@code ca.crt}: the CA certificate (and, for a loaded intermediate, the bundle above it as given). */
    public String certificatePem() {
        return Pem.certificates(certificates);
    }

    /** {@code ca.key}: unencrypted PKCS#8. */
    public String privateKeyPem() {
        return Pem.privateKey(privateKey);
    }

    // --- helpers -------------------------------------------------------------------------------------------

    private static X500Name parseName(String subject) {
        // The JDK parses RFC 4514 strings in the order people write and tools print them (most specific first,
        // the reverse of the encoding); Bouncy Castle's string constructor would keep the written order.
        X500Name name;
        try {
            name = X500Name.getInstance(new X500Principal(subject).getEncoded());
        } catch (RuntimeException e) {
            throw new CaException("invalid subject \"" + subject + "\": " + Pem.oneLine(e)
                    + " (expected RFC 4514 form, e.g. \"CN=Sealmail CA,O=Example\")", e);
        }
        if (name.getRDNs().length == 0) {
            throw new CaException("invalid subject \"" + subject + "\": it is empty");
        }
        return name;
    }

    private static X500Name leafSubject(SubjectAltNames names) {
        // The CN is only a label for people and logs; clients match the SAN (RFC 6125 §6.4.4).
        String cn = !names.dnsNames().isEmpty() ? names.dnsNames().iterator().next()
                : names.ipAddresses().iterator().next();
        if (cn.length() > 64) { // ub-common-name, RFC 5280 appendix A.1
            return new X500Name(new RDN[0]);
        }
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
    }

    static BigInteger serial() {
        BigInteger serial;
        do {
            serial = new BigInteger(128, KeyAlgorithm.RANDOM);
        } while (serial.signum() == 0);
        return serial;
    }

    /** RFC 5280 §4.2.1.2 method 1: SHA-1 over the subjectPublicKey bits. */
    static byte[] keyIdentifier(PublicKey key) {
        return keyIdentifier(SubjectPublicKeyInfo.getInstance(key.getEncoded()));
    }

    private static byte[] keyIdentifier(SubjectPublicKeyInfo spki) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(spki.getPublicKeyData().getBytes());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] subjectKeyIdentifier(X509Certificate cert) {
        byte[] ext = cert.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (ext == null) {
            return null;
        }
        return SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getKeyIdentifier();
    }

    static byte[] authorityKeyIdentifier(X509Certificate cert) {
        byte[] ext = cert.getExtensionValue(Extension.authorityKeyIdentifier.getId());
        if (ext == null) {
            return null;
        }
        AuthorityKeyIdentifier aki = AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets());
        return aki.getKeyIdentifierObject() == null ? null : aki.getKeyIdentifier();
    }

    /** ECDSA signs through Bouncy Castle (see {@link BouncyCastle}), RSA through the JDK. */
    private static PrivateKey signingKey(PrivateKey key, KeyAlgorithm algorithm) {
        if (algorithm.isRsa()) {
            return key;
        }
        try {
            return KeyFactory.getInstance("EC", BouncyCastle.PROVIDER).generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new CaException("CA key: cannot use the EC private key (" + Pem.oneLine(e) + ")", e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key, KeyAlgorithm algorithm) {
        try {
            JcaContentSignerBuilder signer = new JcaContentSignerBuilder(algorithm.signatureAlgorithm()).setSecureRandom(KeyAlgorithm.RANDOM);
            if (!algorithm.isRsa()) {
                signer.setProvider(BouncyCastle.PROVIDER);
            }
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer.build(key)));
        } catch (OperatorCreationException | CertificateException e) {
            throw new IllegalStateException("cannot sign a certificate with a " + algorithm.id() + " key", e);
        }
    }

    /**
     * Proves the private key belongs to the public key by signing and verifying a random challenge (the operator
     * checks a served Secret's pair with it too).
     */
    public static boolean keyMatches(PrivateKey privateKey, PublicKey publicKey) {
        if (!privateKey.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        try {
            String algorithm = publicKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            byte[] challenge = new byte[32];
            KeyAlgorithm.RANDOM.nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // e.g. an EC key on another curve: not this certificate's key
        }
    }

    static boolean signedBy(X509Certificate cert, PublicKey issuerKey) {
        try {
            cert.verify(issuerKey);
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
