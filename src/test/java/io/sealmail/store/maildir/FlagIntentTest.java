package io.sealmail.store.maildir;

import io.sealmail.store.mailbox.MailFolder;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class FlagIntentTest {
    private static TreeMap<Long, String> folder(long... uids) {
        TreeMap<Long, String> f = new TreeMap<>();
        for (long uid : uids) {
            f.put(uid, "m" + uid);
        }
        return f;
    }

    @Test
    void consecutiveMessagesOfTheFolderAreOneRangeEvenAcrossExpungedUids() {
        FlagIntent intent = FlagIntent.of(MailFolder.FlagChange.ADD, Set.of("\\Seen", "$Work"),
                new long[]{1, 2, 3, 7, 9, 12}, folder(1, 2, 3, 7, 8, 9, 12));
        // 3 and 7 are neighbours in the folder (4-6 expunged); 8 is there and left out, so 9 starts a range.
        assertThat(intent.line()).isEqualTo("I + 1:7,9:12 $Work \\Seen");
        assertThat(intent.covers(5)).isTrue();
        assertThat(intent.covers(8)).isFalse();
        assertThat(intent.covers(13)).isFalse();
        assertThat(intent.covers(0)).isFalse();
        assertThat(intent.covers(12)).isTrue();
    }

    @Test
    void aLineReadsBackAsTheSameIntent() {
        FlagIntent intent = FlagIntent.of(MailFolder.FlagChange.REPLACE, Set.of(), new long[]{4}, folder(4));
        assertThat(intent.line()).isEqualTo("I = 4");
        FlagIntent back = FlagIntent.parse(intent.line());
        assertThat(back.change()).isEqualTo(MailFolder.FlagChange.REPLACE);
        assertThat(back.flags()).isEmpty();
        assertThat(back.ranges()).containsExactly(4, 4);

        FlagIntent many = FlagIntent.parse("I - 1:100000,100002 \\Flagged Home");
        assertThat(many.change()).isEqualTo(MailFolder.FlagChange.REMOVE);
        assertThat(many.flags()).containsExactlyInAnyOrder("\\Flagged", "Home");
        assertThat(many.covers(100001)).isFalse();
        assertThat(many.covers(100002)).isTrue();
        assertThat(many.line()).isEqualTo("I - 1:100000,100002 Home \\Flagged");
    }

    @Test
    void aLineThatIsNoIntentIsNone() {
        assertThat(FlagIntent.parse("I")).isNull();
        assertThat(FlagIntent.parse("I * 1:2 \\Seen")).isNull();
        assertThat(FlagIntent.parse("I + x:2 \\Seen")).isNull();
        assertThat(FlagIntent.parse("I + 5:2 \\Seen")).as("a range backwards").isNull();
        assertThat(FlagIntent.parse("I + 1:5,3 \\Seen")).as("ranges out of order").isNull();
        assertThat(FlagIntent.parse("12 base Work")).isNull();
    }
}
