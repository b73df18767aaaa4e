package io.sealmail.engine.imap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static io.sealmail.engine.imap.SelectedInbox.row;
import static org.assertj.core.api.Assertions.assertThat;

/** STORE, COPY, MOVE, EXPUNGE and CLOSE (RFC 9051 §6.4, RFC 6851, RFC 4315) row by row on a fresh selected INBOX. */
class StoreCommandsTableTest {

    static Stream<Arguments> rows() {
        return Stream.of(
                row("FLAGS replaces and reports", "c STORE 1 FLAGS (\\Seen)", "* 1 FETCH (FLAGS (\\Seen))", "c OK STORE completed"),
                row("a single flag without parentheses", "c STORE 1 +FLAGS \\Flagged", "* 1 FETCH (FLAGS (\\Flagged))", "c OK STORE completed"),
                row("system flags in any case", "c STORE 1 +FLAGS (\\SEEN)", "* 1 FETCH (FLAGS (\\Seen))", "c OK STORE completed"),
                row(".SILENT reports nothing", "c STORE 1 -FLAGS.SILENT (\\Seen)", "c OK STORE completed"),
                row("keywords on a range: new ones are announced first (RFC 9051 §7.3.5)",
                        "c STORE 1:2 +FLAGS ($Forwarded Junk)",
                        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded Junk)",
                        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded Junk \\*)] Flags permitted",
                        "* 1 FETCH (FLAGS ($Forwarded Junk))", "* 2 FETCH (FLAGS ($Forwarded Junk))", "c OK STORE completed"),
                row("an empty list clears", "c STORE 1 FLAGS ()", "* 1 FETCH (FLAGS ())", "c OK STORE completed"),
                row("a UID past the last is no error", "c UID STORE 99 FLAGS (\\Seen)", "c OK UID STORE completed"),

                row("no flags at all", "c STORE 1 FLAGS", "c BAD Missing flags"),
                row("\\Recent cannot be set", "c STORE 1 +FLAGS (\\Recent)", "c BAD Cannot set flag \\Recent"),
                row("an unknown system flag", "c STORE 1 +FLAGS (\\Foo)", "c BAD Cannot set flag \\Foo"),
                row("a quoted flag", "c STORE 1 +FLAGS (\"quoted\")", "c BAD Flags are atoms"),
                row("a keyword with a list wildcard", "c STORE 1 +FLAGS (a%b)", "c BAD Invalid keyword"),
                row("a keyword with a bracket", "c STORE 1 +FLAGS (a]b)", "c BAD Invalid keyword"),
                row("a flag list left open", "c STORE 1 +FLAGS (a(b)", "c BAD Unterminated list"),
                row("an unknown operation", "c STORE 1 FROB (\\Seen)", "c BAD Unknown STORE operation FROB"),
                row("a sequence number past the last", "c STORE 3 FLAGS (\\Seen)", "c BAD Invalid message sequence number"),
                row("an unknown modifier", "c STORE 1 (FOO 1) +FLAGS (\\Seen)", "c BAD Unknown STORE modifier"),
                row("UNCHANGEDSINCE that is not a number", "c STORE 1 (UNCHANGEDSINCE x) +FLAGS (\\Seen)", "c BAD Invalid mod-sequence value"),
                row("UNCHANGEDSINCE in other digits", "c STORE 1 (UNCHANGEDSINCE \u0661) +FLAGS (\\Seen)", "c BAD Invalid mod-sequence value"),
                row("nothing after STORE", "c STORE", "c BAD Missing sequence set"),
                row("arguments after the flags", "c STORE 1 FLAGS (\\Seen) extra", "c BAD Unexpected extra arguments"),

                row("COPY answers with COPYUID", "c COPY 1 Trash", "c OK [COPYUID 1003 1 1] COPY completed"),
                row("UID MOVE: COPYUID first, then the expunge", "c UID MOVE 2 Trash", "* OK [COPYUID 1003 2 1] Moved",
                        "* 2 EXPUNGE", "c OK UID MOVE completed"),
                row("COPY of UIDs that are gone does nothing", "c UID COPY 9 Trash", "c OK UID COPY completed; nothing to do"),
                row("COPY into a mailbox that does not exist", "c COPY 1 Nope", "c NO [TRYCREATE] No such mailbox: Nope"),
                row("COPY without a target", "c COPY 1", "c BAD Missing mailbox name"),
                row("COPY past the last message", "c COPY 9 Trash", "c BAD Invalid message sequence number"),
                row("COPY to a name that is not modified UTF-7", "c COPY 1 &Jjo", "c BAD Invalid modified UTF-7 mailbox name"),

                row("EXPUNGE with nothing deleted", "c EXPUNGE", "c OK EXPUNGE completed"),
                row("EXPUNGE with an argument", "c EXPUNGE extra", "c BAD Unexpected extra arguments"),
                row("UID EXPUNGE of a message not deleted", "c UID EXPUNGE 1", "c OK UID EXPUNGE completed"),
                row("UID EXPUNGE without a set", "c UID EXPUNGE x", "c BAD Invalid sequence set"),
                row("CLOSE", "c CLOSE", "c OK CLOSE completed"),
                row("UNSELECT", "c UNSELECT", "c OK UNSELECT completed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void answers(String shows, String command, String answer) {
        Transcript t = SelectedInbox.open();
        assertThat(t.send(command)).isEqualTo(answer);
        assertThat(t.send("z NOOP")).as("the session goes on").contains("z OK NOOP completed\r\n");
    }
}
