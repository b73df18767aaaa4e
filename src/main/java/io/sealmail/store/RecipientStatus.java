package io.sealmail.store;

import java.util.Locale;

/**
 * Where one recipient of a queued message stands, as recorded after each delivery attempt.
 *
 * @param recipient         the address
 * @param state             see {@link State}
 * @param attempts          delivery attempts so far
 * @param nextAttemptMillis when it is tried next (epoch millis; 0: at once)
 * @param lastAttemptMillis when it was last tried (0: never)
 * @param lastReply         the last reply or failure, e.g. {@code 451 4.7.1 try later (mx1.example.net)}
 * @param remote            the host that gave it (MX or relay), or null
 * @param policy            the transport-security policy that applied ({@code none}, {@code opportunistic},
 *                          {@code mta-sts}, {@code dane}), or null before any connection
 * @param tls               TLS version and cipher suite used, e.g. {@code TLSv1.3 TLS_AES_128_GCM_SHA256}, or null
 */
public record RecipientStatus(String recipient, State state, int attempts, long nextAttemptMillis,
                              long lastAttemptMillis, String lastReply, String remote, String policy, String tls) {

    public enum State {
        /** Not tried yet. */
        QUEUED,
        /** Tried, temporarily failed; tried again at nextAttemptMillis. */
        DEFERRED,
        /** Accepted by the remote (2xx after the data). Final. */
        DELIVERED,
        /** Refused for good (5xx, no such domain, expired); a DSN goes to the sender. Final. */
        BOUNCED;

        public boolean isFinal() {
            return this == DELIVERED || this == BOUNCED;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static RecipientStatus queued(String recipient) {
        return new RecipientStatus(recipient, State.QUEUED, 0, 0, 0, null, null, null, null);
    }

    public boolean isFinal() {
        return state.isFinal();
    }

    /** The same recipient after an attempt with this outcome. */
    public RecipientStatus after(State newState, long attemptMillis, long nextMillis, String reply, String host,
                                 String policyLabel, String tlsUsed) {
        return new RecipientStatus(recipient, newState, attempts + 1, nextMillis, attemptMillis, reply, host,
                policyLabel, tlsUsed);
    }

    /** Due again at once ({@code sealmail queue retry}); a final state stays final. */
    public RecipientStatus dueNow() {
        return isFinal() ? this : new RecipientStatus(recipient, state, attempts, 0, lastAttemptMillis, lastReply,
                remote, policy, tls);
    }
}
