package io.sealmail.engine.imap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static io.sealmail.engine.imap.SelectedInbox.row;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mailbox commands (RFC 9051 §6.3: SELECT, EXAMINE, CREATE, DELETE, RENAME, SUBSCRIBE, LIST, STATUS, APPEND) row by
 * row on a fresh account with INBOX selected and the folders Archive, Drafts, Junk, Sent and Trash.
 */
class MailboxCommandsTableTest {
    private static final String[] ALL_FOLDERS = {
            "* LIST (\\HasNoChildren) \"/\" \"INBOX\"", "* LIST (\\HasNoChildren \\Archive) \"/\" \"Archive\"",
            "* LIST (\\HasNoChildren \\Drafts) \"/\" \"Drafts\"", "* LIST (\\HasNoChildren \\Junk) \"/\" \"Junk\"",
            "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent\"", "* LIST (\\HasNoChildren \\Trash) \"/\" \"Trash\""};

    private static String[] with(String[] lines, String last) {
        String[] out = java.util.Arrays.copyOf(lines, lines.length + 1);
        out[lines.length] = last;
        return out;
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                row("CREATE", "c CREATE Work", "c OK CREATE completed"),
                row("CREATE with a trailing separator", "c CREATE Work/", "c OK CREATE completed"),
                row("CREATE below INBOX", "c CREATE INBOX/sub", "c OK CREATE completed"),
                row("CREATE a quoted name with a space", "c CREATE \"a b\"", "c OK CREATE completed"),
                row("CREATE a modified UTF-7 name", "c CREATE &Jjo-", "c OK CREATE completed"),
                row("CREATE INBOX in any case", "c CREATE inbox", "c NO [ALREADYEXISTS] Cannot create INBOX"),
                row("CREATE a name that exists", "c CREATE Trash", "c NO [ALREADYEXISTS] Mailbox exists"),
                row("CREATE a leading separator", "c CREATE /Work", "c NO [CANNOT] Invalid mailbox name"),
                row("CREATE an empty level", "c CREATE Work//X", "c NO [CANNOT] Invalid mailbox name"),
                row("CREATE a name with *", "c CREATE a*b", "c NO [CANNOT] Invalid mailbox name"),
                row("CREATE a name with %", "c CREATE a%b", "c NO [CANNOT] Invalid mailbox name"),
                row("CREATE a level starting with a dot", "c CREATE .hidden", "c NO [CANNOT] Invalid mailbox name"),
                row("CREATE an empty name", "c CREATE \"\"", "c NO [CANNOT] Cannot create an empty name"),
                row("CREATE unterminated modified UTF-7", "c CREATE &Jjo", "c BAD Invalid modified UTF-7 mailbox name"),
                row("CREATE a bare &", "c CREATE &", "c BAD Invalid modified UTF-7 mailbox name"),
                row("CREATE 8-bit without UTF8=ACCEPT", "c CREATE \"Büro\"",
                        "c BAD [CANNOT] Mailbox name must be modified UTF-7 (RFC 3501 section 5.1.3) unless UTF8=ACCEPT is enabled"),
                row("CREATE without a name", "c CREATE", "c BAD Missing mailbox name"),

                row("DELETE a mailbox that does not exist", "c DELETE Nope", "c NO [NONEXISTENT] No such mailbox: Nope"),
                row("DELETE INBOX", "c DELETE INBOX", "c NO [CANNOT] INBOX cannot be deleted"),
                row("DELETE without a name", "c DELETE", "c BAD Missing mailbox name"),
                row("RENAME", "c RENAME Trash Bin", "c OK RENAME completed"),
                row("RENAME INBOX moves its messages out of the selected INBOX", "c RENAME INBOX Old",
                        "* 2 EXPUNGE", "* 1 EXPUNGE", "c OK RENAME completed"),
                row("RENAME a mailbox that does not exist", "c RENAME Nope X", "c NO [NONEXISTENT] No such mailbox: Nope"),
                row("RENAME onto a mailbox that exists", "c RENAME Trash Sent", "c NO [ALREADYEXISTS] Target exists"),
                row("RENAME without the new name", "c RENAME Trash", "c BAD Missing mailbox name"),
                row("SUBSCRIBE", "c SUBSCRIBE Trash", "c OK SUBSCRIBE completed"),
                row("SUBSCRIBE a mailbox that does not exist", "c SUBSCRIBE Nope", "c NO [NONEXISTENT] No such mailbox"),
                row("UNSUBSCRIBE what was never subscribed", "c UNSUBSCRIBE Nope", "c OK UNSUBSCRIBE completed"),

                row("LIST *", "c LIST \"\" *", with(ALL_FOLDERS, "c OK LIST completed")),
                row("LIST with a pattern that matches nothing", "c LIST \"\" Nope*", "c OK LIST completed"),
                row("LIST without arguments", "c LIST", "c BAD Missing reference"),
                row("LIST without a pattern", "c LIST \"\"", "c BAD Missing mailbox pattern"),
                row("LIST RETURN without options", "c LIST \"\" * RETURN", "c BAD Missing return options"),
                row("LIST RETURN STATUS (RFC 5819)", "c LIST \"\" INBOX RETURN (STATUS (MESSAGES))",
                        "* LIST (\\HasNoChildren) \"/\" \"INBOX\"", "* STATUS \"INBOX\" (MESSAGES 2)", "c OK LIST completed"),
                row("LIST RETURN STATUS of an unknown item", "c LIST \"\" * RETURN (STATUS (FOO))", "c BAD Unknown STATUS item FOO"),
                row("LIST RETURN STATUS without items", "c LIST \"\" * RETURN (STATUS)", "c BAD STATUS needs a list of status items"),
                row("STATUS of every item", "c STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN SIZE)",
                        "* STATUS \"INBOX\" (MESSAGES 2 RECENT 0 UIDNEXT 3 UIDVALIDITY 1000 UNSEEN 2 SIZE 544)", "c OK STATUS completed"),
                row("STATUS of no item", "c STATUS INBOX ()", "* STATUS \"INBOX\" ()", "c OK STATUS completed"),
                row("STATUS of an unknown item", "c STATUS INBOX (FOO)", "c BAD Unknown STATUS item FOO"),
                row("STATUS without parentheses", "c STATUS INBOX MESSAGES", "c BAD Expected a list for status items"),
                row("STATUS of a mailbox that does not exist", "c STATUS Nope (MESSAGES)", "c NO [NONEXISTENT] No such mailbox: Nope"),

                row("SELECT a mailbox that does not exist", "c SELECT Nope", "c NO [NONEXISTENT] No such mailbox: Nope"),
                row("SELECT with an unknown parameter", "c SELECT INBOX (FOO)", "c BAD Unknown SELECT parameter FOO"),
                row("SELECT QRESYNC before ENABLE", "c SELECT INBOX (QRESYNC (1 1))", "c BAD QRESYNC needs ENABLE QRESYNC first"),
                row("SELECT without a name", "c SELECT", "c BAD Missing mailbox name"),
                row("EXAMINE is read-only", "c EXAMINE INBOX", "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
                        "* OK [PERMANENTFLAGS ()] Flags permitted", "* 2 EXISTS", "* 0 RECENT", "* OK [UNSEEN 1] First unseen",
                        "* OK [UIDVALIDITY 1000] UIDs valid", "* OK [UIDNEXT 3] Predicted next UID",
                        "* OK [NOMODSEQ] No permanent modsequences", "c OK [READ-ONLY] EXAMINE completed"),

                row("APPEND with flags and a date", "c APPEND INBOX (\\Seen) \"1-Jan-2026 00:00:00 +0000\" {3+}\r\nabc",
                        "* 3 EXISTS", "c OK [APPENDUID 1000 3] APPEND completed"),
                row("APPEND a binary literal (RFC 3516)", "c APPEND INBOX ~{3+}\r\nabc", "* 3 EXISTS",
                        "c OK [APPENDUID 1000 3] APPEND completed"),
                row("APPEND an empty message", "c APPEND INBOX {0+}\r\n", "* 3 EXISTS", "c OK [APPENDUID 1000 3] APPEND completed"),
                row("APPEND to a mailbox that does not exist", "c APPEND Nope {3+}\r\nabc", "c NO [TRYCREATE] No such mailbox: Nope"),
                row("APPEND with a date that is not one", "c APPEND INBOX \"bad date\" {3+}\r\nabc", "c BAD Invalid date-time"),
                row("APPEND with \\Recent", "c APPEND INBOX (\\Recent) {3+}\r\nabc", "c BAD Cannot set flag \\Recent"),
                row("APPEND without a message", "c APPEND INBOX", "c BAD Missing message literal"),
                row("APPEND with a string, not a literal", "c APPEND INBOX hello", "c BAD APPEND needs the message as a literal"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void answers(String shows, String command, String answer) {
        Transcript t = SelectedInbox.open();
        assertThat(t.send(command)).isEqualTo(answer);
        assertThat(t.send("z NOOP")).as("the session goes on").contains("z OK NOOP completed\r\n");
    }
}
