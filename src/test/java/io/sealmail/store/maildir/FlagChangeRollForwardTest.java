package io.sealmail.store.maildir;

import io.sealmail.store.MaildirStore;
import io.sealmail.store.mailbox.CacheEntryMaker;
import io.sealmail.store.mailbox.MailFolder;
import io.sealmail.store.mailbox.Mailboxes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A flag change that touches system flags (the file name) and keywords (the UID list) is two writes; a crash between
 * them must leave each message wholly old or wholly new, never a mix. The crash is put exactly between the writes:
 * in process by a crash point that throws (the files are then as a kill leaves them: nothing more is written), and
 * for real by a child JVM that waits at that point for a SIGKILL.
 */
class FlagChangeRollForwardTest {
    static final Set<String> OLD = Set.of("\\Seen", "Work");
    static final Set<String> NEW = Set.of("\\Flagged", "Home");

    @TempDir
    Path data;

    /** Thrown at a crash point: leaves the files as a SIGKILL at that point would. */
    private static final class Killed extends RuntimeException {
        Killed() {
            super("simulated kill", null, false, false);
        }
    }

    static List<Long> uids(MailFolder folder) throws Exception {
        List<Long> out = new ArrayList<>();
        for (MailFolder.MessageInfo m : folder.messages()) {
            out.add(m.uid());
        }
        return out;
    }

    /** What a test does with gap@example.com's INBOX in one run of the store (one "process"). */
    private interface InboxWork<T> {
        T run(MaildirStore store, MaildirMailboxAccess access, Mailboxes boxes, MailFolder inbox) throws Exception;
    }

    /** Starts the store and mailbox component, opens the INBOX for {@code work}, and closes all after it. */
    private <T> T withInbox(InboxWork<T> work) throws Exception {
        try (MaildirStore store = new MaildirStore(data)) {
            // The renames in the thread of the STORE, so that a crash point inside them stops the STORE itself.
            MaildirMailboxAccess access = new MaildirMailboxAccess(store, CacheEntryMaker.NONE,
                    SnapshotWriter.MIN_MESSAGES, FlagRenamer.inline());
            Mailboxes boxes = access.forAccount("gap@example.com");
            try (MailFolder inbox = boxes.open("INBOX")) {
                return work.run(store, access, boxes, inbox);
            } finally {
                access.close();
            }
        }
    }

