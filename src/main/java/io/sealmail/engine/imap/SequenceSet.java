package io.sealmail.engine.imap;

import java.util.ArrayList;
import java.util.List;

/**
 * A sequence set (RFC 9051 §9 sequence-set): ranges of message sequence numbers or UIDs, where {@code *} is the
 * largest number in use. At most {@code maxRanges} ranges, so a hostile set cannot cost unbounded work.
 */
public final class SequenceSet {
    /** Stands for {@code *} until resolved against the mailbox. */
    public static final long STAR = Long.MAX_VALUE;

    /**
     * RFC 5182 {@code $}: the session's saved search result. Only {@link #parseOrSaved} makes it, so the commands
     * where {@code $} is not a sequence set (SELECT's QRESYNC known UIDs) keep refusing it; the selected mailbox
     * resolves it ({@link SelectedMailbox#saved}).
     */
    public static final SequenceSet SAVED = new SequenceSet(new long[0], new long[0], false);

    private final long[] from;
    private final long[] to;
    /** Ranges ascending and apart (built by {@link #ofAscending}), so membership is a binary search. */
    private final boolean ascending;

    private SequenceSet(long[] from, long[] to, boolean ascending) {
        this.from = from;
        this.to = to;
        this.ascending = ascending;
    }

    /** A sequence set, or {@link #SAVED} for {@code $} alone (RFC 5182 §3: {@code $} cannot be combined). */
    public static SequenceSet parseOrSaved(String text, int maxRanges) {
        return text.equals("$") ? SAVED : parse(text, maxRanges);
    }

    public boolean isSaved() {
        return this == SAVED;
    }

    /** The numbers of a list in ascending order, as ranges, with no bound on their count (the server made them). */
    public static SequenceSet ofAscending(List<Long> ascending) {
        List<long[]> ranges = new ArrayList<>();
        for (long n : ascending) {
            long[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
            if (last != null && n == last[1] + 1) {
                last[1] = n;
            } else if (last == null || n > last[1]) {
                ranges.add(new long[] {n, n});
            }
        }
        long[] from = new long[ranges.size()];
        long[] to = new long[ranges.size()];
        for (int i = 0; i < from.length; i++) {
            from[i] = ranges.get(i)[0];
            to[i] = ranges.get(i)[1];
        }
        return new SequenceSet(from, to, true);
    }

    public boolean isEmpty() {
        return from.length == 0;
    }

    public static SequenceSet parse(String text, int maxRanges) {
        String[] parts = text.split(",", -1);
        if (parts.length > maxRanges) {
            throw new ImapSyntaxException("LIMIT", "More than " + maxRanges + " ranges in a sequence set");
        }
        long[] from = new long[parts.length];
        long[] to = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            int colon = p.indexOf(':');
            from[i] = number(colon < 0 ? p : p.substring(0, colon));
            to[i] = colon < 0 ? from[i] : number(p.substring(colon + 1));
        }
        return new SequenceSet(from, to, false);
    }

    public static SequenceSet of(long from, long to) {
        return new SequenceSet(new long[] {from}, new long[] {to}, false);
    }

    private static long number(String s) {
        if (s.equals("*")) {
            return STAR;
        }
        long n = ImapNumber.parse(s, ImapNumber.MAX_NUMBER);
        if (n < 0) {
            throw new ImapSyntaxException("Invalid sequence set");
        }
        if (n == 0) {
            throw new ImapSyntaxException("Invalid sequence number " + s);
        }
        return n;
    }

    /** True when {@code n} is in the set, {@code *} standing for {@code max} (RFC 9051 §9: "*" is the largest in use). */
    public boolean contains(long n, long max) {
        if (isSaved()) {
            throw new IllegalStateException("$ is resolved by the selected mailbox");
        }
        if (ascending) {
            int lo = 0;
            int hi = from.length - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (n < from[mid]) {
                    hi = mid - 1;
                } else if (n > to[mid]) {
                    lo = mid + 1;
                } else {
                    return true;
                }
            }
            return false;
        }
        for (int i = 0; i < from.length; i++) {
            long a = from[i] == STAR ? max : from[i];
            long b = to[i] == STAR ? max : to[i];
            if (n >= Math.min(a, b) && n <= Math.max(a, b)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The set's ranges as {@code {low, high}} pairs, {@code *} replaced by {@code max} and reversed ranges
     * ({@code 5:2}) put the right way round; they may overlap.
     */
    public List<long[]> ranges(long max) {
        if (isSaved()) {
            throw new IllegalStateException("$ is resolved by the selected mailbox");
        }
        List<long[]> out = new ArrayList<>(from.length);
        for (int i = 0; i < from.length; i++) {
            long a = from[i] == STAR ? max : from[i];
            long b = to[i] == STAR ? max : to[i];
            out.add(new long[] {Math.min(a, b), Math.max(a, b)});
        }
        return out;
    }

    /** True when every number in the set is at most {@code max} (for message sequence numbers, RFC 9051 §6.4.8 asks BAD otherwise). */
    public boolean within(long max) {
        for (int i = 0; i < from.length; i++) {
            if ((from[i] != STAR && from[i] > max) || (to[i] != STAR && to[i] > max)) {
                return false;
            }
        }
        return true;
    }

    /** The canonical text of a sorted list of numbers ({@code 1:3,7}), for UIDPLUS responses. */
    public static String format(List<Long> sorted) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
                j++;
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(sorted.get(i));
            if (j > i) {
                sb.append(':').append(sorted.get(j));
            }
            i = j + 1;
        }
        return sb.toString();
    }

    /** Keeps order as given: COPYUID pairs source and destination lists position by position. */
    public static String formatInOrder(List<Long> values) {
        List<String> parts = new ArrayList<>();
        for (Long v : values) {
            parts.add(Long.toString(v));
        }
        return String.join(",", parts);
    }
}
