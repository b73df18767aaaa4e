package io.sealmail.store;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The one id a message carries from its SMTP transaction on: in the {@code Received} header, the
 * {@code 250 Ok: queued as <id>} reply, the engine's log lines and, for remote recipients, the outbound queue's
 * entry ({@code sealmail queue list}), as Postfix's queue id does. 64 random bits in upper-case hex: unguessable,
 * unique in practice, and a safe file name.
 */
public final class QueueId {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern FORMAT = Pattern.compile("[0-9A-F]{16}");

    private QueueId() {
    }

    public static String next() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return HexFormat.of().withUpperCase().formatHex(b);
    }

    /** True for an id {@link #next()} could have made (so it names no other file). */
    public static boolean isValid(String id) {
        return id != null && FORMAT.matcher(id).matches();
    }
}
