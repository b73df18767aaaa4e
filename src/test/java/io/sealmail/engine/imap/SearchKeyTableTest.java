package io.sealmail.engine.imap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static io.sealmail.engine.imap.SelectedInbox.row;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SEARCH keys (RFC 9051 §6.4.4) row by row over message 1 (Alice's multipart, 488 octets, sent 28-Nov-2026) and
 * message 2 (Carol's plain one, 56 octets, no Date), both unseen; then every malformed key's BAD.
 */
class SearchKeyTableTest {
    private static final String OK = "c OK SEARCH completed";

    static Stream<Arguments> rows() {
        return Stream.of(
                row("ALL", "c SEARCH ALL", "* SEARCH 1 2", OK),
                row("flags not set match nothing", "c SEARCH ANSWERED", "* SEARCH", OK),
                row("their negation matches everything", "c SEARCH UNANSWERED", "* SEARCH 1 2", OK),
                row("DRAFT", "c SEARCH DRAFT", "* SEARCH", OK),
                row("UNDRAFT", "c SEARCH UNDRAFT", "* SEARCH 1 2", OK),
                row("NEW is unseen (no \\Recent is kept)", "c SEARCH NEW", "* SEARCH 1 2", OK),
                row("RECENT matches nothing", "c SEARCH RECENT", "* SEARCH", OK),
                row("a keyword not set", "c SEARCH KEYWORD $Forwarded", "* SEARCH", OK),
                row("UNKEYWORD", "c SEARCH UNKEYWORD $Forwarded", "* SEARCH 1 2", OK),
                row("FROM matches the display name", "c SEARCH FROM alice", "* SEARCH 1", OK),
                row("FROM is case-insensitive", "c SEARCH FROM ALICE", "* SEARCH 1", OK),
                row("TO matches any recipient", "c SEARCH TO bob@example.org", "* SEARCH 1", OK),
                row("CC absent matches nothing", "c SEARCH CC x", "* SEARCH", OK),
                row("SUBJECT", "c SEARCH SUBJECT hello", "* SEARCH 1", OK),
                row("BODY looks inside the parts", "c SEARCH BODY \"Body text\"", "* SEARCH 1", OK),
                row("TEXT covers the header too", "c SEARCH TEXT carol", "* SEARCH 2", OK),
                row("HEADER with a substring", "c SEARCH HEADER Message-ID m1@", "* SEARCH 1", OK),
                row("HEADER of a field no message has", "c SEARCH HEADER X-Nope \"\"", "* SEARCH", OK),
                row("LARGER", "c SEARCH LARGER 100", "* SEARCH 1", OK),
                row("SMALLER", "c SEARCH SMALLER 100", "* SEARCH 2", OK),
                row("BEFORE uses the internal date", "c SEARCH BEFORE 1-Jan-2000", "* SEARCH", OK),
                row("SENTON uses the Date field", "c SEARCH SENTON 28-Nov-2026", "* SEARCH 1", OK),
                row("SENTBEFORE excludes the day itself", "c SEARCH SENTBEFORE 28-Nov-2026", "* SEARCH", OK),
                row("SENTSINCE includes the day; no Date field never matches", "c SEARCH SENTSINCE 28-Nov-2026", "* SEARCH 1", OK),
                row("UID", "c SEARCH UID 2", "* SEARCH 2", OK),
                row("a sequence set", "c SEARCH 2", "* SEARCH 2", OK),
                row("keys side by side are AND", "c SEARCH 1:* NOT 1", "* SEARCH 2", OK),
                row("OR", "c SEARCH OR 1 2", "* SEARCH 1 2", OK),
                row("a parenthesised list is AND", "c SEARCH (SEEN UNSEEN)", "* SEARCH", OK),
                row("CHARSET UTF-8", "c SEARCH CHARSET UTF-8 SUBJECT second", "* SEARCH 2", OK),
                row("another charset", "c SEARCH CHARSET KOI8-R ALL", "c NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset"),

                row("no key at all", "c SEARCH", "c BAD SEARCH needs a criterion"),
                row("an unknown key", "c SEARCH FOO", "c BAD Unknown search key FOO"),
                row("a key without its argument", "c SEARCH LARGER", "c BAD Missing number"),
                row("a size that is not a number", "c SEARCH LARGER x", "c BAD Invalid number x"),
                row("a size in other digits (RFC 5234 DIGIT is ASCII)", "c SEARCH LARGER \u0661\u0662", "c BAD Invalid number \u0661\u0662"),
                row("PARTIAL in other digits", "c SEARCH RETURN (PARTIAL \u0661:\u0662) ALL", "c BAD PARTIAL range broken"),
                row("a size past 64 bits", "c SEARCH LARGER 99999999999999999999", "c BAD Invalid number 99999999999999999999"),
                row("a date that does not exist", "c SEARCH SINCE 32-Foo-2026", "c BAD Invalid date 32-Foo-2026"),
                row("an ISO date", "c SEARCH SINCE 2026-01-01", "c BAD Invalid date 2026-01-01"),
                row("OR with one key", "c SEARCH OR ALL", "c BAD Missing search key"),
                row("NOT with none", "c SEARCH NOT", "c BAD Missing search key"),
                row("an empty list", "c SEARCH ()", "c BAD Empty search list"),
                row("a list left open", "c SEARCH (ALL", "c BAD Unterminated list"),
                row("a list closed twice", "c SEARCH ALL)", "c BAD Unexpected )"),
                row("a UID set that is not one", "c SEARCH UID x", "c BAD Invalid sequence set"),
                row("CHARSET without its name", "c SEARCH CHARSET", "c BAD Missing charset"),
                row("ESEARCH's RETURN (RFC 4731)", "c SEARCH RETURN (MIN) ALL", "* ESEARCH (TAG \"c\") MIN 1", "c OK SEARCH completed"),
                row("an unknown RETURN option", "c SEARCH RETURN (BOGUS) ALL", "c BAD Unknown RETURN option BOGUS (MIN MAX ALL COUNT SAVE PARTIAL CONTEXT)"),
                row("RETURN UPDATE (RFC 5267 live updates, not offered)", "c SEARCH RETURN (UPDATE) ALL",
                        "c BAD RETURN UPDATE is not offered (no CONTEXT=SEARCH or CONTEXT=SORT live updates)"),
                row("PARTIAL (RFC 5267 §4.4)", "c SEARCH RETURN (PARTIAL 2:1) ALL", "* ESEARCH (TAG \"c\") PARTIAL (1:2 1:2)", "c OK SEARCH completed"),
                row("RETURN without a list", "c SEARCH RETURN MIN ALL", "c BAD RETURN needs a list of options"),
                row("a quoted string where a key belongs", "c SEARCH \"ALL\"", "c BAD Expected a search key"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void answers(String shows, String command, String answer) {
        Transcript t = SelectedInbox.open();
        assertThat(t.send(command)).isEqualTo(answer);
        assertThat(t.send("z NOOP")).as("the session goes on").endsWith("z OK NOOP completed\r\n");
    }
}
