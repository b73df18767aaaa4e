package io.sealmail.engine.delivery;

import io.sealmail.config.Outbound;
import io.sealmail.engine.delivery.policy.HostPolicy;
import io.sealmail.engine.delivery.policy.PolicyKind;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * An SMTP client session with one remote host, ready for transactions: greeting read, EHLO (HELO as fallback,
 * RFC 5321 §3.2), STARTTLS whenever offered (RFC 3207) with the transport policy's verdict on the certificate,
 * AUTH for the relay. One session carries several messages (connection reuse).
 */
final class RemoteSession implements Closeable {
    /** How TLS is set up on this session. */
    enum Security {
        /** Direct delivery: STARTTLS when offered; the host policy may require it and judges the certificate. */
        POLICY,
        /** Relay over STARTTLS, required, certificate and name verified. */
        RELAY_STARTTLS,
        /** Relay over implicit TLS (the socket is wrapped before the greeting), verified. */
        RELAY_IMPLICIT
    }

    private final SmtpClientConnection conn;
    private final Outbound config;
    private Capabilities caps = Capabilities.NONE;
    private String policy = PolicyKind.NONE.label();
    private String tlsUsed;
    private boolean usable = true;

    private RemoteSession(SmtpClientConnection conn, Outbound config) {
        this.conn = conn;
        this.config = config;
    }

    /**
     * Runs the session's opening on a fresh connection.
     *
     * @param hostPolicy  the destination's policy for this host (POLICY security), else null
     * @param credentials relay login, or null
     * @throws RoutingException the host cannot be used (try the next one)
     * @throws IOException          the connection failed (try the next one)
     */
    static RemoteSession open(SmtpClientConnection conn, Outbound config, String heloName, Security security,
                              HostPolicy hostPolicy, ClientTls tls, RelayCredentials credentials)
            throws IOException, RoutingException {
        RemoteSession s = new RemoteSession(conn, config);
        try {
            s.start(heloName, security, hostPolicy, tls, credentials);
            return s;
        } catch (IOException | RoutingException | RuntimeException e) {
            conn.close();
            throw e;
        }
    }

    private void start(String heloName, Security security, HostPolicy hostPolicy, ClientTls tls,
                       RelayCredentials credentials) throws IOException, RoutingException {
        if (security == Security.RELAY_IMPLICIT) {
            handshake(tls.verified(), conn.host());
            policy = "relay";
        }
        RemoteReply greeting = conn.read(config.commandTimeout());
        if (!greeting.positive()) {
            // RFC 5321 §3.1: a 554 (or 4xx) greeting means this host takes no mail now: say QUIT, try the next one.
            conn.quit(config.commandTimeout());
            throw new RoutingException(hostReply(greeting, "greeting"));
        }
        ehlo(heloName);
        if (security == Security.RELAY_STARTTLS || security == Security.POLICY && (caps.startTls() || hostPolicy.tlsRequired())) {
            if (!caps.startTls()) {
                conn.quit(config.commandTimeout());
                throw new RoutingException(RemoteReply.of(451, "4.7.5 " + conn.host()
                        + " does not offer STARTTLS, which " + (security == Security.POLICY
                        ? "the " + hostPolicy.kind().label() + " policy requires" : "the relay configuration requires")));
            }
            conn.send(config.commandTimeout(), "STARTTLS");
            RemoteReply r = conn.read(config.commandTimeout());
            if (r.code() != 220) {
                if (security == Security.POLICY && !hostPolicy.tlsRequired()) {
                    // Offered but refused: carry on in plaintext, as opportunistic TLS allows (RFC 7435 §3).
                    policy = PolicyKind.NONE.label();
                } else {
                    conn.quit(config.commandTimeout());
                    throw new RoutingException(hostReply(r, "STARTTLS"));
                }
            } else {
                if (security == Security.POLICY) {
                    handshake(tls.unverified(), null);
                    verify(hostPolicy);
                } else {
                    handshake(tls.verified(), conn.host());
                    policy = "relay";
                }
                // RFC 3207 §4.2: forget what was learnt before TLS and ask again.
                ehlo(heloName);
            }
        }
        if (credentials != null) {
            authenticate(credentials);
        }
    }

    private void handshake(SSLContext context, String verifyName) throws RoutingException, IOException {
        try {
            conn.startTls(context, verifyName, config.commandTimeout());
        } catch (javax.net.ssl.SSLException e) {
            conn.close();
            throw new RoutingException(RemoteReply.of(451, "4.7.5 TLS handshake with " + conn.host() + " failed: "
                    + e.getMessage()));
        }
        SSLSession session = conn.tls();
        tlsUsed = session.getProtocol() + " " + session.getCipherSuite();
    }

