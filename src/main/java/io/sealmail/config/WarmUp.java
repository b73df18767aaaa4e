package io.sealmail.config;

import java.time.Duration;

/**
 * The engine's warm-up before its listeners accept: a scratch mailbox of generated messages, read, searched and
 * flagged through the real IMAP session code, so that the clients reconnecting after a restart (a pod replaced,
 * every client at once) meet code the JIT has already compiled rather than paying for the compilation themselves.
 * Runs only when an IMAP or POP3 listener is configured; readiness waits for it; a failure is logged and the
 * engine starts anyway.
 *
 * @param enabled  run it (default true)
 * @param messages messages in the scratch mailbox (default 2,000; 100 to 20,000)
 * @param maxTime  the longest it may take, generating the mailbox included (default 15 s); it stops earlier when
 *                 its rounds are done
 */
public record WarmUp(Boolean enabled, Integer messages, Duration maxTime) {
    /** What an empty {@code warmUp:} block (or none) means. */
    public static final WarmUp DEFAULTS = new WarmUp(null, null, null);
    /** No warm-up (test fixtures that start many engines). */
    public static final WarmUp OFF = new WarmUp(false, null, null);

    public WarmUp {
        enabled = enabled == null || enabled;
        messages = messages == null ? 2000 : messages;
        maxTime = maxTime == null ? Duration.ofSeconds(15) : maxTime;
        if (messages < 100 || messages > 20_000) {
            throw new ConfigException("warmUp.messages: " + messages + " is outside 100-20000");
        }
        if (maxTime.isNegative() || maxTime.isZero()) {
            throw new ConfigException("warmUp.maxTime: " + maxTime + " must be a positive duration such as PT15S");
        }
    }
}
