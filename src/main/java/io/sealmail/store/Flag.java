package io.sealmail.store;

import java.util.EnumSet;
import java.util.Set;

/**
 * The IMAP system flags that live in a Maildir file name's info part ({@code :2,DFRST}), as the Maildir spec
 * (cr.yp.to/proto/maildir.html) and Dovecot name them. {@code \Recent} is not stored: it is per session.
 */
public enum Flag {
    DRAFT('D', "\\Draft"),
    FLAGGED('F', "\\Flagged"),
    ANSWERED('R', "\\Answered"),
    SEEN('S', "\\Seen"),
    DELETED('T', "\\Deleted");

    private final char maildir;
    private final String imap;

    Flag(char maildir, String imap) {
        this.maildir = maildir;
        this.imap = imap;
    }

    /** The letter in the Maildir info part. */
    public char maildirChar() {
        return maildir;
    }

    /** The IMAP name, e.g. {@code \Seen}. */
    public String imapName() {
        return imap;
    }

    /** The flag for an IMAP name, case-insensitively; null when it is not a system flag we store. */
    public static Flag fromImap(String name) {
        for (Flag f : values()) {
            if (f.imap.equalsIgnoreCase(name)) {
                return f;
            }
        }
        return null;
    }

    static Flag fromMaildir(char c) {
        for (Flag f : values()) {
            if (f.maildir == c) {
                return f;
            }
        }
        return null;
    }

    static Set<Flag> none() {
        return EnumSet.noneOf(Flag.class);
    }
}
