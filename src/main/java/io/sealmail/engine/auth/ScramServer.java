package io.sealmail.engine.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Supplier;

/**
 * The server side of one SCRAM-SHA-256 exchange (RFC 5802 §3 and §5, RFC 7677), without channel binding: the client
 * proves it knows the password without sending it, and the server proves it knows the keys. Two round trips:
 * <pre>
 *   C: n,,n=user,r=cnonce                                     (client-first)
 *   S: r=cnonce+snonce,s=salt,i=4096                         (server-first)
 *   C: c=biws,r=cnonce+snonce,p=proof                        (client-final)
 *   S: v=signature                                           (server-final, sent as the last challenge)
 * </pre>
 * An unknown user gets a salt and iteration count made from the name under a per-process secret, so the exchange
 * looks the same as for a real account until the proof fails. Not thread-safe: one exchange of one session.
 */
final class ScramServer {
    /** RFC 5802 §5.1: printable ASCII except ','. */
    private static final int MAX_MESSAGE = 4096;

    enum Stage { FIRST, FINAL, DONE }

    private final Supplier<String> serverNonce;
    private final byte[] unknownUserSecret;
    private Stage stage = Stage.FIRST;
    private String gs2Header;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;
    private String user;
    private ScramCredentials credentials;
    private boolean known;

    /**
     * @param serverNonce       the server's part of the nonce (printable, no ','); random in production, fixed only to
     *                          replay RFC 7677's test vector
     * @param unknownUserSecret keys the fake salts of unknown users
     */
    ScramServer(Supplier<String> serverNonce, byte[] unknownUserSecret) {
        this.serverNonce = serverNonce;
        this.unknownUserSecret = unknownUserSecret;
    }

    /** 18 random octets in base64: 144 bits, more than RFC 5802 §5.1's "sufficiently random". */
    static Supplier<String> randomNonce(SecureRandom random) {
        return () -> {
            byte[] b = new byte[18];
            random.nextBytes(b);
            return Base64.getEncoder().encodeToString(b);
        };
    }

    String user() {
        return user;
    }

    /**
     * Handles client-first and returns server-first.
     *
     * @param lookup the stored keys of a user, or null when there are none
     * @throws SaslException when the message is malformed, asks for channel binding, or acts for someone else
     */
    String first(byte[] message, java.util.function.Function<String, ScramCredentials> lookup) throws SaslException {
        String m = text(message);
        // gs2-header: cbind-flag "," [authzid] ","
        int c1 = m.indexOf(',');
        int c2 = c1 < 0 ? -1 : m.indexOf(',', c1 + 1);
        if (c2 < 0) {
            throw new SaslException("SCRAM client-first message is malformed");
        }
        String flag = m.substring(0, c1);
        if (flag.startsWith("p=")) {
            throw new SaslException("SCRAM channel binding is not supported here (use SCRAM-SHA-256 without -PLUS)");
        }
        if (!flag.equals("n") && !flag.equals("y")) {
            throw new SaslException("SCRAM client-first message is malformed");
        }
        String authzid = m.substring(c1 + 1, c2);
        gs2Header = m.substring(0, c2 + 1);
        clientFirstBare = m.substring(c2 + 1);
        String[] attrs = clientFirstBare.split(",", -1);
        if (attrs.length < 2 || !attrs[0].startsWith("n=") || !attrs[1].startsWith("r=") || attrs[1].length() < 3) {
            // RFC 5802 §5.1: "m=" (reserved) and anything else first is an error.
            throw new SaslException("SCRAM client-first message must start with n=user,r=nonce");
        }
        user = saslName(attrs[0].substring(2));
        if (user.isEmpty()) {
            throw new SaslException("SCRAM user name is empty");
        }
        SaslResponses.checkIdentity(user, "SCRAM user name");
        if (!authzid.isEmpty()) {
            String a = authzid.startsWith("a=") ? saslName(authzid.substring(2)) : null;
            if (a == null || !a.equalsIgnoreCase(user)) {
                throw new SaslAuthorizationException("authorization identity must be empty or the user itself");
            }
        }
        String clientNonce = attrs[1].substring(2);
        checkPrintable(clientNonce);
        nonce = clientNonce + serverNonce.get();
        credentials = lookup.apply(user);
        known = credentials != null;
        if (!known) {
            byte[] salt = ScramCredentials.hmac(unknownUserSecret, user.toLowerCase(java.util.Locale.ROOT)
                    .getBytes(StandardCharsets.UTF_8));
            credentials = new ScramCredentials(java.util.Arrays.copyOf(salt, 16), ScramCredentials.DEFAULT_ITERATIONS,
                    new byte[32], new byte[32]);
        }
        serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(credentials.salt()) + ",i="
                + credentials.iterations();
        stage = Stage.FINAL;
        return serverFirst;
    }

