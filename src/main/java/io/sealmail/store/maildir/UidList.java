package io.sealmail.store.maildir;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A folder's {@code sealmail-uids} file: a first line {@code V <uidvalidity> <uidnext>}, then one line per UID given
 * out, {@code <uid> <unique name> [keyword...]}, appended and forced before the UID is shown, so UIDs are stable
 * across restarts and never reused. A later line for the same UID replaces its keywords. A flag change that renames
 * files writes an intent line ({@link FlagIntent}) before it is acknowledged; a {@code D} line says that every intent
 * before it is wholly on disk. Plain text, so a Maildir
 * with this file beside it stays readable (and repairable) with standard tools.
 *
 * <p>Not thread-safe: the folder's lock guards it.
 */
final class UidList {
    private static final Logger LOG = Logger.getLogger(UidList.class);
    static final String FILE = "sealmail-uids";

    private final Path file;
    private final long uidValidity;
    private final boolean created;
    private long uidNext;
    /**
     * The UID of each unique name, as read from the file: only the folder's first listing of {@code cur/} needs it
     * ({@link #takeNames}), after which the folder's own list says the same, so it is not kept (about 12 MB for a
     * folder of 100,000 messages). Null once taken, and for a list restored from the folder's snapshot.
     */
    private Map<String, Long> uidOfBase = new HashMap<>();
    /**
     * Only messages with keywords have an entry: most have none, and an empty set per message was 64 octets each
     * (6 MB for a folder of 100,000).
     */
    private final Map<Long, Set<String>> keywords = new HashMap<>();
    /** Flag changes whose intent lines have no {@code D} after them yet, oldest first: to be finished ({@link FlagIntent}). */
    private final List<FlagIntent> pending = new ArrayList<>();
    /**
     * A {@code D} line was written but not forced. It is made durable before the next flag change that renames files
     * without an intent line of its own: otherwise a power loss could lose it while keeping that later change, and
     * finishing the old intent again at the next start would undo an acknowledged change.
     */
    private boolean doneUnforced;
    /**
     * Lines in the file after the first (every line read at open and appended since, or, for a list restored from a
     * snapshot, as many as it has messages): intents, {@code D}s, keyword changes and lines of expunged UIDs make it
     * grow past one per message, until {@link #rewrite} writes it whole again.
     */
    private long lines;
    /** The file's length, and its length when it was last written whole (or read, or restored): see {@link #grown}. */
    private long bytes;
    private long bytesWhole;

    private UidList(Path file, long uidValidity, long uidNext, boolean created) {
        this.file = file;
        this.uidValidity = uidValidity;
        this.uidNext = uidNext;
        this.created = created;
    }

    /**
     * The list as a folder snapshot recorded it, without reading the file (its extent was checked against the
     * snapshot's): UIDVALIDITY, the next UID and the keywords of the messages that have some.
     */
    static UidList restored(Path dir, long uidValidity, long uidNext, int messages, long length) {
        UidList list = new UidList(dir.resolve(FILE), uidValidity, uidNext, false);
        list.uidOfBase = null;
        list.lines = messages;
        list.bytes = length;
        list.bytesWhole = length;
        return list;
    }

