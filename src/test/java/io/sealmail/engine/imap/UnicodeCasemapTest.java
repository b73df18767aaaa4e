package io.sealmail.engine.imap;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** i;unicode-casemap (RFC 5051) as {@link UnicodeCasemap} folds, compares and matches. */
class UnicodeCasemapTest {
    @Test
    void foldTitlecasesEachCodePointThenDecomposesCompatibly() {
        assertThat(UnicodeCasemap.fold("Ärger")).isEqualTo("A\u0308RGER").isEqualTo(UnicodeCasemap.fold("ärger"))
                .isEqualTo(UnicodeCasemap.fold("a\u0308rger"));
        assertThat(UnicodeCasemap.fold("café")).isEqualTo("CAFE\u0301").isEqualTo(UnicodeCasemap.fold("cafe\u0301"));
        assertThat(UnicodeCasemap.fold("\uFB01le")).as("the ligature has no simple titlecase; NFKD makes it lower-case fi")
                .isEqualTo("fiLE").isNotEqualTo(UnicodeCasemap.fold("file"));
        assertThat(UnicodeCasemap.fold("Straße")).as("ß has no simple titlecase").isEqualTo("STRAßE")
                .isNotEqualTo(UnicodeCasemap.fold("Strasse"));
        assertThat(UnicodeCasemap.fold("\uFF21\uFF42c")).as("full-width letters").isEqualTo("ABC");
        assertThat(UnicodeCasemap.fold("\u01C6em")).as("dž titlecases to the digraph Dž, which decomposes")
                .isEqualTo("Dz\u030CEM");
        assertThat(UnicodeCasemap.fold("a\u00A0b")).as("a no-break space decomposes to a space").isEqualTo("A B");
        assertThat(UnicodeCasemap.fold("\uD801\uDC28")).as("DESERET SMALL LETTER LONG I, outside the BMP")
                .isEqualTo("\uD801\uDC00");
    }

    @Test
    void asciiIsUpperCasedAndKeptWhenAlreadyFolded() {
        String folded = "RE: [LIST] 42";
        assertThat(UnicodeCasemap.fold(folded)).isSameAs(folded);
        assertThat(UnicodeCasemap.fold("Re: [list] 42")).isEqualTo(folded);
        assertThat(UnicodeCasemap.fold("")).isEmpty();
    }

    @Test
    void foldedStringsCompareByCodePoint() {
        List<String> sorted = new ArrayList<>(List.of("\uD83D\uDE00", "\uFFFD", "Z", "A\u0308", "AB", "A"));
        sorted.sort(UnicodeCasemap::compare);
        assertThat(sorted).containsExactly("A", "AB", "A\u0308", "Z", "\uFFFD", "\uD83D\uDE00");
        assertThat("\uD83D\uDE00".compareTo("\uFFFD")).as("String order differs there").isNegative();
        List<UnicodeCasemap.Key> keys = new ArrayList<>();
        for (String s : List.of("\uD83D\uDE00", "\uFFFD", "Z", "A\u0308", "AB", "A")) {
            keys.add(UnicodeCasemap.Key.of(s));
        }
        keys.sort(null);
        assertThat(keys).extracting(UnicodeCasemap.Key::folded).containsExactly("A", "AB", "A\u0308", "Z", "\uFFFD", "\uD83D\uDE00");
        assertThat(UnicodeCasemap.Key.of("ABC").high()).isFalse();
    }

    @Test
    void needlesMatchFoldedText() {
        UnicodeCasemap.Needle file = UnicodeCasemap.Needle.of("file");
        UnicodeCasemap.Needle ligature = UnicodeCasemap.Needle.of("\uFB01le");
        assertThat(file.ascii()).isNotNull();
        assertThat(ligature.ascii()).as("its fold is ASCII, with lower-case letters that ASCII text never folds to").isNotNull();
        assertThat(file.matchesAt(0, 'f')).isTrue();
        assertThat(ligature.matchesAt(0, 'f')).isFalse();
        assertThat(ligature.matchesAt(0, 'F')).isFalse();
        assertThat(UnicodeCasemap.Needle.of("ärger").ascii()).isNull();
        assertThat(UnicodeCasemap.contains("the \uFB01le", ligature)).isTrue();
        assertThat(UnicodeCasemap.contains("the file", ligature)).isFalse();
        assertThat(UnicodeCasemap.headerContains("=?UTF-8?Q?=C3=84rger?= im Amt", UnicodeCasemap.Needle.of("ärger im"))).isTrue();
        assertThat(UnicodeCasemap.headerContains("=?UTF-8?Q?=C3=84rger?=", UnicodeCasemap.Needle.of("utf-8"))).isFalse();
        assertThat(UnicodeCasemap.headerContains(null, file)).isFalse();
    }
}
