package io.sealmail.ca;

import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;

import io.sealmail.ca.RenewalDecision.Reason;

/**
 * Decides whether a leaf must be issued again. Pure and deterministic (the clock is injected) and cheap: the
 * leaf is parsed once and one signature is verified, so an operator can call it on every reconcile.
 *
 * <p>The renewal point follows cert-manager: by default once two thirds of the leaf's lifetime have passed;
 * with a {@code renewBefore}, at {@code notAfter - renewBefore}, falling back to two thirds when
 * {@code renewBefore} is not shorter than the lifetime.
 */
public final class RenewalPolicy {
    private final Clock clock;
    private final Duration renewBefore; // null: a third of the lifetime

    /** Renew after two thirds of the lifetime. */
    public RenewalPolicy(Clock clock) {
        this.clock = clock;
        this.renewBefore = null;
    }

    /** Renew at {@code notAfter - renewBefore}. */
    public RenewalPolicy(Clock clock, Duration renewBefore) {
        if (renewBefore == null || renewBefore.isNegative() || renewBefore.isZero()) {
            throw new IllegalArgumentException("renewBefore must be positive, got " + renewBefore);
        }
        this.clock = clock;
        this.renewBefore = renewBefore;
    }

    /**
     * @param currentTlsCrt the current {@code tls.crt} (PEM, leaf first), or null or garbage
     * @param wanted        the names and key type the leaf should have
     * @param issuer        the CA that should have issued it
     */
    public RenewalDecision decide(byte[] currentTlsCrt, LeafSpec wanted, X509Certificate issuer) {
        if (currentTlsCrt == null || currentTlsCrt.length == 0) {
            return RenewalDecision.reissue(Reason.MISSING, null);
        }
        X509Certificate leaf;
        try {
            leaf = Pem.firstCertificate(new String(currentTlsCrt, StandardCharsets.US_ASCII));
        } catch (CaException e) {
            return RenewalDecision.reissue(Reason.UNPARSEABLE, null);
        }
        Instant renewalTime = renewalTime(leaf);
        if (!issuedBy(leaf, issuer)) {
            return RenewalDecision.reissue(Reason.OTHER_ISSUER, renewalTime);
        }
        KeyAlgorithm key;
        try {
            key = KeyAlgorithm.of(leaf.getPublicKey());
        } catch (CaException e) {
            key = null;
        }
        if (key != wanted.key()) {
            return RenewalDecision.reissue(Reason.KEY_ALGORITHM_CHANGED, renewalTime);
        }
        SubjectAltNames have;
        try {
            have = SubjectAltNames.fromCertificate(leaf.getSubjectAlternativeNames());
        } catch (CertificateParsingException e) {
            return RenewalDecision.reissue(Reason.UNPARSEABLE, renewalTime);
        }
        if (!have.equals(SubjectAltNames.lenient(wanted))) {
            return RenewalDecision.reissue(Reason.NAMES_CHANGED, renewalTime);
        }
        if (!clock.instant().isBefore(renewalTime)) {
            return RenewalDecision.reissue(Reason.EXPIRING, renewalTime);
        }
        return RenewalDecision.valid(renewalTime);
    }

    /** When a certificate falls due for renewal under this policy. */
    public Instant renewalTime(X509Certificate leaf) {
        Instant notBefore = leaf.getNotBefore().toInstant();
        Instant notAfter = leaf.getNotAfter().toInstant();
        Duration lifetime = Duration.between(notBefore, notAfter);
        Duration before = renewBefore != null && renewBefore.compareTo(lifetime) < 0 ? renewBefore : lifetime.dividedBy(3);
        return notAfter.minus(before).truncatedTo(ChronoUnit.SECONDS);
    }

    /** Same issuer name, same key identifier when both carry one, and a signature the issuer's key verifies. */
    static boolean issuedBy(X509Certificate leaf, X509Certificate issuer) {
        if (!leaf.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        byte[] aki = CertificateAuthority.authorityKeyIdentifier(leaf);
        byte[] ski = CertificateAuthority.subjectKeyIdentifier(issuer);
        if (aki != null && ski != null && !Arrays.equals(aki, ski)) {
            return false;
        }
        return CertificateAuthority.signedBy(leaf, issuer.getPublicKey());
    }
}
