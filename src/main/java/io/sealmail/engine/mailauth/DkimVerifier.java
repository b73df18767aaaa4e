package io.sealmail.engine.mailauth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Verifies the DKIM signatures of one message (RFC 6376 §6), at most {@link #MAX_SIGNATURES} of them from the top;
 * the rest are counted and ignored. Created at the end of the header section; the body then streams through
 * {@link #bodySink()} once for all signatures, and {@link #results} asks DNS for the keys.
 */
public final class DkimVerifier {
    /** Signatures verified per message; each costs a DNS look-up and a public-key operation. */
    static final int MAX_SIGNATURES = 10;

    private final Clock clock;
    private final HeaderSection headers;
    private final List<Object> parsed = new ArrayList<>(); // DkimSignature or the syntax error
    private final Map<String, BodyHasher> hashers = new LinkedHashMap<>();
    private final int ignored;

    DkimVerifier(HeaderSection headers, Clock clock) {
        this.headers = headers;
        this.clock = clock;
        List<HeaderField> fields = headers.all("DKIM-Signature");
        for (HeaderField f : fields.subList(0, Math.min(MAX_SIGNATURES, fields.size()))) {
            try {
                DkimSignature sig = DkimSignature.parse(f);
                parsed.add(sig);
                hashers.computeIfAbsent(hasherKey(sig), k -> new BodyHasher(sig.bodyCanon(), sig.bodyLength()));
            } catch (MailAuthSyntaxException e) {
                parsed.add(e);
            }
        }
        ignored = Math.max(0, fields.size() - MAX_SIGNATURES);
    }

    /** The DKIM results of a whole message alone (the benchmark and tools; the engine uses {@link InboundChecks}). */
    public static List<DkimResult> verify(MessageSource message, io.sealmail.engine.delivery.dns.DnsLookup dns, Clock clock,
                                          java.time.Duration timeout) throws IOException {
        return verify(message, new BoundedDns(dns, clock, clock.instant().plus(timeout)), clock).results();
    }

    static Result verify(MessageSource message, BoundedDns dns, Clock clock) throws IOException {
        DkimVerifier[] verifier = new DkimVerifier[1];
        MessageStream stream = new MessageStream(h -> {
            verifier[0] = new DkimVerifier(h, clock);
            return verifier[0].bodySink();
        }, MessageStream.DEFAULT_MAX_HEADER_BYTES);
        message.writeTo(stream);
        stream.finish();
        return new Result(verifier[0].results(dns), verifier[0].ignored());
    }

    record Result(List<DkimResult> results, int ignored) {
    }

    private static String hasherKey(DkimSignature sig) {
        return sig.bodyCanon() + "/" + sig.bodyLength();
    }

    /** Signatures beyond {@link #MAX_SIGNATURES}, not verified. */
    int ignored() {
        return ignored;
    }

    boolean signed() {
        return !parsed.isEmpty();
    }

    MessageStream.BodySink bodySink() {
        List<BodyHasher> all = List.copyOf(hashers.values());
        return new MessageStream.BodySink() {
            @Override
            public void body(byte[] b, int off, int len) {
                for (BodyHasher h : all) {
                    h.body(b, off, len);
                }
            }

            @Override
            public void end() {
                for (BodyHasher h : all) {
                    h.end();
                }
            }
        };
    }

    /** One result per signature, in header order; call after the body has ended. */
    List<DkimResult> results(BoundedDns dns) {
        List<DkimResult> out = new ArrayList<>();
        Map<String, Object> keyCache = new HashMap<>();
        for (Object p : parsed) {
            if (p instanceof MailAuthSyntaxException e) {
                // RFC 8601 §2.7.1: a signature with syntax errors is "neutral".
                out.add(new DkimResult(AuthResult.NEUTRAL, null, null, null, null, "bad signature: " + e.getMessage(), false));
            } else {
                out.add(verify((DkimSignature) p, dns, keyCache));
            }
        }
        return out;
    }

    private DkimResult verify(DkimSignature sig, BoundedDns dns, Map<String, Object> keyCache) {
        if (sig.algorithm() == null) {
            return DkimResult.of(AuthResult.POLICY, sig, "rsa-sha1 is not accepted (RFC 8301)");
        }
        if (sig.expiration() != null && sig.expiration() < clock.instant().getEpochSecond()) {
            return DkimResult.of(AuthResult.POLICY, sig, "signature expired");
        }
        BodyHasher body = hashers.get(hasherKey(sig));
        if (sig.hasLength() && sig.bodyLength() > body.canonicalLength()) {
            return DkimResult.of(AuthResult.FAIL, sig, "l= is longer than the body");
        }
        if (!MessageDigest.isEqual(body.hash(), sig.bodyHash())) {
            return DkimResult.of(AuthResult.FAIL, sig, "body hash did not verify");
        }
        String name = sig.selector() + "._domainkey." + sig.domain();
        Object key = keyCache.get(name);
        if (key == null) {
            key = fetchKey(name, dns);
            keyCache.put(name, key);
        }
        if (key instanceof DkimResult problem) {
            return DkimResult.of(problem.result(), sig, problem.reason());
        }
        DkimKeyRecord record = (DkimKeyRecord) key;
        if (record.revoked()) {
            return DkimResult.of(AuthResult.PERMERROR, sig, "key revoked").testing(record.testing());
        }
        if (!record.keyType().equals(sig.algorithm().keyType()) || !record.allowsSha256()) {
            return DkimResult.of(AuthResult.PERMERROR, sig, "key record does not allow " + sig.algorithmToken()).testing(record.testing());
        }
        if (record.strict() && sig.identity() != null
                && !sig.identity().substring(sig.identity().lastIndexOf('@') + 1).equalsIgnoreCase(sig.domain())) {
            return DkimResult.of(AuthResult.PERMERROR, sig, "key is strict (t=s) and i= is a subdomain").testing(record.testing());
        }
        Object publicKey;
        try {
            publicKey = sig.algorithm().publicKey(record.key());
        } catch (GeneralSecurityException e) {
            return DkimResult.of(AuthResult.PERMERROR, sig, "unusable key: " + e.getMessage()).testing(record.testing());
        }
        if (publicKey instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < DkimAlgorithm.MIN_RSA_BITS) {
            return DkimResult.of(AuthResult.POLICY, sig, "RSA key of " + rsa.getModulus().bitLength() + " bits (RFC 8301 needs 1024)").testing(record.testing());
        }
        try {
            boolean ok = sig.algorithm().verify(publicKey, signedData(sig), sig.signature());
            return ok ? DkimResult.of(AuthResult.PASS, sig, null).testing(record.testing())
                    : DkimResult.of(AuthResult.FAIL, sig, "signature did not verify").testing(record.testing());
        } catch (GeneralSecurityException e) {
            return DkimResult.of(AuthResult.FAIL, sig, "signature did not verify").testing(record.testing());
        }
    }

    /** A {@link DkimKeyRecord}, or a DkimResult saying why there is none. */
    private static Object fetchKey(String name, BoundedDns dns) {
        List<String> txt;
        try {
            txt = dns.txt(name);
        } catch (IOException e) {
            return new DkimResult(AuthResult.TEMPERROR, null, null, null, null, "key lookup failed: " + e.getMessage(), false);
        }
        if (txt.isEmpty()) {
            return new DkimResult(AuthResult.PERMERROR, null, null, null, null, "no key at " + name, false);
        }
        String error = null;
        for (String t : txt) {
            try {
                return DkimKeyRecord.parse(t);
            } catch (MailAuthSyntaxException e) {
                error = e.getMessage();
            }
        }
        return new DkimResult(AuthResult.PERMERROR, null, null, null, null, "bad key record: " + error, false);
    }

    /** The header data a signature covers (RFC 6376 §3.7 and §5.4.2: instances taken from the bottom up). */
    private byte[] signedData(DkimSignature sig) {
        return headerData(headers, sig.signedHeaders(), sig.headerCanon(), DkimSignature.withoutSignatureValue(sig.field().raw()));
    }

    static byte[] headerData(HeaderSection headers, List<String> signedHeaders, Canonicalization canon, String signatureField) {
        StringBuilder data = new StringBuilder();
        Map<String, Integer> used = new HashMap<>();
        for (String name : signedHeaders) {
            List<HeaderField> instances = headers.all(name);
            int n = used.merge(name, 1, Integer::sum);
            int index = instances.size() - n;
            if (index >= 0) {
                data.append(canon.header(instances.get(index).raw())).append("\r\n");
            }
        }
        data.append(canon.header(signatureField));
        return data.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
