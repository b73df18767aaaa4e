package io.sealmail.store.maildir;

import io.sealmail.store.mailbox.MailFolder;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;
import java.util.Set;

/**
 * A folder's messages as its snapshot holds them ({@link FolderSnapshot}): columns in UID order, never changed. The
 * first SELECT after a start answers from these without making an object per message (a folder of 100,000 would
 * need about six each, built in a JVM that has compiled none of that code yet); entries and {@code MessageInfo}s
 * are made when asked for, and the folder builds its own map from them at its first change
 * ({@link MaildirFolder}). Sessions may keep {@link #infos} after that: nothing here changes.
 */
final class RestoredMessages {
    private final long[] uids;
    private final int[] setOf;
    private final List<Set<String>> sets;
    private final long[] sizes;
    private final long[] seconds;
    private final int[] nanos;
    private final long[] modseqs;
    /** The file names (UTF-8) end to end; name {@code i} is {@code names[starts[i] .. starts[i + 1])}. */
    private final byte[] names;
    private final int[] starts;
    private final List<MaildirFolder.Entry> entries = new Entries();
    private final List<MailFolder.MessageInfo> infos = new Infos();

    RestoredMessages(long[] uids, int[] setOf, List<Set<String>> sets, long[] sizes, long[] seconds, int[] nanos,
                     long[] modseqs, byte[] names, int[] starts) {
        this.uids = uids;
        this.setOf = setOf;
        this.sets = sets;
        this.sizes = sizes;
        this.seconds = seconds;
        this.nanos = nanos;
        this.modseqs = modseqs;
        this.names = names;
        this.starts = starts;
    }

    int size() {
        return uids.length;
    }

    /** The position of a UID, or a negative number when it is not here. */
    int indexOf(long uid) {
        return Arrays.binarySearch(uids, uid);
    }

    /** The entry of a UID, made now; null when it is not here. */
    MaildirFolder.Entry entry(long uid) {
        int i = indexOf(uid);
        return i < 0 ? null : entry(i);
    }

    /** The flag sets some message carries, each once (a pass over one int column). */
    List<Set<String>> usedSets() {
        boolean[] used = new boolean[sets.size()];
        for (int set : setOf) {
            used[set] = true;
        }
        List<Set<String>> out = new java.util.ArrayList<>();
        for (int i = 0; i < used.length; i++) {
            if (used[i]) {
                out.add(sets.get(i));
            }
        }
        return out;
    }

    MaildirFolder.Entry entry(int i) {
        return new MaildirFolder.Entry(uids[i], name(i), sets.get(setOf[i]), sizes[i], date(i));
    }

    String name(int i) {
        return new String(names, starts[i], starts[i + 1] - starts[i], StandardCharsets.UTF_8);
    }

    private Instant date(int i) {
        return Instant.ofEpochSecond(seconds[i], nanos[i]);
    }

    /** Every entry, made now, in UID order (the folder's first change builds its map from these). */
    MaildirFolder.Entry[] toEntries() {
        MaildirFolder.Entry[] out = new MaildirFolder.Entry[uids.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = entry(i);
        }
        return out;
    }

    /** The entries in UID order, each made when asked for. */
    List<MaildirFolder.Entry> entries() {
        return entries;
    }

    /** The messages as sessions see them, each made when asked for, with its MODSEQ as of the snapshot. */
    List<MailFolder.MessageInfo> infos() {
        return infos;
    }

    private final class Entries extends AbstractList<MaildirFolder.Entry> implements RandomAccess {
        @Override
        public MaildirFolder.Entry get(int i) {
            return entry(i);
        }

        @Override
        public int size() {
            return uids.length;
        }
    }

    private final class Infos extends AbstractList<MailFolder.MessageInfo> implements RandomAccess {
        @Override
        public MailFolder.MessageInfo get(int i) {
            return new MailFolder.MessageInfo(uids[i], sets.get(setOf[i]), sizes[i], date(i), modseqs[i]);
        }

        @Override
        public int size() {
            return uids.length;
        }
    }
}