    /**
     * Handles client-final: returns server-final ({@code v=...}) when the proof is right, null when it is wrong (or
     * the user unknown).
     *
     * @throws SaslException when the message is malformed or does not continue this exchange
     */
    String last(byte[] message) throws SaslException {
        if (stage != Stage.FINAL) {
            throw new SaslException("SCRAM exchange out of order");
        }
        stage = Stage.DONE;
        String m = text(message);
        int p = m.lastIndexOf(",p=");
        if (p < 0) {
            throw new SaslException("SCRAM client-final message has no proof");
        }
        String withoutProof = m.substring(0, p);
        String[] attrs = withoutProof.split(",", -1);
        if (attrs.length < 2 || !attrs[0].startsWith("c=") || !attrs[1].startsWith("r=")) {
            throw new SaslException("SCRAM client-final message must start with c=...,r=...");
        }
        String binding = Base64.getEncoder().encodeToString(gs2Header.getBytes(StandardCharsets.UTF_8));
        if (!attrs[0].substring(2).equals(binding)) {
            throw new SaslException("SCRAM channel binding data does not match the client-first message");
        }
        if (!attrs[1].substring(2).equals(nonce)) {
            throw new SaslException("SCRAM nonce does not match");
        }
        byte[] proof;
        try {
            proof = Base64.getDecoder().decode(m.substring(p + 3));
        } catch (IllegalArgumentException e) {
            throw new SaslException("SCRAM proof is not valid base64");
        }
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] clientSignature = ScramCredentials.hmac(credentials.storedKey(), authMessage);
        if (proof.length != clientSignature.length) {
            return null;
        }
        byte[] clientKey = new byte[proof.length];
        for (int i = 0; i < proof.length; i++) {
            clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
        }
        boolean match = MessageDigest.isEqual(ScramCredentials.sha256(clientKey), credentials.storedKey());
        if (!match || !known) {
            return null;
        }
        return "v=" + Base64.getEncoder().encodeToString(ScramCredentials.hmac(credentials.serverKey(), authMessage));
    }

    private static String text(byte[] message) throws SaslException {
        if (message.length == 0 || message.length > MAX_MESSAGE) {
            throw new SaslException("SCRAM message is empty or too long");
        }
        return SaslResponses.utf8String(message, 0, message.length);
    }

    /** RFC 5802 §5.1 saslname: "=2C" is ',' and "=3D" is '='; any other '=' is an error. */
    static String saslName(String s) throws SaslException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '=') {
                String esc = i + 3 <= s.length() ? s.substring(i, i + 3) : "";
                if (esc.equals("=2C")) {
                    b.append(',');
                } else if (esc.equals("=3D")) {
                    b.append('=');
                } else {
                    throw new SaslException("SCRAM user name has a bad escape");
                }
                i += 2;
            } else if (c == ',') {
                throw new SaslException("SCRAM user name has an unescaped ','");
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static void checkPrintable(String nonce) throws SaslException {
        for (int i = 0; i < nonce.length(); i++) {
            char c = nonce.charAt(i);
            if (c < 0x21 || c > 0x7e || c == ',') {
                throw new SaslException("SCRAM nonce has a character outside printable ASCII");
            }
        }
    }
}
