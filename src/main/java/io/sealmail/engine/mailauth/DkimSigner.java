package io.sealmail.engine.mailauth;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Signs outgoing mail with DKIM (RFC 6376), relaxed/relaxed, once per key of the From domain: with an rsa-sha256
 * and an ed25519-sha256 key (RFC 8463 §3) the message carries both signatures (dual signing), so receivers that
 * know only RSA still verify it. Thread-safe; one instance serves the whole engine.
 */
public final class DkimSigner {
    /**
     * The fields signed when present (RFC 6376 §5.4.1's list, plus the list headers of RFC 2369/8058). From is
     * signed once more than it occurs (oversigning, §8.15), so a second From cannot be added without breaking the
     * signature.
     */
    static final List<String> SIGNED_FIELDS = List.of("from", "sender", "reply-to", "subject", "date", "message-id",
            "to", "cc", "mime-version", "content-type", "content-transfer-encoding", "content-id",
            "content-description", "in-reply-to", "references", "list-id", "list-help", "list-unsubscribe",
            "list-unsubscribe-post", "list-subscribe", "list-post", "list-owner", "list-archive");
    private static final int LINE = 76;

    private final Map<String, List<DkimSigningKey>> keys = new LinkedHashMap<>();
    private final Clock clock;

    public DkimSigner(List<DkimSigningKey> keys, Clock clock) {
        for (DkimSigningKey k : keys) {
            this.keys.computeIfAbsent(k.domain(), d -> new ArrayList<>()).add(k);
        }
        this.clock = clock;
    }

    /** Domains with at least one key. */
    public Set<String> domains() {
        return keys.keySet();
    }

    /**
     * The DKIM-Signature fields to put on top of the message, each ending in CRLF, or "" when its From field
     * names no domain we hold a key for (or not exactly one From address).
     */
    public String sign(MessageSource message) throws IOException {
        HeaderSection[] headers = new HeaderSection[1];
        BodyHasher body = BodyHasher.unlimited(Canonicalization.RELAXED);
        MessageStream stream = new MessageStream(h -> {
            headers[0] = h;
            return body;
        }, MessageStream.DEFAULT_MAX_HEADER_BYTES);
        message.writeTo(stream);
        stream.finish();
        if (!headers[0].complete()) {
            return "";
        }
        FromDomain.Result from = FromDomain.of(headers[0]);
        List<DkimSigningKey> domainKeys = from.domain() == null ? null : keys.get(from.domain());
        if (domainKeys == null) {
            return "";
        }
        String bodyHash = Base64.getEncoder().encodeToString(body.hash());
        List<String> signed = signedFields(headers[0]);
        StringBuilder out = new StringBuilder();
        for (DkimSigningKey key : domainKeys) {
            out.append(field(key, headers[0], signed, bodyHash)).append("\r\n");
        }
        return out.toString();
    }

    static List<String> signedFields(HeaderSection headers) {
        List<String> signed = new ArrayList<>();
        for (String name : SIGNED_FIELDS) {
            int n = headers.all(name).size() + (name.equals("from") ? 1 : 0);
            for (int i = 0; i < n; i++) {
                signed.add(name);
            }
        }
        return signed;
    }

    private String field(DkimSigningKey key, HeaderSection headers, List<String> signed, String bodyHash) throws IOException {
        Folder f = new Folder("DKIM-Signature:");
        f.add(" v=1;");
        f.add(" a=" + key.algorithm().token() + ";");
        f.add(" c=relaxed/relaxed;");
        f.add(" d=" + key.domain() + ";");
        f.add(" s=" + key.selector() + ";");
        f.add(" t=" + clock.instant().getEpochSecond() + ";");
        for (int i = 0; i < signed.size(); i++) {
            f.add((i == 0 ? " h=" : "") + signed.get(i) + (i == signed.size() - 1 ? ";" : ":"));
        }
        f.add(" bh=" + bodyHash + ";");
        f.add(" b=");
        String unsigned = f.text();
        byte[] data = DkimVerifier.headerData(headers, signed, Canonicalization.RELAXED, unsigned);
        byte[] signature;
        try {
            signature = key.algorithm().sign(key.privateKey(), data);
        } catch (GeneralSecurityException e) {
            throw new IOException("DKIM signing with " + key.recordName() + " failed: " + e.getMessage(), e);
        }
        String b = Base64.getEncoder().encodeToString(signature);
        for (int i = 0; i < b.length(); i += 64) {
            f.addUnbroken(b.substring(i, Math.min(b.length(), i + 64)));
        }
        return f.text();
    }

    /** Folds a field at token boundaries (RFC 5322 §2.2.3) so no line passes 76 characters where avoidable. */
    private static final class Folder {
        private final StringBuilder text;
        private int lineLength;

        Folder(String start) {
            text = new StringBuilder(start);
            lineLength = start.length();
        }

        void add(String token) {
            if (lineLength + token.length() > LINE) {
                text.append("\r\n\t");
                lineLength = 1;
                token = token.stripLeading();
            }
            text.append(token);
            lineLength += token.length();
        }

        /** Parts of the b= value: folding whitespace inside it is removed with the value (RFC 6376 §3.5). */
        void addUnbroken(String part) {
            if (lineLength + part.length() > LINE) {
                text.append("\r\n\t ");
                lineLength = 2;
            }
            text.append(part);
            lineLength += part.length();
        }

        String text() {
            return text.toString();
        }
    }
}
