package io.sealmail.store.maildir;

import io.sealmail.store.mailbox.MailFolder;

import java.util.Arrays;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeSet;

/**
 * A flag change in flight, as one line of the UID list: {@code I <op> <uid ranges> [flag...]}, op {@code =}
 * (replace), {@code +} or {@code -}, e.g. {@code I + 1:5000,5002 \Seen $Work}. A STORE that renames files (system
 * flags), and every change while intents are pending, writes it with its keyword lines in one forced append before
 * it is answered; the renames follow ({@link FlagRenamer}), and a line {@code D} after the last says that every
 * intent before it is on disk. Intents without a {@code D} after them are finished, in order, at the folder's next
 * listing ({@link MaildirFolder}), so a crash at any point leaves each change wholly done or, if never answered,
 * possibly not at all, never half.
 *
 * <p>Applying the changes again is safe because per flag each op sets it, clears it or leaves it: a sequence of them
 * applied after any prefix of itself (what a file's name says after some of the renames) gives what applying it
 * once does. The ranges cover only messages the STORE decided to change
 * (its UNCHANGEDSINCE check is not made again), and may span UIDs the folder does not hold, never one it held then and
 * left out. One line per STORE command, not per message: {@code STORE 1:*} on 100,000 messages is a few octets.
 * Older readers of the UID list skip it (a line that does not start with a UID names none).
 */
record FlagIntent(MailFolder.FlagChange change, Set<String> flags, long[] ranges) {
    static final String DONE = "D";

    /**
     * The intent of changing {@code uids} (ascending); consecutive UIDs of the folder's messages ({@code folder}'s
     * keys) form one range even when UIDs between them were expunged.
     */
    static FlagIntent of(MailFolder.FlagChange change, Set<String> flags, long[] uids, NavigableMap<Long, ?> folder) {
        long[] ranges = new long[8];
        int n = 0;
        for (int i = 0; i < uids.length; i++) {
            long uid = uids[i];
            if (n > 0 && (uid == ranges[n - 1] + 1 || Long.valueOf(uid).equals(folder.higherKey(ranges[n - 1])))) {
                ranges[n - 1] = uid;
                continue;
            }
            if (n + 2 > ranges.length) {
                ranges = Arrays.copyOf(ranges, ranges.length * 2);
            }
            ranges[n++] = uid;
            ranges[n++] = uid;
        }
        return new FlagIntent(change, Set.copyOf(flags), Arrays.copyOf(ranges, n));
    }

    /** Whether the change covers a UID (binary search over the ranges' first UIDs). */
    boolean covers(long uid) {
        int lo = 0;
        int hi = ranges.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (ranges[2 * mid + 1] < uid) {
                lo = mid + 1;
            } else if (ranges[2 * mid] > uid) {
                hi = mid - 1;
            } else {
                return true;
            }
        }
        return false;
    }

    String line() {
        StringBuilder sb = new StringBuilder("I ").append(switch (change) {
            case REPLACE -> '=';
            case ADD -> '+';
            case REMOVE -> '-';
        }).append(' ');
        for (int i = 0; i < ranges.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(ranges[i]);
            if (ranges[i + 1] != ranges[i]) {
                sb.append(':').append(ranges[i + 1]);
            }
        }
        for (String f : new TreeSet<>(flags)) {
            sb.append(' ').append(f);
        }
        return sb.toString();
    }

    /** The intent of a line {@link #line} wrote; null when it is not one (then there is nothing to finish). */
    static FlagIntent parse(String line) {
        String[] w = line.split(" ");
        if (w.length < 3 || !w[0].equals("I") || w[1].length() != 1) {
            return null;
        }
        MailFolder.FlagChange change = switch (w[1].charAt(0)) {
            case '=' -> MailFolder.FlagChange.REPLACE;
            case '+' -> MailFolder.FlagChange.ADD;
            case '-' -> MailFolder.FlagChange.REMOVE;
            default -> null;
        };
        if (change == null) {
            return null;
        }
        try {
            String[] parts = w[2].split(",");
            long[] ranges = new long[parts.length * 2];
            long previous = 0;
            for (int i = 0; i < parts.length; i++) {
                int colon = parts[i].indexOf(':');
                long first = Long.parseLong(colon < 0 ? parts[i] : parts[i].substring(0, colon));
                long last = colon < 0 ? first : Long.parseLong(parts[i].substring(colon + 1));
                if (first <= previous || last < first) {
                    return null;
                }
                ranges[2 * i] = first;
                ranges[2 * i + 1] = last;
                previous = last;
            }
            Set<String> flags = new TreeSet<>(Arrays.asList(w).subList(3, w.length));
            flags.remove("");
            return new FlagIntent(change, Set.copyOf(flags), ranges);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return line();
    }
}