    /** Reads the list of the Maildir {@code dir}, or starts one with a new UIDVALIDITY (the clock's seconds). */
    static UidList open(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return start(file, Instant.now().getEpochSecond());
        }
        cutTornLine(file);
        // Parsed from the octets, without a String per line or a split: a folder of 100,000 messages has as many
        // lines, read at its first SELECT after a start.
        byte[] bytes = Files.readAllBytes(file);
        int headEnd = lineEnd(bytes, 0);
        Matcher head = HEAD.matcher(new String(bytes, 0, headEnd, StandardCharsets.UTF_8));
        if (!head.matches()) {
            // Without its first line no UID in it can be trusted to belong to this UIDVALIDITY: start again with a
            // new one, as for a missing list (clients then fetch the folder again; RFC 9051 §2.3.1.1), keeping the
            // damaged file beside it for whoever wants to look. Every message file stays where it is.
            Path aside = dir.resolve(FILE + ".damaged");
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            LOG.warnf("%s: first line damaged; kept as %s, the folder gets a new UIDVALIDITY and its UIDs anew", file,
                    aside.getFileName());
            // Above what the damaged line may still say, in case the folder was made this second.
            Matcher digits = Pattern.compile("[0-9]{1,10}").matcher(new String(bytes, 0, headEnd, StandardCharsets.ISO_8859_1));
            long seen = digits.find() ? Long.parseLong(digits.group()) : 0;
            long now = Instant.now().getEpochSecond();
            return start(file, seen >= now && seen < 4_294_967_295L ? seen + 1 : now);
        }
        UidList list = new UidList(file, Long.parseLong(head.group(1)), Long.parseLong(head.group(2)), false);
        for (int pos = headEnd + 1; pos < bytes.length; ) {
            int end = lineEnd(bytes, pos);
            list.read(bytes, pos, end);
            pos = end + 1;
        }
        list.bytes = bytes.length;
        list.bytesWhole = bytes.length;
        return list;
    }

    /**
     * The first line: UIDVALIDITY (RFC 9051: a non-zero 32-bit number) and the next UID, anything after them ignored
     * (as the parser before this one did): only a line these cannot be read from is damage.
     */
    private static final Pattern HEAD = Pattern.compile("V ([1-9][0-9]{0,9}) ([0-9]{1,18})(?: .*)?");

    private static UidList start(Path file, long validity) throws IOException {
        Files.writeString(file, "V " + validity + " 1\n", StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.SYNC);
        Fsync.directoryQuietly(file.getParent());
        return new UidList(file, validity, 1, true);
    }

    private static int lineEnd(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return bytes.length;
    }

    /**
     * One line {@code <uid> <base> [keyword...]}, or a flag change's intent ({@code I ...}) or its end ({@code D});
     * a line that is none of these (torn by a crash) names no UID shown.
     */
    private void read(byte[] bytes, int from, int end) {
        lines++;
        if (end > from && bytes[from] == 'I') {
            FlagIntent intent = FlagIntent.parse(new String(bytes, from, end - from, StandardCharsets.UTF_8));
            if (intent != null) {
                pending.add(intent);
            }
            return;
        }
        if (end == from + 1 && bytes[from] == 'D') {
            pending.clear();
            return;
        }
        long uid = 0;
        int i = from;
        for (; i < end && bytes[i] != ' '; i++) {
            int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9 || i - from >= 18) {
                return;
            }
            uid = uid * 10 + digit;
        }
        if (i == from || i >= end) {
            return;
        }
        int baseFrom = i + 1;
        int baseEnd = baseFrom;
        while (baseEnd < end && bytes[baseEnd] != ' ') {
            baseEnd++;
        }
        if (baseEnd == baseFrom) {
            return;
        }
        uidOfBase.put(new String(bytes, baseFrom, baseEnd - baseFrom, StandardCharsets.UTF_8), uid);
        uidNext = Math.max(uidNext, uid + 1);
        Set<String> kw = new HashSet<>();
        if (baseEnd < end) {
            for (String k : new String(bytes, baseEnd + 1, end - baseEnd - 1, StandardCharsets.UTF_8).split(" ")) {
                if (!k.isEmpty()) {
                    kw.add(k);
                }
            }
        }
        keywords(uid, kw.isEmpty() ? Set.of() : Set.copyOf(kw));
    }

    /**
     * Cuts a last line without its newline (a kill during an append: that change was never acknowledged, its
     * write was not yet forced). Left there, the next append would be glued onto it and its UID lost.
     */
    private static void cutTornLine(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            ByteBuffer last = ByteBuffer.allocate(1);
            if (size == 0 || (ch.read(last, size - 1) == 1 && last.get(0) == '\n')) {
                return;
            }
            ByteBuffer tail = ByteBuffer.allocate((int) Math.min(size, 64 * 1024));
            long from = size - tail.capacity();
            while (tail.hasRemaining() && ch.read(tail, from + tail.position()) > 0) {
                // read the tail
            }
            int keep = -1;
            for (int i = tail.position() - 1; i >= 0; i--) {
                if (tail.get(i) == '\n') {
                    keep = i + 1;
                    break;
                }
            }
            if (keep > 0) {
                ch.truncate(from + keep);
                ch.force(true);
            }
        }
    }

    long uidValidity() {
        return uidValidity;
    }

    /** True when this open made the file: the folder is new, nothing of it can have been shown. */
    boolean created() {
        return created;
    }

    long uidNext() {
        return uidNext;
    }

    /** Raises the next UID to at least {@code next}; whether it moved. */
    boolean uidNextAtLeast(long next) {
        if (next <= uidNext) {
            return false;
        }
        uidNext = next;
        return true;
    }

    /** Takes the next UID; it is given out for good once a line naming it is {@link #append appended}. */
    long takeUid() {
        return uidNext++;
    }

    /**
     * The UID of each unique name (the file name without the flags) as read from the file, handed out once; null
     * when already taken or when this list was restored from a snapshot.
     */
    Map<String, Long> takeNames() {
        Map<String, Long> names = uidOfBase;
        uidOfBase = null;
        return names;
    }

    /** Forgets the keywords of every UID that is not {@code present} (expunged, or files gone while we were not looking). */
    void retainOnly(LongPredicate present) {
        keywords.keySet().removeIf(uid -> !present.test(uid));
    }

    Set<String> keywords(long uid) {
        return keywords.getOrDefault(uid, Set.of());
    }

    void keywords(long uid, Set<String> kw) {
        if (kw.isEmpty()) {
            keywords.remove(uid);
        } else {
            keywords.put(uid, kw);
        }
    }

    /** The line recording a UID's name and keywords. */
    static String line(long uid, String base, Set<String> keywords) {
        StringBuilder sb = new StringBuilder().append(uid).append(' ').append(base);
        for (String k : keywords) {
            sb.append(' ').append(k);
        }
        return sb.toString();
    }

    /** Appends lines with one write and one flush, before any of their UIDs is shown. */
    void append(List<String> lines) throws IOException {
        write(lines, true);
    }

    /**
     * The flag changes not yet wholly on disk (intents without a {@code D} after them), oldest first: after a crash,
     * the ones to finish, in this order; empty when there are none.
     */
    List<FlagIntent> pending() {
        return Collections.unmodifiableList(pending);
    }

    /**
     * Appends a flag change's intent and its keyword lines in one write, forced before the change is acknowledged
     * and before it renames any file.
     */
    void appendIntent(FlagIntent intent, List<String> lines) throws IOException {
        List<String> all = new ArrayList<>(lines.size() + 1);
        all.add(intent.line());
        all.addAll(lines);
        write(all, true);
        pending.add(intent);
    }

    /**
     * Marks every pending intent finished, after {@code lines} (keywords a finishing pass wrote). Not forced unless
     * asked: losing it costs only finishing the changes again, and {@link #forceDone} makes it durable before a change
     * it could undo.
     */
    void done(List<String> lines, boolean force) throws IOException {
        List<String> all = new ArrayList<>(lines);
        all.add(FlagIntent.DONE);
        write(all, force);
        pending.clear();
        doneUnforced = !force;
    }

    /** Makes a {@code D} line durable before a flag change that renames files without an intent of its own. */
    void forceDone() throws IOException {
        if (doneUnforced) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            doneUnforced = false;
        }
    }

    /** Lines after the first, as {@link #lines} counts them. */
    long lines() {
        return lines;
    }

    /**
     * Whether the list is worth writing whole for a folder of {@code messages}: more than twice as many lines as
     * messages (plus {@code slack}), or twice its length when it was last written whole, read or restored (plus 1 MiB;
     * a restored list's line count is only an estimate, and intents of a STORE with UNCHANGEDSINCE can be long).
     */
    boolean grown(int messages, int slack) {
        return lines > 2L * messages + slack || bytes > 2 * bytesWhole + (1 << 20);
    }

    /**
     * Writes the file whole, as one line per message present ({@code uids} ascending, with their {@code bases}) under
     * the same head, so that it stops growing with every flag change: into a temporary file, forced, renamed over the
     * list, the folder forced; a crash leaves the old list or the new one, which say the same. Only with no intent
     * pending (an intent's ranges and its {@code D} would be lost).
     */
    void rewrite(long[] uids, String[] bases) throws IOException {
        if (!pending.isEmpty()) {
            throw new IllegalStateException("intents pending");
        }
        StringBuilder sb = new StringBuilder().append("V ").append(uidValidity).append(' ').append(uidNext).append('\n');
        for (int i = 0; i < uids.length; i++) {
            sb.append(line(uids[i], bases[i], keywords(uids[i]))).append('\n');
        }
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Fsync.directory(file.getParent());
        lines = uids.length;
        bytes = Files.size(file);
        bytesWhole = bytes;
        doneUnforced = false;
    }

    private void write(List<String> lines, boolean force) throws IOException {
        if (lines.isEmpty()) {
            return;
        }
        this.lines += lines.size();
        StringBuilder sb = new StringBuilder();
        lines.forEach(l -> sb.append(l).append('\n'));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            this.bytes += b.remaining();
            while (b.hasRemaining()) {
                ch.write(b);
            }
            if (force) {
                ch.force(true);
                doneUnforced = false; // everything before is durable too
            }
        }
    }
}
