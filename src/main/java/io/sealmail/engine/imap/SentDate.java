package io.sealmail.engine.imap;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * A Date: field (RFC 5322 §3.3, with the obsolete forms of §4.3: two- and three-digit years, named zones,
 * comments, missing seconds) as milliseconds since the epoch, for SORT DATE and THREAD (RFC 5256 §2.2 compares
 * sent dates in UTC). Written by hand because SORT reads one per message of the folder: a general parser costs
 * more than the whole sort. Anything it cannot read is "no sent date", and the caller uses INTERNALDATE.
 */
final class SentDate {
    private static final String MONTHS = "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC";

    private SentDate() {
    }

    /** @return milliseconds since the epoch, or {@link Long#MIN_VALUE} when the value is not a date */
    static long parse(String value) {
        return parse(value, true);
    }

    /**
     * The day the field names, as its writer saw it: RFC 9051 §6.4.4 compares SENTBEFORE, SENTON and SENTSINCE with
     * the Date: field "disregarding time and timezone" (Dovecot does the same), so 00:30 +0200 on 5 June is 5 June,
     * not 4 June in UTC. Null when the value is not a date.
     */
    static java.time.LocalDate day(String value) {
        long local = parse(value, false);
        return local == Long.MIN_VALUE ? null
                : LocalDateTime.ofEpochSecond(Math.floorDiv(local, 1000), 0, ZoneOffset.UTC).toLocalDate();
    }

    /** @param inUtc whether to apply the field's zone (an instant), or to keep its own wall clock */
    private static long parse(String value, boolean inUtc) {
        if (value == null) {
            return Long.MIN_VALUE;
        }
        String[] t = tokens(value);
        int i = 0;
        // Optional day of week: a word (with or without its comma) before the day number.
        if (i < t.length && !t[i].isEmpty() && Character.isLetter(t[i].charAt(0))) {
            i++;
        }
        if (t.length - i < 4) {
            return Long.MIN_VALUE;
        }
        int day = number(t[i++], 2);
        int month = month(t[i++]);
        String yearText = t[i++];
        int year = number(yearText, 4);
        if (day < 1 || month < 0 || year < 0) {
            return Long.MIN_VALUE;
        }
        if (yearText.length() == 2) {
            year += year < 50 ? 2000 : 1900; // RFC 5322 §4.3
        } else if (yearText.length() == 3) {
            year += 1900;
        }
        String[] hms = t[i++].split(":", -1);
        if (hms.length < 2 || hms.length > 3) {
            return Long.MIN_VALUE;
        }
        int hour = number(hms[0], 2);
        int minute = number(hms[1], 2);
        int second = hms.length == 3 ? number(hms[2], 2) : 0;
        if (hour < 0 || minute < 0 || second < 0) {
            return Long.MIN_VALUE;
        }
        int offsetMinutes = i < t.length && inUtc ? zone(t[i]) : 0;
        try {
            // Leap second 60 is folded into 59, as Dovecot does.
            LocalDateTime local = LocalDateTime.of(year, month + 1, day, hour, minute, Math.min(second, 59));
            return local.toEpochSecond(ZoneOffset.UTC) * 1000 - offsetMinutes * 60_000L;
        } catch (DateTimeException e) {
            return Long.MIN_VALUE;
        }
    }

    /** The words of the value: comments dropped, commas and white space as separators. */
    private static String[] tokens(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        int comment = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '(') {
                comment++;
            } else if (c == ')' && comment > 0) {
                comment--;
            } else if (comment == 0) {
                sb.append(c == ',' || c == '\t' || c == '\r' || c == '\n' ? ' ' : c);
            }
        }
        java.util.List<String> words = new java.util.ArrayList<>(6);
        int start = -1;
        for (int i = 0; i <= sb.length(); i++) {
            boolean space = i == sb.length() || sb.charAt(i) == ' ';
            if (space && start >= 0) {
                words.add(sb.substring(start, i));
                start = -1;
            } else if (!space && start < 0) {
                start = i;
            }
        }
        return words.toArray(new String[0]);
    }

    private static int number(String s, int maxDigits) {
        if (s.isEmpty() || s.length() > maxDigits) {
            return -1;
        }
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + c - '0';
        }
        return n;
    }

    private static int month(String s) {
        if (s.length() < 3) {
            return -1;
        }
        int at = MONTHS.indexOf(s.substring(0, 3).toUpperCase(java.util.Locale.ROOT));
        return at % 3 == 0 ? at / 3 : -1;
    }

    /** The zone's offset east of UTC in minutes; unknown zones are UTC (RFC 5322 §4.3: "-0000"). */
    private static int zone(String s) {
        if (s.length() == 5 && (s.charAt(0) == '+' || s.charAt(0) == '-')) {
            int hh = number(s.substring(1, 3), 2);
            int mm = number(s.substring(3, 5), 2);
            if (hh < 0 || mm < 0) {
                return 0;
            }
            int minutes = hh * 60 + mm;
            return s.charAt(0) == '-' ? -minutes : minutes;
        }
        return switch (s.toUpperCase(java.util.Locale.ROOT)) {
            case "EDT" -> -4 * 60;
            case "EST", "CDT" -> -5 * 60;
            case "CST", "MDT" -> -6 * 60;
            case "MST", "PDT" -> -7 * 60;
            case "PST" -> -8 * 60;
            default -> 0;
        };
    }
}
