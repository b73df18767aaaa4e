package io.sealmail.store.maildir;

import io.sealmail.store.MaildirStore;
import io.sealmail.store.mailbox.CacheEntryMaker;
import io.sealmail.store.mailbox.MailFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGKILL during STORE, EXPUNGE and index compaction, for real: a child JVM changes flags and expunges with the
 * MODSEQ index compacting every few changes, and is killed with {@code kill -9}; afterwards every acknowledged flag
 * change and expunge is there, no MODSEQ went backwards, and the index is read without a rebuild or rebuilt. The
 * child writes the folder's snapshot every 25 changes, and the check after each kill leaves one behind, so the second
 * child starts from a restored state: a kill during a snapshot write, just after one, and changes appended after a
 * restore are all covered.
 */
class MailboxIndexCrashTest {
    @TempDir
    Path data;

    private record Ack(String flags, long modseq) {
    }

    @Test
    void acknowledgedFlagChangesAndExpungesSurviveSigkillAndModseqNeverGoesBack() throws Exception {
        long highestSeen = 0;
        int snapshots = 0;
        // More rounds to look harder for a window: -Dsealmail.crash.rounds=12
        int rounds = Integer.getInteger("sealmail.crash.rounds", 2);
        for (int round = 0; round < rounds; round++) {
            Map<Long, Ack> acked = new HashMap<>();
            Map<Long, String> pending = new HashMap<>();
            Set<Long> expunged = new HashSet<>();
            // An expunge printed as XTRY without its XACK was in flight at the kill: the message may be gone or not.
            Set<Long> expunging = new HashSet<>();
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dsealmail.index.compactAfter=8", "-cp", System.getProperty("java.class.path"),
                    CrashIndexChild.class.getName(), data.toString())
                    .redirectErrorStream(true).start();
            int acks = 0;
            boolean killed = false;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                String line;
                while ((line = out.readLine()) != null) {
                    String[] w = line.split(" ");
                    switch (w[0]) {
                        case "TRY" -> pending.put(Long.parseLong(w[1]), w.length > 2 ? w[2] : "");
                        case "ACK" -> {
                            long uid = Long.parseLong(w[1]);
                            // No flags: "ACK 5  17 17" splits into an empty flags word.
                            acked.put(uid, new Ack(w[2], Long.parseLong(w[3])));
                            pending.remove(uid);
                            long highest = Long.parseLong(w[4]);
                            assertThat(highest).as("HIGHESTMODSEQ never goes back, across restarts too").isGreaterThanOrEqualTo(highestSeen);
                            highestSeen = highest;
                            acks++;
                        }
                        case "XTRY" -> expunging.add(Long.parseLong(w[1]));
                        case "XACK" -> {
                            expunging.remove(Long.parseLong(w[1]));
                            expunged.add(Long.parseLong(w[1]));
                            acked.remove(Long.parseLong(w[1]));
                        }
                        case "READY" -> assertThat(Boolean.parseBoolean(w[1])).as("the child started from the snapshot")
                                .isEqualTo(round > 0);
                        case "SNAP" -> snapshots += Boolean.parseBoolean(w[1]) ? 1 : 0;
                        default -> throw new AssertionError("child said: " + line);
                    }
                    if (!killed && (acks >= 300 + round * 100 || System.nanoTime() > deadline)) {
                        // SIGKILL in the middle of a STORE, an EXPUNGE or a compaction; what it printed before
                        // dying is still read (a TRY after the last ACK of a UID makes that change "in flight").
                        // Through the handle: Process.destroyForcibly also closes our end of the pipe, which
                        // would drop a TRY still in it and turn an in-flight change into a false failure.
                        child.toHandle().destroyForcibly();
                        killed = true;
                    }
                }
            } finally {
                child.destroyForcibly();
                child.waitFor(30, TimeUnit.SECONDS);
            }
            assertThat(acks).isGreaterThanOrEqualTo(100);
            assertThat(snapshots).as("snapshots written by the children").isPositive();

            try (MaildirStore store = new MaildirStore(data)) {
                MaildirMailboxAccess access = new MaildirMailboxAccess(store, CacheEntryMaker.NONE, 0);
                try (MailFolder inbox = access.forAccount("crash@example.com").open("INBOX")) {
                    Map<Long, MailFolder.MessageInfo> now = new HashMap<>();
                    inbox.messages().forEach(m -> now.put(m.uid(), m));
                    assertThat(inbox.highestModseq()).isGreaterThanOrEqualTo(highestSeen);
                    highestSeen = inbox.highestModseq();
                    for (long uid : expunged) {
                        assertThat(now).as("expunged UID %d", uid).doesNotContainKey(uid);
                    }
                    for (Map.Entry<Long, Ack> e : acked.entrySet()) {
                        MailFolder.MessageInfo m = now.get(e.getKey());
                        if (m == null && expunging.contains(e.getKey())) {
                            continue;
                        }
                        assertThat(m).as("UID %d, flags acknowledged", e.getKey()).isNotNull();
                        Set<String> flags = new TreeSet<>(m.flags());
                        String actual = String.join(",", flags);
                        if (pending.containsKey(e.getKey())) {
                            // The change in flight when the kill came was never acknowledged: wholly the old flags or
                            // wholly the new ones, never a mix of its two writes (system flags in the file name,
                            // keywords in the UID list), which the intent record and its roll-forward rule out.
                            assertThat(actual).as("UID %d, change in flight", e.getKey())
                                    .isIn(e.getValue().flags(), pending.get(e.getKey()));
                        } else {
                            assertThat(actual).as("UID %d", e.getKey()).isEqualTo(e.getValue().flags());
                        }
                        assertThat(m.modseq()).as("UID %d's MODSEQ", e.getKey()).isGreaterThanOrEqualTo(e.getValue().modseq());
                    }
                    // Leave a snapshot of the state just checked for the next child to start from.
                    Path dir = store.inbox("crash@example.com");
                    CrashIndexChild.ageCur(dir);
                    assertThat(access.folder(dir, "INBOX", "crash@example.com").writeSnapshot()).isTrue();
                } finally {
                    access.close();
                }
            }
        }
    }
}