    private void verify(HostPolicy hostPolicy) throws RoutingException {
        try {
            Certificate[] peer = conn.tls().getPeerCertificates();
            X509Certificate[] chain = new X509Certificate[peer.length];
            for (int i = 0; i < peer.length; i++) {
                chain[i] = (X509Certificate) peer[i];
            }
            hostPolicy.verify(chain, conn.host());
            policy = hostPolicy.kind() == PolicyKind.NONE ? PolicyKind.OPPORTUNISTIC.label() : hostPolicy.kind().label();
        } catch (CertificateException | SSLPeerUnverifiedException | ClassCastException e) {
            conn.quit(config.commandTimeout());
            throw new RoutingException(RemoteReply.of(451, "4.7.5 certificate of " + conn.host() + " refused by the "
                    + hostPolicy.kind().label() + " policy: " + e.getMessage()));
        }
    }

    private void ehlo(String heloName) throws IOException, RoutingException {
        conn.send(config.commandTimeout(), "EHLO " + heloName);
        RemoteReply r = conn.read(config.commandTimeout());
        if (r.positive()) {
            caps = Capabilities.parse(r.lines());
            return;
        }
        if (r.code() == 421) {
            conn.close();
            throw new RoutingException(hostReply(r, "EHLO"));
        }
        // RFC 5321 §3.2: a server that does not know EHLO gets HELO.
        conn.send(config.commandTimeout(), "HELO " + heloName);
        r = conn.read(config.commandTimeout());
        if (!r.positive()) {
            conn.quit(config.commandTimeout());
            throw new RoutingException(hostReply(r, "HELO"));
        }
        caps = Capabilities.NONE;
    }

    private void authenticate(RelayCredentials c) throws IOException, RoutingException {
        Base64.Encoder b64 = Base64.getEncoder();
        RemoteReply r;
        if (caps.authMechanisms().contains("PLAIN")) {
            byte[] user = c.username().getBytes(StandardCharsets.UTF_8);
            byte[] pass = new String(c.password()).getBytes(StandardCharsets.UTF_8);
            byte[] msg = new byte[user.length + pass.length + 2];
            System.arraycopy(user, 0, msg, 1, user.length);
            System.arraycopy(pass, 0, msg, user.length + 2, pass.length);
            conn.send(config.commandTimeout(), "AUTH PLAIN " + b64.encodeToString(msg));
            r = conn.read(config.commandTimeout());
        } else if (caps.authMechanisms().contains("LOGIN")) {
            conn.send(config.commandTimeout(), "AUTH LOGIN");
            r = conn.read(config.commandTimeout());
            if (r.code() == 334) {
                conn.send(config.commandTimeout(), b64.encodeToString(c.username().getBytes(StandardCharsets.UTF_8)));
                r = conn.read(config.commandTimeout());
                if (r.code() == 334) {
                    conn.send(config.commandTimeout(), b64.encodeToString(new String(c.password()).getBytes(StandardCharsets.UTF_8)));
                    r = conn.read(config.commandTimeout());
                }
            }
        } else {
            conn.quit(config.commandTimeout());
            throw new RoutingException(RemoteReply.of(451, "4.7.0 relay " + conn.host()
                    + " offers neither AUTH PLAIN nor AUTH LOGIN"));
        }
        if (r.code() != 235) {
            conn.quit(config.commandTimeout());
            // Deferred, not bounced: a wrong password is the operator's to fix, the mail stays queued (as Postfix).
            throw new RoutingException(RemoteReply.of(451, "4.7.0 relay " + conn.host() + " refused our login: " + r));
        }
    }

    private RemoteReply hostReply(RemoteReply r, String stage) {
        String text = r + " (" + stage + " at " + conn.host() + ")";
        return RemoteReply.of(r.permanentFailure() ? 550 : 451, (r.permanentFailure() ? "5.0.0 " : "4.0.0 ") + text);
    }

    String policy() {
        return policy;
    }

    String tls() {
        return tlsUsed;
    }

    String host() {
        return conn.host();
    }

    SmtpClientConnection connection() {
        return conn;
    }

    boolean usable() {
        return usable && conn.isOpen();
    }

