package io.sealmail.store.maildir;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The MODSEQ log: what it keeps across reopenings, and each way it can be found missing, torn, damaged or foreign. */
class MailboxIndexTest {
    @TempDir
    Path dir;

    private MailboxIndex filled() throws Exception {
        MailboxIndex index = MailboxIndex.open(dir, 77, true);
        assertThat(index.rebuilt()).as("a new folder").isNull();
        assertThat(index.highestModseq()).as("RFC 7162: an empty folder that keeps MODSEQs says 1, not 0").isEqualTo(1);
        index.changed(Map.of(1L, 10, 2L, 20, 3L, 30));
        index.changed(Map.of(2L, 21));
        index.expunged(List.of(3L));
        return index;
    }

    @Test
    void changesAndExpungesSurviveReopeningWithTheirModseqs() throws Exception {
        try (MailboxIndex index = filled()) {
            assertThat(index.highestModseq()).isEqualTo(4);
        }
        try (MailboxIndex index = MailboxIndex.open(dir, 77, false)) {
            assertThat(index.rebuilt()).isNull();
            assertThat(index.highestModseq()).isEqualTo(4);
            assertThat(index.modseq(1)).isEqualTo(2);
            assertThat(index.modseq(2)).isEqualTo(3);
            assertThat(index.modseq(3)).isZero();
            assertThat(index.expungedSince(0)).containsExactly(3L);
            assertThat(index.expungedSince(4)).isEmpty();
            // Reconcile: same flags change nothing; a flag hash that differs and a UID that is gone do.
            index.reconcile(Map.of(1L, 10, 2L, 21));
            assertThat(index.highestModseq()).isEqualTo(4);
            index.reconcile(Map.of(1L, 11));
            assertThat(index.modseq(1)).isEqualTo(5);
            assertThat(index.expungedSince(4)).containsExactly(2L);
            assertThat(index.highestModseq()).isEqualTo(6);
        }
    }

    @Test
    void saveTimesAreSetOnceWhenAMessageIsFirstIndexedAndKeptThroughFlagChangesAndCompaction() throws Exception {
        long before = System.currentTimeMillis() / 1000;
        try (MailboxIndex index = MailboxIndex.open(dir, 77, true, 0)) {
            index.changed(Map.of(1L, 10));
            long saved = index.savedAt(1);
            assertThat(saved).isBetween(before, System.currentTimeMillis() / 1000);
            index.changed(Map.of(1L, 11));
            assertThat(index.savedAt(1)).as("a flag change is no new save").isEqualTo(saved);
            index.reconcile(Map.of(1L, 11, 2L, 20));
            assertThat(index.savedAt(2)).as("found by reconcile: saved before anyone can tell when").isZero();
            index.compact();
        }
        try (MailboxIndex index = MailboxIndex.open(dir, 77, false)) {
            assertThat(index.savedAt(1)).isBetween(before, System.currentTimeMillis() / 1000);
            assertThat(index.savedAt(2)).isZero();
            assertThat(index.savedAt(3)).isZero();
        }
    }

    @Test
    void aMessageRecordWithoutTheSaveTimeIsReadAsBeforeIt() throws Exception {
        // An index written before save times were kept: records M uid modseq flagsHash, 21 octets.
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(200);
        record(out, new byte[] {'H'}, 77, 2, null);
        record(out, new byte[] {'M'}, 1, 2, 10);
        Files.write(dir.resolve(MailboxIndex.FILE), java.util.Arrays.copyOf(out.array(), out.position()));
        try (MailboxIndex index = MailboxIndex.open(dir, 77, false)) {
            assertThat(index.rebuilt()).isNull();
            assertThat(index.modseq(1)).isEqualTo(2);
            assertThat(index.savedAt(1)).isZero();
            index.changed(Map.of(1L, 11));
            assertThat(index.savedAt(1)).as("still unknown, not now").isZero();
        }
    }

    @Test
    void anIndexWrittenBeforeItsFolderEverChangedSaysOneAndChangesAboveIt() throws Exception {
        // What a folder created before 2026-12-05 left: its head record with HIGHESTMODSEQ 0, nothing else.
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(100);
        record(out, new byte[] {'H'}, 77, 0, null);
        Files.write(dir.resolve(MailboxIndex.FILE), java.util.Arrays.copyOf(out.array(), out.position()));
        try (MailboxIndex index = MailboxIndex.open(dir, 77, false)) {
            assertThat(index.rebuilt()).isNull();
            assertThat(index.highestModseq()).isEqualTo(1);
            index.changed(Map.of(1L, 10));
            assertThat(index.modseq(1)).isEqualTo(2);
        }
    }

    private static void record(java.nio.ByteBuffer out, byte[] type, long a, long b, Integer c) {
        int start = out.position();
        out.position(start + 8);
        out.put(type).putLong(a).putLong(b);
        if (c != null) {
            out.putInt(c);
        }
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(out.array(), start + 8, out.position() - start - 8);
        out.putInt(start, out.position() - start - 8).putInt(start + 4, (int) crc.getValue());
    }

