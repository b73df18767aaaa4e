package io.sealmail.engine.delivery;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** What a server's EHLO reply offers (RFC 5321 §4.1.1.1); all false after HELO. */
record Capabilities(boolean startTls, boolean pipelining, long maxSize, boolean eightBitMime, boolean smtpUtf8,
                    Set<String> authMechanisms) {

    static final Capabilities NONE = new Capabilities(false, false, 0, false, false, Set.of());

    /** From the lines of a 250 reply to EHLO; the first line is the greeting. */
    static Capabilities parse(List<String> lines) {
        boolean startTls = false;
        boolean pipelining = false;
        long size = 0;
        boolean eightBit = false;
        boolean utf8 = false;
        Set<String> auth = new HashSet<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] words = line.trim().toUpperCase(Locale.ROOT).split("[ =]+");
            if (words.length == 0) {
                continue;
            }
            switch (words[0]) {
                case "STARTTLS" -> startTls = true;
                case "PIPELINING" -> pipelining = true;
                case "8BITMIME" -> eightBit = true;
                case "SMTPUTF8" -> utf8 = true;
                case "SIZE" -> {
                    if (words.length > 1) {
                        try {
                            size = Math.max(0, Long.parseLong(words[1]));
                        } catch (NumberFormatException ignored) {
                            size = 0; // RFC 1870: no usable limit given
                        }
                    }
                }
                case "AUTH" -> auth.addAll(Arrays.asList(words).subList(1, words.length));
                default -> {
                }
            }
        }
        return new Capabilities(startTls, pipelining, size, eightBit, utf8, Set.copyOf(auth));
    }
}
