package io.sealmail.store.maildir;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The primitive UID table agrees with a HashMap through a long random run of puts and removes (deletion shifts), also
 * when it starts from sorted columns (a folder's snapshot) and changes from there.
 */
class LongTableTest {
    @Test
    void agreesWithAHashMap() {
        LongTable table = new LongTable();
        Map<Long, Long> expected = new HashMap<>();
        Random random = new Random(12);
        for (int i = 0; i < 200_000; i++) {
            long key = random.nextInt(5000) - 1; // -1 included: the cache's UIDVALIDITY record
            if (random.nextInt(3) == 0) {
                Long gone = expected.remove(key);
                assertThat(table.remove(key, -7)).isEqualTo(gone == null ? -7 : gone);
            } else {
                long value = random.nextLong() & Long.MAX_VALUE;
                Long previous = expected.put(key, value);
                assertThat(table.put(key, value, -7)).isEqualTo(previous == null ? -7 : previous);
            }
            if (i % 10_000 == 0) {
                for (long k = -1; k < 5000; k++) {
                    assertThat(table.get(k, -7)).isEqualTo(expected.getOrDefault(k, -7L));
                }
            }
        }
        assertThat(table.size()).isEqualTo(expected.size());
        Map<Long, Long> seen = new HashMap<>();
        table.forEach(seen::put);
        assertThat(seen).isEqualTo(expected);
    }

    @Test
    void aTableRestoredFromSortedColumnsAnswersAndThenChangesLikeAHashMap() {
        long[] keys = new long[3000];
        long[] values = new long[keys.length];
        Map<Long, Long> expected = new HashMap<>();
        for (int i = 0; i < keys.length; i++) {
            keys[i] = 2L * i + 1; // odd keys only: the even ones are absent
            values[i] = 7L * i;
            expected.put(keys[i], values[i]);
        }
        LongTable table = new LongTable();
        table.put(4, 4, -7); // replaced by the restore
        table.restoreSorted(keys, values);
        assertThat(table.size()).isEqualTo(keys.length);
        for (long k = 0; k < 6002; k++) {
            assertThat(table.get(k, -7)).isEqualTo(expected.getOrDefault(k, -7L));
            assertThat(table.containsKey(k)).isEqualTo(expected.containsKey(k));
        }
        Map<Long, Long> seen = new HashMap<>();
        table.forEach(seen::put);
        assertThat(seen).isEqualTo(expected);

        // The first change hashes the table; later answers are a HashMap's.
        assertThat(table.put(5, 99, -7)).isEqualTo(7L * 2);
        expected.put(5L, 99L);
        assertThat(table.remove(1, -7)).isEqualTo(0L);
        expected.remove(1L);
        assertThat(table.remove(2, -7)).isEqualTo(-7L);
        assertThat(table.put(6000, 1, -7)).isEqualTo(-7L);
        expected.put(6000L, 1L);
        assertThat(keys[2]).as("the restored columns are not written").isEqualTo(5L);
        assertThat(values[2]).isEqualTo(14L);
        assertThat(table.size()).isEqualTo(expected.size());
        for (long k = 0; k < 6002; k++) {
            assertThat(table.get(k, -7)).isEqualTo(expected.getOrDefault(k, -7L));
        }
        seen.clear();
        table.forEach(seen::put);
        assertThat(seen).isEqualTo(expected);
    }

    @Test
    void aRestoredTableStaysSortedThroughValueChangesAndAppendsAndAgreesWithATreeMapWhateverFollows() {
        java.util.Random random = new java.util.Random(12);
        for (int run = 0; run < 50; run++) {
            int n = random.nextInt(200);
            long[] keys = new long[n];
            long[] values = new long[n];
            java.util.TreeMap<Long, Long> expected = new java.util.TreeMap<>();
            long k = 0;
            for (int i = 0; i < n; i++) {
                k += 1 + random.nextInt(3);
                keys[i] = k;
                values[i] = random.nextLong();
                expected.put(k, values[i]);
            }
            long[] keysGiven = keys.clone();
            long[] valuesGiven = values.clone();
            LongTable table = new LongTable();
            table.restoreSorted(keys, values);
            assertThat(table.isSorted()).isTrue();
            for (int step = 0; step < 400; step++) {
                long key = random.nextInt((int) k + 40);
                long value = random.nextLong();
                switch (random.nextInt(10)) {
                    // mostly what a folder does: new flags for a message it has, a new message above all
                    case 0, 1, 2, 3, 4 -> {
                        boolean sorted = table.isSorted();
                        long existing = expected.isEmpty() ? key : expected.ceilingKey(key) == null ? key : expected.ceilingKey(key);
                        assertThat(table.put(existing, value, -7)).isEqualTo(expected.getOrDefault(existing, -7L));
                        if (expected.containsKey(existing) || expected.isEmpty() || existing > expected.lastKey()) {
                            assertThat(table.isSorted()).as("a new value or a key above all keeps it sorted").isEqualTo(sorted);
                        }
                        expected.put(existing, value);
                    }
                    case 5, 6 -> {
                        boolean sorted = table.isSorted();
                        long above = (expected.isEmpty() ? 0 : expected.lastKey()) + 1 + random.nextInt(5);
                        assertThat(table.put(above, value, -7)).isEqualTo(-7L);
                        assertThat(table.isSorted()).as("an append keeps it sorted").isEqualTo(sorted);
                        expected.put(above, value);
                    }
                    case 7 -> { // rarely: a key in between, or a removal (these hash the table)
                        if (random.nextInt(20) == 0) {
                            assertThat(table.put(key, value, -7)).isEqualTo(expected.getOrDefault(key, -7L));
                            expected.put(key, value);
                        }
                    }
                    case 8 -> {
                        if (random.nextInt(20) == 0) {
                            assertThat(table.remove(key, -7)).isEqualTo(expected.getOrDefault(key, -7L));
                            expected.remove(key);
                        }
                    }
                    default -> {
                        assertThat(table.get(key, -7)).isEqualTo(expected.getOrDefault(key, -7L));
                        assertThat(table.containsKey(key)).isEqualTo(expected.containsKey(key));
                    }
                }
                assertThat(table.size()).isEqualTo(expected.size());
            }
            Map<Long, Long> seen = new HashMap<>();
            table.forEach(seen::put);
            assertThat(seen).isEqualTo(expected);
            assertThat(keys).as("the restored columns are never written").isEqualTo(keysGiven);
            assertThat(values).isEqualTo(valuesGiven);
        }
    }

    @Test
    void valueChangesAndAppendsKeepARestoredTableSortedAndARemovalOrAKeyInBetweenHashesIt() {
        long[] keys = {2, 4, 6, 8};
        LongTable table = new LongTable();
        table.restoreSorted(keys, new long[]{20, 40, 60, 80});
        for (long k : keys) {
            table.put(k, k * 100, -1);
        }
        for (long k = 9; k < 100; k++) {
            table.put(k, k, -1); // past the copied arrays' slack: they grow
        }
        assertThat(table.isSorted()).isTrue();
        assertThat(table.size()).isEqualTo(4 + 91);
        assertThat(table.get(6, -1)).isEqualTo(600);
        assertThat(table.get(99, -1)).isEqualTo(99);
        assertThat(table.get(7, -1)).isEqualTo(-1);
        table.put(7, 7, -1);
        assertThat(table.isSorted()).as("a key in between").isFalse();
        assertThat(table.get(7, -1)).isEqualTo(7);
        assertThat(table.get(98, -1)).isEqualTo(98);

        LongTable other = new LongTable();
        other.restoreSorted(new long[]{1, 2, 3}, new long[]{1, 2, 3});
        other.remove(2, -1);
        assertThat(other.isSorted()).as("a removal").isFalse();
        assertThat(other.get(3, -1)).isEqualTo(3);
        assertThat(other.containsKey(2)).isFalse();
    }
}
