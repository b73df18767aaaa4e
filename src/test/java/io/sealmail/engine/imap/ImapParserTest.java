package io.sealmail.engine.imap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The argument parser (RFC 9051 §4) row by row: what a framed command turns into, written compactly (atoms bare,
 * quoted strings in double quotes, literals as {@code {n}text}, lists in parentheses), and each malformed one's
 * syntax error. A {@code |} in a row separates the lines of a command around its literals.
 */
class ImapParserTest {

    /** Lines separated by |; the literal after line i is the text inside the next {...} marker's announced size. */
    private static ImapInput.Command command(String spec, String literals) {
        List<String> lines = List.of(spec.split("\\|", -1));
        List<ImapInput.Literal> lits = new ArrayList<>();
        if (literals != null && !literals.isEmpty()) {
            for (String l : literals.split(";", -1)) {
                lits.add(new ImapInput.Literal(l.getBytes(StandardCharsets.UTF_8), false));
            }
        }
        return new ImapInput.Command(lines, lits);
    }

    private static String render(List<ImapArg> args) {
        return args.stream().map(ImapParserTest::render).collect(Collectors.joining(" "));
    }

    private static String render(ImapArg arg) {
        if (arg instanceof ImapArg.Atom a) {
            return a.value();
        }
        if (arg instanceof ImapArg.Quoted q) {
            return "\"" + q.value() + "\"";
        }
        if (arg instanceof ImapArg.Literal l) {
            return "{" + l.bytes().length + "}" + l.text();
        }
        return "(" + render(((ImapArg.ListArg) arg).items()) + ")";
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @CsvSource(delimiter = '→', quoteCharacter = '\'', value = {
            "a NOOP                                       →          → a NOOP",
            "a  NOOP   (runs of spaces are tolerated)      →          → a NOOP (runs of spaces are tolerated)",
            "a LOGIN \"joe\" \"se \\\"cr\\\\et\"           →          → a LOGIN \"joe\" \"se \"cr\\et\"",
            "a LOGIN \"\" \"\"                             →          → a LOGIN \"\" \"\"",
            "a FETCH 1 (FLAGS (BODY[HEADER.FIELDS (To From)]<0.10>))→ → a FETCH 1 (FLAGS (BODY[HEADER.FIELDS (To From)]<0.10>))",
            "a SEARCH ((((ALL))))                         →          → a SEARCH ((((ALL))))",
            "a LIST () \"\" *                              →          → a LIST () \"\" *",
            "a APPEND INBOX {5}|                          → hello    → a APPEND INBOX {5}hello",
            "a LOGIN {3}| {6}|                            → joe;secret → a LOGIN {3}joe {6}secret",
            "a APPEND INBOX ~{2}|                         → xy       → a APPEND INBOX {2}xy",
            "a APPEND INBOX ~{2+}|                        → xy       → a APPEND INBOX {2}xy",
            "a X \"{3}\"                                   →          → a X \"{3}\"",
            "a STORE 1 +FLAGS (\\Seen $Junk)              →          → a STORE 1 +FLAGS (\\Seen $Junk)",
    })
    void parses(String line, String literals, String expected) {
        String spec = line.replaceAll("\\s+$", "");
        assertThat(render(new ImapParser(command(spec, literals), 8).parseAll())).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '→', quoteCharacter = '\'', value = {
            "a X \"open                →  Unterminated quoted string",
            "a X \"ends in a backslash\\ →  Unterminated quoted string",
            "a X \"\\n\"                →  Invalid escape in quoted string",
            "a X (A B                  →  Unterminated list",
            "a X ((A) B                →  Unterminated list",
            "a X A)                    →  Unexpected )",
            "a X )                     →  Unexpected )",
            "a FETCH 1 BODY[TEXT       →  Unterminated [",
            "a X ((((((((((A)))))))))) →  Lists nested deeper than 8",
            "a X \u0001B              →  Unexpected character '\u0001'",
    })
    void refuses(String line, String error) {
        assertThatThrownBy(() -> new ImapParser(command(line.strip(), null), 8).parseAll())
                .isInstanceOf(ImapSyntaxException.class).hasMessage(error.strip());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '→', value = {
            "a X ((((((((((A))))))))))  → LIMIT",
            "a X (A                     → ",
    })
    void aNestingPastTheBoundCarriesTheLimitCode(String line, String code) {
        assertThatThrownBy(() -> new ImapParser(command(line.strip(), null), 8).parseAll())
                .isInstanceOfSatisfying(ImapSyntaxException.class, e -> assertThat(e.code()).isEqualTo(code == null ? null : code.strip()));
    }
}
