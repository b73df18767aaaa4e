package io.sealmail.store;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class MaildirNameTest {

    @Test
    void uniqueNamesCarrySizeAndDateAndDoNotRepeat() {
        Instant date = Instant.ofEpochSecond(1_700_000_000L);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String n = MaildirName.unique(date, 1234);
            assertThat(seen.add(n)).isTrue();
            assertThat(n).doesNotContain("/").doesNotContain(":");
            assertThat(MaildirName.size(n)).isEqualTo(1234);
            assertThat(MaildirName.date(n)).isEqualTo(date);
        }
    }

    @Test
    void namesMadeOneAfterAnotherSortInThatOrder() {
        // UIDs of delivered files are given in name order, so delivery order must survive a sort, also within one
        // second (the microseconds are zero-padded; "M95000" would sort after "M123456").
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            made.add(MaildirName.unique(Instant.now(), 100));
        }
        List<String> sorted = new ArrayList<>(made);
        sorted.sort(null);
        assertThat(sorted).containsExactlyElementsOf(made);
        assertThat(made.get(0)).matches("\\d+\\.M\\d{6}P.*");
    }

    @Test
    void flagsRoundTripInAsciiOrderKeepingUnknownLetters() {
        String base = "1700000000.M1P2Q3Rabc.host,S=10";
        String named = MaildirName.withFlags(base, EnumSet.of(Flag.SEEN, Flag.DRAFT, Flag.ANSWERED));
        assertThat(named).isEqualTo(base + ":2,DRS");
        assertThat(MaildirName.flags(named)).containsExactlyInAnyOrder(Flag.SEEN, Flag.DRAFT, Flag.ANSWERED);
        assertThat(MaildirName.withFlags(base + ":2,Pa", EnumSet.of(Flag.DELETED))).isEqualTo(base + ":2,PTa");
        assertThat(MaildirName.base(named)).isEqualTo(base);
        assertThat(MaildirName.size("foreign-name")).isEqualTo(-1);
        assertThat(MaildirName.date("foreign-name")).isNull();
    }
}