    @Test
    void aRecordCutShortAtTheEndIsDroppedAndTheRestKept() throws Exception {
        filled().close();
        long size = Files.size(dir.resolve(MailboxIndex.FILE));
        try (FileChannel ch = FileChannel.open(dir.resolve(MailboxIndex.FILE), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 0, 29, 1, 2, 3, 4, 'M', 0, 0}));
        }
        try (MailboxIndex index = MailboxIndex.open(dir, 77, false)) {
            assertThat(index.rebuilt()).isNull();
            assertThat(index.highestModseq()).isEqualTo(4);
            assertThat(index.modseq(2)).isEqualTo(3);
        }
        assertThat(Files.size(dir.resolve(MailboxIndex.FILE))).isEqualTo(size);
    }

    @Test
    void aDamagedRecordInTheMiddleRebuildsAboveEveryModseqEverShown() throws Exception {
        filled().close();
        byte[] bytes = Files.readAllBytes(dir.resolve(MailboxIndex.FILE));
        bytes[40] ^= 0x5a; // inside the second record: a bit flip, not a torn end
        Files.write(dir.resolve(MailboxIndex.FILE), bytes);
        try (MailboxIndex index = MailboxIndex.open(dir, 77, false)) {
            assertThat(index.rebuilt()).isEqualTo(MailboxIndex.Rebuilt.CORRUPT);
            assertThat(index.highestModseq()).isGreaterThan(3);
            long floor = index.highestModseq();
            assertThat(index.expungedSince(3)).as("expunge history lost: the caller answers conservatively").isNull();
            index.reconcile(Map.of(1L, 10, 2L, 21));
            assertThat(index.modseq(1)).isGreaterThan(floor);
            assertThat(index.modseq(2)).isGreaterThan(floor);
        }
    }

    @Test
    void aMissingIndexOfAnOldFolderStartsAboveAnyCounterThatBeganAtOne() throws Exception {
        filled().close();
        Files.delete(dir.resolve(MailboxIndex.FILE));
        try (MailboxIndex index = MailboxIndex.open(dir, 77, false)) {
            assertThat(index.rebuilt()).isEqualTo(MailboxIndex.Rebuilt.MISSING);
            assertThat(index.highestModseq()).isGreaterThan(1_000_000_000L);
        }
    }

    @Test
    void aGarbageIndexStartsAboveAnyCounterThatBeganAtOne() throws Exception {
        filled().close();
        Files.delete(dir.resolve(MailboxIndex.FILE));
        Files.writeString(dir.resolve(MailboxIndex.FILE), "garbage that is no index at all");
        try (MailboxIndex index = MailboxIndex.open(dir, 77, false)) {
            assertThat(index.rebuilt()).isEqualTo(MailboxIndex.Rebuilt.CORRUPT);
            assertThat(index.highestModseq()).isGreaterThan(1_000_000_000L);
        }
    }

    @Test
    void anIndexWrittenForAnotherUidValidityIsNotTrusted() throws Exception {
        filled().close();
        try (MailboxIndex index = MailboxIndex.open(dir, 78, false)) {
            assertThat(index.rebuilt()).isEqualTo(MailboxIndex.Rebuilt.FOREIGN);
            assertThat(index.modseq(1)).isZero();
            assertThat(index.highestModseq()).isGreaterThan(3);
        }
    }

    @Test
    void compactionBoundsTheLogAndKeepsTheState() throws Exception {
        try (MailboxIndex index = MailboxIndex.open(dir, 5, true, 16)) {
            for (long uid = 1; uid <= 50; uid++) {
                index.changed(Map.of(uid, 0));
            }
            for (int round = 0; round < 400; round++) {
                index.changed(Map.of((long) (round % 50) + 1, round));
            }
            index.expunged(List.of(7L, 8L));
            // 450 change records were written; compaction keeps about one record per message.
            assertThat(Files.size(dir.resolve(MailboxIndex.FILE))).isLessThan(200L * 29);
            assertThat(index.highestModseq()).isEqualTo(452);
        }
        try (MailboxIndex index = MailboxIndex.open(dir, 5, false, 16)) {
            assertThat(index.rebuilt()).isNull();
            assertThat(index.highestModseq()).isEqualTo(452);
            assertThat(index.modseq(50)).isEqualTo(451);
            assertThat(index.expungedSince(451)).containsExactly(7L, 8L);
        }
    }

    @Test
    void changesLargerThanOneWriteChunkAreWrittenWholeAndSurviveReopeningAndCompaction() throws Exception {
        int n = 5_000; // 5,000 records of 37 octets: about three of the 64 KiB chunks a change is written in
        long[] uids = new long[n];
        int[] hashes = new int[n];
        for (int i = 0; i < n; i++) {
            uids[i] = i + 1;
            hashes[i] = 1000 + i;
        }
        try (MailboxIndex index = MailboxIndex.open(dir, 77, true, 1_000_000)) {
            assertThat(index.changed(uids, hashes, n)).isEqualTo(2);
            assertThat(index.changed(uids, hashes, n / 2)).as("only the first half, again").isEqualTo(3);
            index.expunged(java.util.stream.LongStream.rangeClosed(4_001, 5_000).boxed().toList());
        }
        java.util.function.Consumer<MailboxIndex> expected = index -> {
            assertThat(index.rebuilt()).isNull();
            assertThat(index.highestModseq()).isEqualTo(4);
            assertThat(index.modseq(1)).isEqualTo(3);
            assertThat(index.modseq(2_500)).isEqualTo(3);
            assertThat(index.modseq(2_501)).isEqualTo(2);
            assertThat(index.modseq(4_000)).isEqualTo(2);
            assertThat(index.modseq(4_001)).isZero();
            assertThat(index.flagsHash(3_999)).isEqualTo(1000 + 3_998);
            assertThat(index.expungedSince(3)).hasSize(1_000);
        };
        try (MailboxIndex index = MailboxIndex.open(dir, 77, false, 1_000_000)) {
            expected.accept(index);
            index.compact(); // one file of 5,000 records, written in chunks too
        }
        try (MailboxIndex index = MailboxIndex.open(dir, 77, false, 1_000_000)) {
            expected.accept(index);
        }
    }
}
