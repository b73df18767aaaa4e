package io.sealmail.engine.imap;

import io.sealmail.engine.auth.SaslServer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Connection-level commands: CAPABILITY, NOOP, LOGOUT, ID, ENABLE, STARTTLS, LOGIN, AUTHENTICATE. */
final class SessionCommands {
    private SessionCommands() {
    }

    static void capability(ImapSession s, ImapRequest r) throws IOException {
        r.args().end();
        s.untagged("CAPABILITY " + s.capabilities());
        s.ok(r, "CAPABILITY completed");
    }

    static void noop(ImapSession s, ImapRequest r) throws IOException {
        s.ok(r, r.name() + " completed");
    }

    static void logout(ImapSession s, ImapRequest r) {
        s.untagged("BYE Logging out");
        s.write(r.tag() + " OK LOGOUT completed\r\n");
        s.logout();
    }

    /** RFC 2971: a fixed answer; what the client says is only logged at debug level. */
    static void id(ImapSession s, ImapRequest r) throws IOException {
        s.untagged("ID (\"name\" \"Sealmail\" \"vendor\" \"Sealmail\")");
        s.ok(r, "ID completed");
    }

    /**
     * RFC 5161: UTF8=ACCEPT, CONDSTORE and QRESYNC change behaviour; others are ignored as the RFC says. QRESYNC
     * turns CONDSTORE on too (RFC 7162 §3.2.3).
     */
    static void enable(ImapSession s, ImapRequest r) throws IOException {
        if (!r.args().hasNext()) {
            throw r.args().bad("ENABLE needs at least one capability"); // RFC 5161 §4: 1*(SP capability)
        }
        List<String> done = new ArrayList<>();
        while (r.args().hasNext()) {
            String cap = r.args().atom("capability").toUpperCase(Locale.ROOT);
            if (cap.equals("IMAP4REV2")) {
                cap = "IMAP4rev2"; // RFC 9051 §6.3.1: the ENABLED response names it as advertised
            }
            if ((cap.equals("UTF8=ACCEPT") || cap.equals("CONDSTORE") || cap.equals("QRESYNC") || cap.equals("IMAP4rev2"))
                    && s.enabled().add(cap)) {
                done.add(cap);
            }
            if (cap.equals("QRESYNC")) {
                s.enabled().add("CONDSTORE");
            }
        }
        s.untagged("ENABLED" + (done.isEmpty() ? "" : " " + String.join(" ", done)));
        s.ok(r, "ENABLE completed");
    }

    static void startTls(ImapSession s, ImapRequest r) {
        r.args().end();
        if (s.secure() || !s.plaintextPort()) {
            s.bad(r, "TLS is already active");
            return;
        }
        if (s.context().tls() == null) {
            s.no(r, "[UNAVAILABLE] TLS is not available");
            return;
        }
        s.startTls(r.tag());
    }

    /** RFC 4978 §3: DEFLATE is the one mechanism; a second COMPRESS is BAD, with the RFC's response code. */
    static void compress(ImapSession s, ImapRequest r) {
        String mechanism = r.args().atom("mechanism");
        r.args().end();
        if (!mechanism.equalsIgnoreCase("DEFLATE")) {
            s.bad(r, "Unknown compression mechanism; supported: DEFLATE");
        } else if (s.compressed()) {
            s.bad(r, "[COMPRESSIONACTIVE] DEFLATE is already active");
        } else {
            s.compress(r.tag());
        }
    }

    static void login(ImapSession s, ImapRequest r) {
        String user = r.args().astring("user name");
        String password = r.args().astring("password");
        r.args().end();
        if (!s.secure()) {
            // RFC 9051 §6.2.3 and LOGINDISABLED: no passwords in clear; RFC 5530 code.
            s.no(r, "[PRIVACYREQUIRED] LOGIN is disabled until STARTTLS");
            return;
        }
        s.sasl(r.tag(), (sasl, next) -> sasl.password(user, password.toCharArray(), next));
    }

    static void authenticate(ImapSession s, ImapRequest r) {
        String mechanism = r.args().atom("mechanism");
        String initial = r.args().hasNext() ? r.args().atom("initial response") : null;
        r.args().end();
        if (!s.secure()) {
            s.no(r, "[PRIVACYREQUIRED] AUTHENTICATE is disabled until STARTTLS");
            return;
        }
        // RFC 4959 SASL-IR: "=" is an empty initial response; SaslServer knows.
        s.sasl(r.tag(), (sasl, next) -> sasl.start(mechanism, initial, next));
    }

    /** The client's line after a "+" challenge of AUTHENTICATE. */
    static void saslResponse(ImapSession s, String tag, String line) {
        s.sasl(tag, (sasl, next) -> sasl.respond(line, next));
    }

    /** How an AUTHENTICATE or LOGIN ended (RFC 9051 §6.2.2, response codes RFC 5530). */
    static void saslDone(ImapSession s, String tag, SaslServer.Result result) {
        if (result.gateOutcome() != null) {
            s.context().loginOutcome(result.gateOutcome());
        }
        switch (result.outcome()) {
            case SUCCESS -> {
                try {
                    s.loggedIn(result.account(), s.context().mailboxes().forAccount(result.account()));
                } catch (IOException e) {
                    s.write(tag + " NO [UNAVAILABLE] Mailbox not available now\r\n");
                    return;
                }
                s.write(tag + " OK [CAPABILITY " + s.capabilities() + "] Logged in\r\n");
            }
            case THROTTLED -> s.write(tag + " NO [UNAVAILABLE] Too many failed logins from your address; try again later\r\n");
            case BUSY -> s.write(tag + " NO [UNAVAILABLE] Too many logins in progress; try again later\r\n");
            case CANCELLED -> s.write(tag + " BAD Authentication cancelled\r\n");
            case MALFORMED -> s.write(tag + " BAD " + result.reason() + "\r\n");
            case UNSUPPORTED_MECHANISM -> s.write(tag + " NO [CANNOT] Unsupported mechanism; "
                    + String.join(", ", SaslServer.MECHANISMS) + " only\r\n");
            case FAILURE, AUTHORIZATION_REFUSED -> {
                String no = result.outcome() == SaslServer.Outcome.FAILURE
                        ? " NO [AUTHENTICATIONFAILED] Invalid credentials\r\n"
                        : " NO [AUTHORIZATIONFAILED] Authorization identity must be empty or the user itself\r\n";
                if (s.authFailed()) {
                    s.untagged("BYE Too many authentication failures");
                    s.write(tag + no);
                    s.closeAfterFlush();
                    return;
                }
                s.write(tag + no);
            }
        }
    }
}