    private static void appendMessages(Mailboxes boxes, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            boxes.append("INBOX", ("Subject: gap " + i + "\r\n\r\nbody\r\n").getBytes(), Set.of(), Instant.now());
        }
    }

    /** Runs {@code store}, which must die at the crash point {@code point} as a killed process would. */
    private static void killedAt(MaildirStore store, MaildirMailboxAccess access, String point, InboxStore storeCall)
            throws Exception {
        access.folder(store.inbox("gap@example.com"), "INBOX", "gap@example.com").crashPoint(where -> {
            if (where.equals(point)) {
                throw new Killed();
            }
        });
        try {
            storeCall.run();
            throw new AssertionError("the crash point " + point + " was never reached");
        } catch (Killed expected) {
            // the process "died" here
        }
    }

    private interface InboxStore {
        void run() throws Exception;
    }

    /** Each message's flags as a sorted string, after a restart (a fresh store and mailbox component). */
    private List<String> flagsAfterRestart() throws Exception {
        return withInbox((store, access, boxes, inbox) -> {
            List<String> out = new ArrayList<>();
            for (MailFolder.MessageInfo m : inbox.messages()) {
                out.add(String.join(" ", new TreeSet<>(m.flags())));
            }
            return out;
        });
    }

    private static String sorted(Set<String> flags) {
        return String.join(" ", new TreeSet<>(flags));
    }

    /** Three messages with {@link #OLD}; then a STORE of {@link #NEW} on all of them stopped at {@code point}. */
    private long killedBetweenTheWrites(String point) throws Exception {
        return withInbox((store, access, boxes, inbox) -> {
            appendMessages(boxes, 3);
            inbox.store(uids(inbox), MailFolder.FlagChange.REPLACE, OLD);
            long acknowledged = inbox.highestModseq();
            killedAt(store, access, point, () -> inbox.store(uids(inbox), MailFolder.FlagChange.REPLACE, NEW));
            return acknowledged;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {MaildirFolder.CrashPoint.BETWEEN_FLAG_WRITES, MaildirFolder.CrashPoint.AFTER_FIRST_RENAME,
            MaildirFolder.CrashPoint.BEFORE_DONE})
    void aKillInsideAFlagChangeLeavesEveryMessageWhollyNewAfterTheRestart(String point) throws Exception {
        long acknowledged = killedBetweenTheWrites(point);
        assertThat(flagsAfterRestart()).as("rolled forward: the new system flags and the new keywords")
                .containsExactly(sorted(NEW), sorted(NEW), sorted(NEW));
        withInbox((store, access, boxes, inbox) -> {
            for (MailFolder.MessageInfo m : inbox.messages()) {
                assertThat(m.modseq()).as("a CONDSTORE client hears of the finished change").isGreaterThan(acknowledged);
            }
            // An acknowledged change after the finished one is not undone by finishing it again at a later start.
            inbox.store(uids(inbox), MailFolder.FlagChange.REMOVE, Set.of("\\Flagged", "Home"));
            return null;
        });
        assertThat(flagsAfterRestart()).containsExactly("", "", "");
        List<String> lines = uidListLines();
        assertThat(lines).as("one intent line for the three messages, finished once")
                .containsOnlyOnce("I = 1:3 Home \\Flagged", "I - 1:3 Home \\Flagged");
        assertThat(lines.stream().filter("D"::equals))
                .as("every intent finished: the first STORE's, the one finished at the restart, the last one")
                .hasSize((int) lines.stream().filter(l -> l.startsWith("I ")).count()).hasSize(3);
    }

    @Test
    void aChangeOfKeywordsAloneIsOneWriteAndNeedsNoIntentOneThatRenamesHasOne() throws Exception {
        withInbox((store, access, boxes, inbox) -> {
            appendMessages(boxes, 3);
            inbox.store(uids(inbox), MailFolder.FlagChange.ADD, Set.of("Work"));
            inbox.store(uids(inbox), MailFolder.FlagChange.REMOVE, Set.of("Work"));
            inbox.store(uids(inbox), MailFolder.FlagChange.ADD, Set.of("\\Seen"));
            return null;
        });
        assertThat(uidListLines().stream().filter(l -> l.startsWith("I ") || l.equals("D")))
                .as("the renames are acknowledged before they are made: one intent, finished once")
                .containsExactly("I + 1:3 \\Seen", "D");
        assertThat(flagsAfterRestart()).containsExactly("\\Seen", "\\Seen", "\\Seen");
    }

    @Test
    void messagesWithDifferentFlagsEachBecomeWhatTheCommandMakesOfThem() throws Exception {
        withInbox((store, access, boxes, inbox) -> {
            appendMessages(boxes, 4);
            inbox.store(List.of(1L), MailFolder.FlagChange.REPLACE, Set.of("\\Seen"));
            inbox.store(List.of(2L), MailFolder.FlagChange.REPLACE, Set.of("Home"));
            inbox.store(List.of(3L), MailFolder.FlagChange.REPLACE, Set.of("\\Answered", "Work", "Home"));
            inbox.expunge(List.of(4L)); // a hole the ranges may span
            boxes.append("INBOX", "Subject: five\r\n\r\nbody\r\n".getBytes(), Set.of(), Instant.now());
            killedAt(store, access, MaildirFolder.CrashPoint.AFTER_FIRST_RENAME,
                    () -> inbox.store(uids(inbox), MailFolder.FlagChange.ADD, Set.of("\\Flagged", "Work")));
            return null;
        });
        assertThat(flagsAfterRestart()).containsExactly("Work \\Flagged \\Seen", "Home Work \\Flagged",
                "Home Work \\Answered \\Flagged", "Work \\Flagged");
        assertThat(uidListLines()).contains("I + 1:5 Work \\Flagged");
    }

    private List<String> uidListLines() throws Exception {
        return Files.readAllLines(data.resolve("mail/gap@example.com").resolve(UidList.FILE));
    }

    @Test
    void aSigkillBetweenTheTwoWritesLeavesEveryMessageWhollyNewAfterTheRestart() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FlagWriteGapChild.class.getName(), data.toString())
                .redirectErrorStream(true).start();
        long acknowledged = -1;
        boolean stopped = false;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    acknowledged = Long.parseLong(line.substring(4));
                } else if (line.startsWith("AT ")) {
                    stopped = true;
                    child.toHandle().destroyForcibly(); // SIGKILL, between the two writes
                } else if (!line.startsWith("DONE")) {
                    System.out.println("child: " + line);
                }
            }
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(stopped).as("the child reached the point between the writes").isTrue();
        assertThat(acknowledged).isPositive();
        assertThat(flagsAfterRestart()).containsExactly(sorted(NEW), sorted(NEW), sorted(NEW));
    }
}