    /**
     * One transaction: the message to these recipients. Returns one outcome per recipient; throws when the
     * connection failed (the caller defers every recipient without an outcome).
     */
    List<RecipientOutcome> transfer(OutgoingMessage message, List<String> recipients) throws IOException {
        List<RecipientOutcome> out = new ArrayList<>(recipients.size());
        boolean needsUtf8 = message.needsSmtpUtf8(recipients);
        if (needsUtf8 && !caps.smtpUtf8()) {
            // RFC 6531 §3.2: a non-ASCII envelope must not go to a server without SMTPUTF8.
            return all(recipients, RemoteReply.of(553, "5.6.7 " + conn.host() + " does not support SMTPUTF8, which the"
                    + " non-ASCII address requires"));
        }
        if (caps.maxSize() > 0 && message.size() > caps.maxSize()) {
            return all(recipients, RemoteReply.of(552, "5.3.4 message size " + message.size() + " exceeds the limit of "
                    + conn.host() + " (" + caps.maxSize() + ")"));
        }
        StringBuilder mail = new StringBuilder("MAIL FROM:<").append(message.returnPath()).append('>');
        if (caps.maxSize() >= 0 && caps != Capabilities.NONE) {
            mail.append(" SIZE=").append(message.size());
        }
        if (message.eightBit() && caps.eightBitMime()) {
            mail.append(" BODY=8BITMIME");
        }
        if (caps.smtpUtf8() && (needsUtf8 || message.utf8Headers())) {
            mail.append(" SMTPUTF8");
        }
        List<String> rcpts = recipients.stream().map(r -> "RCPT TO:<" + r + ">").toList();
        RemoteReply mailReply;
        List<RemoteReply> rcptReplies = new ArrayList<>();
        RemoteReply dataReply;
        if (caps.pipelining()) {
            // RFC 2920 §3.1: MAIL, RCPTs and DATA in one go; replies read in order.
            List<String> batch = new ArrayList<>();
            batch.add(mail.toString());
            batch.addAll(rcpts);
            batch.add("DATA");
            conn.send(config.commandTimeout(), batch.toArray(String[]::new));
            mailReply = conn.read(config.commandTimeout());
            for (int i = 0; i < rcpts.size(); i++) {
                rcptReplies.add(conn.read(config.commandTimeout()));
            }
            dataReply = conn.read(config.commandTimeout());
        } else {
            conn.send(config.commandTimeout(), mail.toString());
            mailReply = conn.read(config.commandTimeout());
            if (!mailReply.positive()) {
                resetAfter(mailReply);
                return all(recipients, mailReply);
            }
            for (String rcpt : rcpts) {
                conn.send(config.commandTimeout(), rcpt);
                rcptReplies.add(conn.read(config.commandTimeout()));
            }
            if (rcptReplies.stream().noneMatch(RemoteReply::positive)) {
                resetAfter(rcptReplies.get(rcptReplies.size() - 1));
                for (int i = 0; i < recipients.size(); i++) {
                    out.add(new RecipientOutcome(recipients.get(i), rcptReplies.get(i)));
                }
                return out;
            }
            conn.send(config.commandTimeout(), "DATA");
            dataReply = conn.read(config.commandTimeout());
        }
        if (!mailReply.positive()) {
            if (dataReply.code() == 354) {
                sendEmpty();
            }
            resetAfter(mailReply);
            return all(recipients, mailReply);
        }
        List<String> accepted = new ArrayList<>();
        for (int i = 0; i < recipients.size(); i++) {
            if (rcptReplies.get(i).positive()) {
                accepted.add(recipients.get(i));
            } else {
                out.add(new RecipientOutcome(recipients.get(i), rcptReplies.get(i)));
            }
        }
        if (dataReply.code() != 354) {
            resetAfter(dataReply);
            for (String r : accepted) {
                out.add(new RecipientOutcome(r, dataReply));
            }
            return out;
        }
        if (accepted.isEmpty()) {
            // RFC 2920 §3.1: DATA accepted although no recipient was: send an empty message and forget it.
            sendEmpty();
            return out;
        }
        try (InputStream in = message.open()) {
            conn.sendData(in, config.dataTimeout());
        }
        RemoteReply done = conn.read(config.dataTimeout());
        if (done.code() == 421) {
            usable = false;
        }
        for (String r : accepted) {
            out.add(new RecipientOutcome(r, done));
        }
        return out;
    }

    private void sendEmpty() throws IOException {
        conn.send(config.commandTimeout(), ".");
        conn.read(config.dataTimeout());
    }

    /** After a refused transaction the session is reset for the next one; a 421 closes it. */
    private void resetAfter(RemoteReply reply) throws IOException {
        if (reply.code() == 421) {
            usable = false;
            return;
        }
        conn.send(config.commandTimeout(), "RSET");
        RemoteReply r = conn.read(config.commandTimeout());
        if (!r.positive()) {
            usable = false;
        }
    }

    private static List<RecipientOutcome> all(List<String> recipients, RemoteReply reply) {
        return recipients.stream().map(r -> new RecipientOutcome(r, reply)).toList();
    }

    /** Says goodbye (QUIT) and closes. */
    @Override
    public void close() {
        conn.quit(config.commandTimeout());
    }
}
