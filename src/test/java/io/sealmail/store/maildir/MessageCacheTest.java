package io.sealmail.store.maildir;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The message cache: entries kept across reopenings, damaged ones never served, stale ones dropped, space reclaimed. */
class MessageCacheTest {
    @TempDir
    Path dir;

    private static byte[] entry(long uid) {
        return ("entry of " + uid + " ").repeat(20).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void entriesSurviveReopeningAndATornEndIsCutOff() throws Exception {
        try (MessageCache cache = MessageCache.open(dir, 9)) {
            cache.put(1, entry(1));
            cache.put(2, entry(2));
            cache.put(2, entry(22));
        }
        try (FileChannel ch = FileChannel.open(dir.resolve(MessageCache.FILE), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 1, 0, 0, 0}));
        }
        try (MessageCache cache = MessageCache.open(dir, 9)) {
            assertThat(cache.get(1)).isEqualTo(entry(1));
            assertThat(cache.get(2)).isEqualTo(entry(22));
            assertThat(cache.get(3)).isNull();
            assertThat(cache.size()).isEqualTo(2);
        }
    }

    @Test
    void aDamagedEntryIsDroppedNotServed() throws Exception {
        try (MessageCache cache = MessageCache.open(dir, 9)) {
            cache.put(1, entry(1));
            cache.put(2, entry(2));
        }
        byte[] bytes = Files.readAllBytes(dir.resolve(MessageCache.FILE));
        bytes[bytes.length - 5] ^= 1; // inside entry 2
        Files.write(dir.resolve(MessageCache.FILE), bytes);
        try (MessageCache cache = MessageCache.open(dir, 9)) {
            assertThat(cache.get(1)).isEqualTo(entry(1));
            assertThat(cache.get(2)).isNull();
            assertThat(cache.contains(2)).isFalse();
        }
    }

    @Test
    void entriesReadThroughTheMappingAreCheckedAndStayValidAcrossCompaction() throws Exception {
        // Over REMAP_AFTER octets: reads go through the memory mapping rather than positional reads.
        try (MessageCache cache = MessageCache.open(dir, 9)) {
            for (long uid = 1; uid <= 6000; uid++) {
                cache.put(uid, entry(uid));
            }
        }
        byte[] bytes = Files.readAllBytes(dir.resolve(MessageCache.FILE));
        int inside = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("entry of 1500 ");
        bytes[inside + 3] ^= 1;
        Files.write(dir.resolve(MessageCache.FILE), bytes);
        try (MessageCache cache = MessageCache.open(dir, 9)) {
            java.nio.ByteBuffer view = cache.view(1499);
            assertThat(view.isReadOnly()).isTrue();
            assertThat(cache.view(1500)).isNull();
            assertThat(cache.contains(1500)).isFalse();
            List<Long> gone = new ArrayList<>();
            for (long uid = 1; uid <= 5990; uid++) {
                gone.add(uid);
            }
            cache.remove(gone); // compacts: the file is replaced, the view held above still reads the old one
            byte[] held = new byte[view.remaining()];
            view.get(held);
            assertThat(held).isEqualTo(entry(1499));
            assertThat(cache.get(5995)).isEqualTo(entry(5995));
            long before = Files.size(dir.resolve(MessageCache.FILE));
            cache.put(6001, entry(6001));
            assertThat(cache.get(6001)).isEqualTo(entry(6001));
            assertThat(before).isLessThan(bytes.length / 10);
        }
    }

    @Test
    void aCacheOfAnotherUidValidityStartsEmpty() throws Exception {
        try (MessageCache cache = MessageCache.open(dir, 9)) {
            cache.put(1, entry(1));
        }
        try (MessageCache cache = MessageCache.open(dir, 10)) {
            assertThat(cache.get(1)).isNull();
            assertThat(cache.size()).isZero();
        }
    }

    @Test
    void expungedEntriesAreReclaimedOnceMostOfTheFileIsDead() throws Exception {
        try (MessageCache cache = MessageCache.open(dir, 9)) {
            List<Long> all = new ArrayList<>();
            for (long uid = 1; uid <= 20_000; uid++) {
                cache.put(uid, entry(uid));
                all.add(uid);
            }
            long full = Files.size(dir.resolve(MessageCache.FILE));
            cache.remove(all.subList(0, 19_000));
            assertThat(Files.size(dir.resolve(MessageCache.FILE))).isLessThan(full / 10);
            assertThat(cache.get(19_500)).isEqualTo(entry(19_500));
            assertThat(cache.get(5)).isNull();
        }
        try (MessageCache cache = MessageCache.open(dir, 9)) {
            assertThat(cache.size()).isEqualTo(1000);
            assertThat(cache.get(20_000)).isEqualTo(entry(20_000));
        }
    }

    @Test
    void aCacheWrittenInUidOrderIsReopenedAsColumnsAndChangesFromThere() throws Exception {
        Path file = dir.resolve(MessageCache.FILE);
        try (MessageCache cache = MessageCache.open(dir, 9)) {
            for (long uid = 1; uid <= 6000; uid++) {
                cache.put(uid, entry(uid));
            }
        }
        long full = Files.size(file);
        try (MessageCache cache = MessageCache.open(dir, 9)) {
            assertThat(cache.size()).isEqualTo(6000);
            assertThat(cache.get(1)).isEqualTo(entry(1));
            assertThat(cache.get(6000)).isEqualTo(entry(6000));
            assertThat(cache.get(6001)).isNull();
            assertThat(cache.contains(0)).isFalse();
            cache.put(6001, entry(6001));
            cache.put(7, entry(77));
            List<Long> most = new ArrayList<>();
            for (long uid = 1; uid <= 5900; uid++) {
                most.add(uid);
            }
            // Most of the file is now dead, as counted from the columns read at open: it is rewritten.
            cache.remove(most);
            assertThat(Files.size(file)).isLessThan(full / 10);
            assertThat(cache.get(7)).isNull();
            assertThat(cache.get(5950)).isEqualTo(entry(5950));
        }
        try (MessageCache cache = MessageCache.open(dir, 9)) {
            assertThat(cache.size()).isEqualTo(101);
            assertThat(cache.get(6001)).isEqualTo(entry(6001));
            assertThat(cache.get(5901)).isEqualTo(entry(5901));
            assertThat(cache.get(5900)).isNull();
        }
    }
}
