package io.sealmail.engine.imap;

/**
 * The numbers of IMAP's grammar (RFC 9051 §9: number, nz-number, number64; RFC 7162 mod-sequence-value): ASCII digits
 * only (RFC 5234 DIGIT, so not the other Unicode digits {@code Character.isDigit} and {@code Long.parseLong} take),
 * checked against their bound while they are read, so no length or overflow case is left to a caller.
 */
final class ImapNumber {
    /** number and nz-number: unsigned 32-bit. */
    static final long MAX_NUMBER = 0xFFFFFFFFL;
    /** number64 and mod-sequence-value: 2^63 - 1. */
    static final long MAX_NUMBER64 = Long.MAX_VALUE;

    private ImapNumber() {
    }

    /** RFC 5234 DIGIT. */
    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The value of {@code text} when it is one or more ASCII digits worth at most {@code max}, else -1. */
    static long parse(String text, long max) {
        if (text == null || text.isEmpty()) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            int digit = text.charAt(i) - '0';
            if (digit < 0 || digit > 9 || value > (max - digit) / 10) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }
}
