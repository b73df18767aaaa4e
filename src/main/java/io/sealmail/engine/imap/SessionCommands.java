package io.sealmail.engine.imap;

import io.sealmail.engine.auth.SaslAuthorizationException;
import io.sealmail.engine.auth.SaslException;
import io.sealmail.engine.auth.SaslPlain;

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
        List<String> done = new ArrayList<>();
        while (r.args().hasNext()) {
            String cap = r.args().atom("capability").toUpperCase(Locale.ROOT);
            if ((cap.equals("UTF8=ACCEPT") || cap.equals("CONDSTORE") || cap.equals("QRESYNC")) && s.enabled().add(cap)) {
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
        s.startTls();
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
        authenticate(s, r.tag(), user, password.toCharArray());
    }

    static void authenticate(ImapSession s, ImapRequest r) {
        String mechanism = r.args().atom("mechanism").toUpperCase(Locale.ROOT);
        String initial = r.args().hasNext() ? r.args().atom("initial response") : null;
        r.args().end();
        if (!s.secure()) {
            s.no(r, "[PRIVACYREQUIRED] AUTHENTICATE is disabled until STARTTLS");
            return;
        }
        if (!mechanism.equals("PLAIN")) {
            s.no(r, "[CANNOT] Unsupported mechanism; PLAIN only");
            return;
        }
        if (initial == null) {
            s.awaitSasl(r.tag());
            s.write("+ \r\n");
            return;
        }
        // RFC 4959 SASL-IR: "=" is an empty initial response.
        saslResponse(s, r.tag(), initial.equals("=") ? "" : initial);
    }

    static void saslResponse(ImapSession s, String tag, String line) {
        if (line.equals("*")) {
            s.write(tag + " BAD Authentication cancelled\r\n");
            return;
        }
        SaslPlain plain;
        try {
            plain = SaslPlain.decode(line);
        } catch (SaslAuthorizationException e) {
            s.write(tag + " NO [AUTHORIZATIONFAILED] Authorization identity must be empty or the user itself\r\n");
            return;
        } catch (SaslException e) {
            s.write(tag + " BAD " + e.getMessage() + "\r\n");
            return;
        }
        authenticate(s, tag, plain.authcid(), plain.password());
    }

    /** Answers once the login gate has decided; a failure's answer comes after the scheduled delay. */
    private static void authenticate(ImapSession s, String tag, String user, char[] password) {
        s.checkLogin(user, password, result -> {
            s.context().loginOutcome(result.outcome());
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
                case FAILURE -> {
                    if (s.authFailed()) {
                        s.untagged("BYE Too many authentication failures");
                        s.write(tag + " NO [AUTHENTICATIONFAILED] Invalid credentials\r\n");
                        s.closeAfterFlush();
                        return;
                    }
                    s.write(tag + " NO [AUTHENTICATIONFAILED] Invalid credentials\r\n");
                }
            }
        });
    }
}
