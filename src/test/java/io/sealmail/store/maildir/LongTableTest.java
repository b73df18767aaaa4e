package io.sealmail.store.maildir;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The primitive UID table agrees with a HashMap through a long random run of puts and removes (deletion shifts). */
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
}
