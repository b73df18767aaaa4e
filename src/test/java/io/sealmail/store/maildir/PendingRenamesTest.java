package io.sealmail.store.maildir;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PendingRenamesTest {
    @Test
    void keepsEachUidOnceInOrderWhateverOrderTheyCameIn() {
        PendingRenames p = new PendingRenames();
        p.add(new long[]{5, 3, 9, 3, 0}, 4); // the fifth is past count
        p.add(new long[]{9, 1, 5}, 3);
        assertThat(p.size()).isEqualTo(4);
        assertThat(p.take(3)).containsExactly(1, 3, 5);
        p.add(new long[]{2, 9, 12}, 3); // merged with what is left
        assertThat(p.take(10)).containsExactly(2, 9, 12);
        assertThat(p.isEmpty()).isTrue();
        assertThat(p.take(5)).isEmpty();
    }

    @Test
    void aLargeChangeIsOneMerge() {
        PendingRenames p = new PendingRenames();
        long[] all = new long[100_000];
        for (int i = 0; i < all.length; i++) {
            all[i] = i + 1;
        }
        p.add(all, all.length);
        p.add(all, all.length);
        assertThat(p.size()).isEqualTo(100_000);
        assertThat(p.take(500)).hasSize(500).startsWith(1, 2).endsWith(500);
        assertThat(p.size()).isEqualTo(99_500);
        p.clear();
        assertThat(p.isEmpty()).isTrue();
    }
}
