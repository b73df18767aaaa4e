package io.sealmail.engine.imap;

import io.sealmail.store.SafeName;
import io.sealmail.store.mailbox.MailboxException;
import io.sealmail.store.mailbox.Mailboxes;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * What a mailbox name from a client must be before it reaches the file system (RFC 9051 §5.1): valid UTF-8 (a name
 * the decoder had to repair is refused), no control characters, modified UTF-7 on the wire unless the client
 * enabled UTF8=ACCEPT (RFC 6855 §3), and, for a name that is to be created, bounded per level, in all and in depth,
 * with no empty or dot-led level and no wildcard. On disk it becomes one Maildir++ directory name through
 * {@link SafeName}, so the bounds keep that under Linux's 255-octet limit.
 */
final class MailboxNameRules {
    /** Octets (UTF-8) of one hierarchy level. */
    static final int MAX_LEVEL = 100;
    /** Octets (UTF-8) of the whole name; on disk one directory name, escapes included, under 255. */
    static final int MAX_NAME = 200;
    /** Hierarchy levels. */
    static final int MAX_DEPTH = 10;
    private static final String SEP = String.valueOf(Mailboxes.SEPARATOR);

    private MailboxNameRules() {
    }

    /** Any name from the wire (SELECT, CREATE, LIST reference, ...): refused with BAD when it cannot be a name. */
    static void checkWire(String wire, boolean utf8) {
        if (!utf8) {
            for (int i = 0; i < wire.length(); i++) {
                if (wire.charAt(i) >= 0x80) {
                    throw new ImapSyntaxException("CANNOT", "Mailbox name must be modified UTF-7 (RFC 3501 section 5.1.3)"
                            + " unless UTF8=ACCEPT is enabled");
                }
            }
        }
    }

    /** A decoded name: BAD for invalid UTF-8 and control characters. */
    static void checkDecoded(String name) {
        if (name.indexOf('\uFFFD') >= 0) {
            throw new ImapSyntaxException("CANNOT", "Mailbox name is not valid UTF-8");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
                throw new ImapSyntaxException("CANNOT", "Mailbox name contains a control character");
            }
        }
    }

    /** A name to be created (CREATE, RENAME's new name): NO [LIMIT] past a bound, NO [CANNOT] for a bad shape. */
    static void checkNew(String name) throws MailboxException {
        if (name.contains(SEP + SEP) || name.startsWith(SEP) || name.contains("*") || name.contains("%")) {
            throw new MailboxException("CANNOT", "Invalid mailbox name");
        }
        String[] levels = name.split(Pattern.quote(SEP), -1);
        for (String level : levels) {
            if (level.isEmpty() || level.startsWith(".")) {
                throw new MailboxException("CANNOT", "Invalid mailbox name");
            }
            if (level.getBytes(StandardCharsets.UTF_8).length > MAX_LEVEL) {
                throw new MailboxException("LIMIT", "Mailbox name level longer than " + MAX_LEVEL + " octets");
            }
        }
        if (levels.length > MAX_DEPTH) {
            throw new MailboxException("LIMIT", "Mailbox name deeper than " + MAX_DEPTH + " levels");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME) {
            throw new MailboxException("LIMIT", "Mailbox name longer than " + MAX_NAME + " octets");
        }
    }
}
