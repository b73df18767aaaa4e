package io.sealmail.engine.imap;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImapRequestTest {

    private static ImapRequest parse(String line) {
        return ImapRequest.parse(new ImapInput.Command(List.of(line), List.of()), ImapLimits.DEFAULTS);
    }

    @Test
    void tagNameAndArguments() {
        ImapRequest r = parse("a1 login \"jo\\\"e\" se\\cret");
        assertThat(r.tag()).isEqualTo("a1");
        assertThat(r.name()).isEqualTo("LOGIN");
        assertThat(r.args().astring("user")).isEqualTo("jo\"e");
        assertThat(r.args().astring("password")).isEqualTo("se\\cret");
        r.args().end();
    }

    @Test
    void uidVariant() {
        ImapRequest r = parse("a uid fetch 1:* (FLAGS)");
        assertThat(r.name()).isEqualTo("UID FETCH");
        assertThat(r.args().sequenceSet("set").contains(5, 5)).isTrue();
    }

    @Test
    void fetchSectionWithListInsideBracketsIsOneAtom() {
        ImapRequest r = parse("a FETCH 1 (UID BODY.PEEK[HEADER.FIELDS (From To)]<0.100> FLAGS)");
        r.args().atom("set");
        List<ImapArg> items = r.args().list("items");
        assertThat(items).containsExactly(new ImapArg.Atom("UID"),
                new ImapArg.Atom("BODY.PEEK[HEADER.FIELDS (From To)]<0.100>"), new ImapArg.Atom("FLAGS"));
    }

    @Test
    void literalArguments() {
        ImapRequest r = ImapRequest.parse(new ImapInput.Command(List.of("a LOGIN {3}", " {2}", ""),
                List.of(new ImapInput.Literal("joe".getBytes(), false), new ImapInput.Literal("pw".getBytes(), false))),
                ImapLimits.DEFAULTS);
        assertThat(r.args().astring("u")).isEqualTo("joe");
        assertThat(r.args().astring("p")).isEqualTo("pw");
        r.args().end();
    }

    @Test
    void nestingDepthIsBounded() {
        ImapLimits limits = ImapLimits.DEFAULTS.withMaxNestingDepth(3);
        ImapRequest.parse(new ImapInput.Command(List.of("a SEARCH (((ALL)))"), List.of()), limits);
        assertThatThrownBy(() -> ImapRequest.parse(new ImapInput.Command(List.of("a SEARCH ((((ALL))))"), List.of()), limits))
                .isInstanceOf(ImapSyntaxException.class).hasMessageContaining("nested deeper than 3")
                .extracting(e -> ((ImapSyntaxException) e).code()).isEqualTo("LIMIT");
    }

    @Test
    void deepNestingBeyondStackIsStillRefusedCleanly() {
        String deep = "(".repeat(100_000);
        assertThatThrownBy(() -> parse("a SEARCH " + deep)).isInstanceOf(ImapSyntaxException.class);
    }

    @Test
    void sequenceRangesAreBounded() {
        ImapLimits limits = ImapLimits.DEFAULTS.withMaxSequenceRanges(3);
        ImapRequest ok = ImapRequest.parse(new ImapInput.Command(List.of("a FETCH 1,2,3 FLAGS"), List.of()), limits);
        ok.args().sequenceSet("set");
        ImapRequest tooMany = ImapRequest.parse(new ImapInput.Command(List.of("a FETCH 1,2,3,4 FLAGS"), List.of()), limits);
        assertThatThrownBy(() -> tooMany.args().sequenceSet("set")).isInstanceOf(ImapSyntaxException.class)
                .hasMessageContaining("More than 3 ranges");
    }

    @Test
    void syntaxErrors() {
        assertThatThrownBy(() -> parse("a LOGIN \"unterminated")).isInstanceOf(ImapSyntaxException.class);
        assertThatThrownBy(() -> parse("a SEARCH (ALL")).isInstanceOf(ImapSyntaxException.class);
        assertThatThrownBy(() -> parse("a SEARCH ALL)")).isInstanceOf(ImapSyntaxException.class);
        assertThatThrownBy(() -> parse("")).isInstanceOf(ImapSyntaxException.class);
        assertThatThrownBy(() -> parse("+tag NOOP")).isInstanceOf(ImapSyntaxException.class);
    }

    @Test
    void sequenceSetSemantics() {
        SequenceSet s = SequenceSet.parse("2:4,10:*", 10);
        assertThat(s.contains(3, 20)).isTrue();
        assertThat(s.contains(5, 20)).isFalse();
        assertThat(s.contains(20, 20)).isTrue();
        // "*" is the largest in use: 1000:* on a mailbox whose largest UID is 500 includes 500 (RFC 9051 §6.4.8)
        assertThat(SequenceSet.parse("1000:*", 10).contains(500, 500)).isTrue();
        assertThat(SequenceSet.format(List.of(1L, 2L, 3L, 7L, 9L, 10L))).isEqualTo("1:3,7,9:10");
        assertThatThrownBy(() -> SequenceSet.parse("0", 10)).isInstanceOf(ImapSyntaxException.class);
        assertThatThrownBy(() -> SequenceSet.parse("1:x", 10)).isInstanceOf(ImapSyntaxException.class);
        assertThatThrownBy(() -> SequenceSet.parse("4294967296", 10)).isInstanceOf(ImapSyntaxException.class);
    }
}
