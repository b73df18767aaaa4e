package io.sealmail.store.maildir;

import io.sealmail.store.Flag;
import io.sealmail.store.MaildirName;
import io.sealmail.store.mailbox.MailFolder;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A folder's flag sets. One immutable instance per distinct set, shared by every message that has it: a folder has
 * few combinations (unseen, seen, seen and answered...), so this saves a set per message in memory and lets STORE
 * work per combination, not per message. Past {@link #MAX_SHARED} combinations (keywords run wild) sets are simply
 * not shared. Also where flags meet the Maildir: system flags live in the file name, keywords in {@link UidList}.
 *
 * <p>Not thread-safe: the folder's lock guards it.
 */
final class FlagSets {
    static final int MAX_SHARED = 1024;

    private final Map<Set<String>, Set<String>> shared = new HashMap<>();
    /** The flags of a file name's info part, for messages without keywords. */
    private final Map<String, Set<String>> byInfo = new HashMap<>();

    Set<String> canonical(Set<String> flags) {
        Set<String> found = shared.get(flags);
        if (found != null) {
            return found;
        }
        Set<String> copy = Set.copyOf(flags);
        if (shared.size() < MAX_SHARED) {
            shared.put(copy, copy);
        }
        return copy;
    }

    /** What a STORE does to one flag set, as a function (applied once per distinct set in the command). */
    UnaryOperator<Set<String>> change(MailFolder.FlagChange change, Set<String> flags) {
        return old -> canonical(switch (change) {
            case REPLACE -> flags;
            case ADD -> old.containsAll(flags) ? old : union(old, flags);
            case REMOVE -> disjoint(old, flags) ? old : difference(old, flags);
        });
    }

    /**
     * The flags of a message: keywords from the UID list, system flags from the file name. A message without
     * keywords (most) costs a lookup by its name's info part ({@code :2,S}), not a new set: a folder's first listing
     * does this 100,000 times for a large folder.
     */
    Set<String> of(Set<String> keywords, String fileName) {
        if (keywords.isEmpty()) {
            int at = fileName.indexOf(':');
            String info = at < 0 ? "" : fileName.substring(at);
            Set<String> known = byInfo.get(info);
            if (known == null) {
                known = ofName(keywords, fileName);
                if (byInfo.size() < MAX_SHARED) {
                    byInfo.put(info, known);
                }
            }
            return known;
        }
        return ofName(keywords, fileName);
    }

    private Set<String> ofName(Set<String> keywords, String fileName) {
        Set<String> flags = new HashSet<>(keywords);
        for (Flag f : MaildirName.flags(fileName)) {
            flags.add(f.imapName());
        }
        return canonical(flags);
    }

    /** The letters of the system flags in Maildir names ({@code D F P R S T}). */
    private static final String SYSTEM_LETTERS = systemLetters();

    private static String systemLetters() {
        StringBuilder sb = new StringBuilder();
        for (Flag f : Flag.values()) {
            sb.append(f.maildirChar());
        }
        return sb.toString();
    }

    /** The system flags' letters of each flag set met, sorted as a name carries them ({@link #nameFor}). */
    private final Map<Set<String>, String> letters = new IdentityHashMap<>();

    /**
     * As {@link #fileName}, without building a string when the name already carries these flags, and without one per
     * flag: a STORE of 100,000 messages asks this twice per message (does it rename, then the rename). A name whose
     * info part holds only system flags (the Maildir case; other letters are Dovecot's keywords and are kept) is its
     * prefix and the set's letters.
     */
    String nameFor(String previous, Set<String> flags) {
        if (letters.size() >= MAX_SHARED) {
            letters.clear(); // sets not shared (keywords run wild): keep this a cache
        }
        String mine = letters.computeIfAbsent(flags, f -> {
            String name = fileName(":2,", f);
            return name.substring(name.indexOf(":2,") + 3);
        });
        int info = previous.indexOf(':');
        if (info < 0 || !previous.startsWith(":2,", info)) {
            return fileName(previous, flags);
        }
        int from = info + 3;
        for (int i = from; i < previous.length(); i++) {
            if (SYSTEM_LETTERS.indexOf(previous.charAt(i)) < 0) {
                return fileName(previous, flags); // a letter of another tool's: the general way keeps it
            }
        }
        if (previous.length() - from == mine.length() && previous.startsWith(mine, from)) {
            return previous;
        }
        return previous.substring(0, from).concat(mine);
    }

    /** The file name carrying these flags' system flags (keywords are not in names). */
    static String fileName(String previous, Set<String> flags) {
        Set<Flag> system = EnumSet.noneOf(Flag.class);
        for (String f : flags) {
            Flag flag = Flag.fromImap(f);
            if (flag != null) {
                system.add(flag);
            }
        }
        return MaildirName.withFlags(previous, system);
    }

    static Set<String> keywordsOf(Set<String> flags) {
        Set<String> kw = new HashSet<>();
        for (String f : flags) {
            if (!f.startsWith("\\")) {
                kw.add(f);
            }
        }
        return kw;
    }

    /** The flags as one string in a fixed order, hashed for the MODSEQ index (which only needs to see a change). */
    static int hash(Set<String> flags) {
        String[] sorted = flags.toArray(new String[0]);
        Arrays.sort(sorted);
        // String.join(" ", sorted).hashCode(), computed without building the string (the value is on disk: keep it)
        int h = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (i > 0) {
                h = 31 * h + ' ';
            }
            String f = sorted[i];
            for (int j = 0; j < f.length(); j++) {
                h = 31 * h + f.charAt(j);
            }
        }
        return h;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new HashSet<>(a);
        out.addAll(b);
        return out;
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> out = new HashSet<>(a);
        out.removeAll(b);
        return out;
    }

    private static boolean disjoint(Set<String> a, Set<String> b) {
        for (String f : b) {
            if (a.contains(f)) {
                return false;
            }
        }
        return true;
    }
}
