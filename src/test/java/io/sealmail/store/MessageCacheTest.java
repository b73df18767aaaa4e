package io.sealmail.store;

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
}
