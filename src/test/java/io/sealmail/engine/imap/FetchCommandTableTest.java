package io.sealmail.engine.imap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static io.sealmail.engine.imap.SelectedInbox.row;
import static org.assertj.core.api.Assertions.assertThat;

/** FETCH (RFC 9051 §6.4.5) row by row, each on a fresh selected INBOX: the whole answer, refusals included. */
class FetchCommandTableTest {

    static Stream<Arguments> rows() {
        return Stream.of(
                row("UID and size of one message", "c FETCH 1 (UID RFC822.SIZE)",
                        "* 1 FETCH (UID 1 RFC822.SIZE 488)", "c OK FETCH completed"),
                row("the FAST macro over a range", "c FETCH 1:* FAST",
                        "* 1 FETCH (FLAGS () INTERNALDATE \"28-Nov-2026 10:00:00 +0000\" RFC822.SIZE 488)",
                        "* 2 FETCH (FLAGS () INTERNALDATE \"28-Nov-2026 10:00:00 +0000\" RFC822.SIZE 56)", "c OK FETCH completed"),
                row("* is the last message", "c FETCH * UID", "* 2 FETCH (UID 2)", "c OK FETCH completed"),
                row("a base64 part as stored", "c FETCH 1 BODY.PEEK[2]", "* 1 FETCH (BODY[2] {8}", "AAECAw==)", "c OK FETCH completed"),
                row("a part that does not exist is empty", "c FETCH 1 BODY.PEEK[3]", "* 1 FETCH (BODY[3] {0}", ")", "c OK FETCH completed"),
                row("the MIME header of a part", "c FETCH 1 BODY.PEEK[2.MIME]", "* 1 FETCH (BODY[2.MIME] {142}",
                        "Content-Type: application/octet-stream; name=\"a.bin\"", "Content-Transfer-Encoding: base64",
                        "Content-Disposition: attachment; filename=\"a.bin\"", "", ")", "c OK FETCH completed"),
                row("BINARY of a 7bit part is its body", "c FETCH 1 BINARY.PEEK[1]", "* 1 FETCH (BINARY[1] {14}", "Body text line)",
                        "c OK FETCH completed"),
                row("BINARY.SIZE counts decoded octets", "c FETCH 1 BINARY.SIZE[2]", "* 1 FETCH (BINARY.SIZE[2] 4)", "c OK FETCH completed"),
                row("a partial fetch is labelled with its origin only", "c FETCH 1 BODY.PEEK[]<0.4>", "* 1 FETCH (BODY[]<0> {4}", "From)",
                        "c OK FETCH completed"),
                row("a partial fetch past the end is empty", "c FETCH 1 BODY.PEEK[1]<4294967296.1>",
                        "* 1 FETCH (BODY[1]<4294967296> {0}", ")", "c OK FETCH completed"),
                row("RFC822.TEXT sets \\Seen and says so", "c FETCH 2 RFC822.TEXT", "* 2 FETCH (RFC822.TEXT {12}", "plain body",
                        " FLAGS (\\Seen))", "c OK FETCH completed"),
                row("a UID past the last is no error", "c UID FETCH 99 UID", "c OK UID FETCH completed"),

                row("no sequence set", "c FETCH", "c BAD Missing sequence set"),
                row("no items", "c FETCH 1", "c BAD Missing fetch items"),
                row("sequence number 0", "c FETCH 0 FLAGS", "c BAD Invalid sequence number 0"),
                row("a sequence number past the last", "c FETCH 3 FLAGS", "c BAD Invalid message sequence number"),
                row("a sequence set that is not one", "c FETCH 1:x FLAGS", "c BAD Invalid sequence set"),
                row("a UID past 32 bits", "c UID FETCH 1:99999999999 UID", "c BAD Invalid sequence set"),
                row("an unknown item", "c FETCH 1 FOO", "c BAD Unknown FETCH item FOO"),
                row("a quoted string among the items", "c FETCH 1 (FLAGS \"UID\")", "c BAD Invalid FETCH item"),
                row("an item list left open", "c FETCH 1 (FLAGS", "c BAD Unterminated list"),
                row("a section left open", "c FETCH 1 BODY[TEXT", "c BAD Unterminated ["),
                row("arguments after the items", "c FETCH 1 FLAGS EXTRA", "c BAD Unexpected extra arguments"),
                row("part number 0", "c FETCH 1 BODY[0]", "c BAD Invalid section part 0"),
                row("a part number ending in a dot", "c FETCH 1 BODY[1.]", "c BAD Invalid section 1."),
                row("a section starting with a dot", "c FETCH 1 BODY[.1]", "c BAD Invalid section .1"),
                row("a part number past any message", "c FETCH 1 BODY.PEEK[99999999999]", "c BAD Invalid section"),
                row("an unknown section text", "c FETCH 1 BODY[FOO]", "c BAD Invalid section FOO"),
                row("HEADER.FIELDS without a list", "c FETCH 1 BODY[HEADER.FIELDS]", "c BAD HEADER.FIELDS needs a list of field names"),
                row("HEADER.FIELDS with an empty list", "c FETCH 1 BODY[HEADER.FIELDS ()]", "c BAD HEADER.FIELDS needs at least one field name"),
                row("BINARY of a MIME header", "c FETCH 1 BINARY[1.MIME]", "c BAD BINARY takes part numbers only"),
                row("a partial length of 0", "c FETCH 1 BODY[]<1.0>", "c BAD Invalid partial length"),
                row("a negative partial origin", "c FETCH 1 BODY[]<-1>", "c BAD Invalid partial range"),
                row("a partial origin without a length", "c FETCH 1 BODY[]<1>", "c BAD Invalid partial range"),
                row("a partial origin that is not a number", "c FETCH 1 BODY[]<x.1>", "c BAD Invalid partial range"),
                // RFC 5234 DIGIT is ASCII: Arabic-Indic digits are not numbers, wherever they stand.
                row("a partial origin in other digits", "c FETCH 1 BODY.PEEK[]<\u0663.1>", "c BAD Invalid partial range"),
                row("a section part in other digits", "c FETCH 1 BODY.PEEK[\u0661]", "c BAD Invalid section \u0661"),
                row("a sequence number in other digits", "c FETCH \u0661 UID", "c BAD Invalid sequence set"),
                row("a partial origin past 2^63-1", "c FETCH 1 BODY.PEEK[]<9223372036854775808.1>", "c BAD Invalid partial range"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void answers(String shows, String command, String answer) {
        Transcript t = SelectedInbox.open();
        assertThat(t.send(command)).isEqualTo(answer);
        assertThat(t.send("z NOOP")).as("the session goes on").endsWith("z OK NOOP completed\r\n");
    }

    @Test
    void anUnknownTransferEncodingIsANoWithItsCode() throws Exception {
        Transcript t = SelectedInbox.open();
        String message = "Content-Transfer-Encoding: x-rot13\r\nSubject: odd\r\n\r\nuryyb\r\n";
        assertThat(t.send("c APPEND INBOX {" + message.length() + "+}\r\n" + message)).contains("c OK [APPENDUID");
        assertThat(t.send("d FETCH 3 BINARY.PEEK[1]")).isEqualTo("d NO [UNKNOWN-CTE] Cannot decode x-rot13\r\n");
        assertThat(t.send("e FETCH 3 BODY.PEEK[1]")).isEqualTo("* 3 FETCH (BODY[1] {7}\r\nuryyb\r\n)\r\ne OK FETCH completed\r\n");
    }
}
