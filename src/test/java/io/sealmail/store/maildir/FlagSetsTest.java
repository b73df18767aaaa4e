package io.sealmail.store.maildir;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class FlagSetsTest {
    private final FlagSets sets = new FlagSets();

    @Test
    void theShortWayGivesWhatTheGeneralOneGives() {
        List<String> names = List.of("1700000000.M1P2.host,S=10,W=12:2,", "1700000000.M1P2.host:2,S", "m:2,SF",
                "m:2,FRS", "m:2,T", "m:2,Sa", "m:2,abS", "m:2,PS", "m", "m:1,x:2,S", "m:2,", "m:2,DFRST",
                "m\u00e4il-\u2713:2,S");
        List<Set<String>> flagSets = List.of(Set.of(), Set.of("\\Seen"), Set.of("\\Seen", "\\Flagged"),
                Set.of("$Work", "\\Answered"), Set.of("\\Draft", "\\Deleted", "\\Seen", "\\Flagged", "\\Answered"),
                Set.of("Later"));
        for (String name : names) {
            for (Set<String> flags : flagSets) {
                Set<String> shared = sets.canonical(flags);
                assertThat(sets.nameFor(name, shared)).as("%s with %s", name, flags)
                        .isEqualTo(FlagSets.fileName(name, flags));
            }
        }
    }

    @Test
    void aNameThatAlreadyCarriesTheFlagsIsReturnedAsItIs() {
        String name = "1700000000.M1P2.host,S=10:2,FS";
        assertThat(sets.nameFor(name, sets.canonical(Set.of("\\Seen", "\\Flagged", "$Work")))).isSameAs(name);
        assertThat(sets.nameFor("m:2,SF", sets.canonical(Set.of("\\Seen", "\\Flagged")))).as("letters out of order")
                .isEqualTo("m:2,FS");
    }
}
