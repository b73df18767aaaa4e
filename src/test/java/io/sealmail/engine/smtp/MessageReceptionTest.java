package io.sealmail.engine.smtp;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** DATA/BDAT reception as tables: BDAT's arguments, and the verdict at the end of the content or of a chunk. */
class MessageReceptionTest {
    private static final long MAX = 10;
    private static final String HEADER = "Received: from test by test\r\n";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "BDAT {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "100                  | 100 false",
            "100 LAST             | 100 true",
            "0 last               | 0 true",
            "'  7   LAST '        | 7 true",
            "999999999999999999   | 999999999999999999 false",
            "''                   | refused",
            "abc                  | refused",
            "-1                   | refused",
            "+1                   | refused",
            "1 2                  | refused",
            "1 LAST x             | refused",
            "1 FIRST              | refused",
            "9999999999999999999  | refused",
    })
    void bdatArguments(String args, String expected) {
        MessageReception.Chunk chunk = MessageReception.Chunk.parse(args);
        assertThat(chunk == null ? "refused" : chunk.size() + " " + chunk.last()).isEqualTo(expected);
    }

    /**
     * @param writes  the content's pieces, as many octets as each number says ("-" for none)
     * @param chunk   "-" for DATA, else the BDAT chunk "size [LAST]"
     */
    @ParameterizedTest(name = "writes {0}, violation {1}, chunk {2} -> {3}")
    @CsvSource(delimiter = '|', value = {
            // writes | violation     | chunk    | verdict
            "-        | -             | -        | complete",
            "10       | -             | -        | complete",
            "4 6      | -             | -        | complete",
            "11       | -             | -        | 552 5.3.4 size Error: message exceeds fixed limit of 10 octets",
            "6 5      | -             | -        | 552 5.3.4 size Error: message exceeds fixed limit of 10 octets",
            "6 5 1    | -             | -        | 552 5.3.4 size Error: message exceeds fixed limit of 10 octets",
            "3        | BARE_LF       | -        | 550 5.5.2 bare_lf",
            "3        | BARE_CR       | -        | 550 5.5.2 bare_cr",
            "3        | LINE_TOO_LONG | -        | 500 5.5.2 line_too_long",
            "11       | BARE_LF       | -        | 550 5.5.2 bare_lf",
            "5        | -             | 5        | chunk 5",
            "5        | -             | 5 LAST   | complete",
            "0        | -             | 0 LAST   | complete",
            "11       | -             | 11       | 552 5.3.4 size Error: message exceeds fixed limit of 10 octets",
    })
    void verdict(String writes, String violation, String chunk, String expected) throws Exception {
        MessageReception reception = MessageReception.open(new TestMailStore(dir), MAX, id -> HEADER);
        if (!chunk.equals("-")) {
            reception.chunk(MessageReception.Chunk.parse(chunk));
        }
        long written = 0;
        for (String n : writes.equals("-") ? new String[0] : writes.split(" ")) {
            reception.write(Unpooled.wrappedBuffer("x".repeat(Integer.parseInt(n)).getBytes()));
            written += Integer.parseInt(n);
        }
        MessageReception.End end = reception.end(violation.equals("-") ? null : SmtpFrame.ContentViolation.valueOf(violation));
        String verdict;
        if (end instanceof MessageReception.Refused refused) {
            verdict = refused.reply().code() + " " + refused.reply().status() + " " + refused.metricReason()
                    + (refused.metricReason().equals("size") ? " " + String.join(" ", refused.reply().lines()) : "");
        } else if (end instanceof MessageReception.ChunkAccepted accepted) {
            verdict = "chunk " + accepted.size();
        } else {
            verdict = "complete";
            // Our Received header is in the spool and does not count against the client's octets.
            assertThat(reception.spool().size()).isEqualTo(HEADER.length() + written);
            assertThat(reception.receivedHeaderSize()).isEqualTo(HEADER.length());
        }
        assertThat(verdict).isEqualTo(expected);
        reception.discard();
        assertThat(reception.spool()).isNull();
    }

    @Test
    void queueIdReachesTheReceivedHeader() throws Exception {
        String[] seen = new String[1];
        MessageReception reception = MessageReception.open(new TestMailStore(dir), MAX, id -> {
            seen[0] = id;
            return "Received: by test id " + id + "\r\n";
        });
        assertThat(seen[0]).isNotBlank().isEqualTo(reception.queueId());
        reception.discard();
    }

    @Test
    void aSpoolThatCannotTakeTheHeaderIsClosed() throws Exception {
        TestMailStore store = new TestMailStore(dir);
        assertThatThrownBy(() -> MessageReception.open(store, MAX, id -> {
            throw new IllegalStateException("no header (test)");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(store.openSpools).isEmpty();
    }

    @Test
    void aWriteFailureRefusesTheMessageAs451() throws Exception {
        TestMailStore store = new TestMailStore(dir);
        MessageReception reception = MessageReception.open(store, MAX, id -> HEADER);
        reception.spool().close(); // the spool's file is gone: the next write fails
        reception.write(Unpooled.wrappedBuffer(new byte[3]));
        MessageReception.End end = reception.end(null);
        assertThat(end).isEqualTo(new MessageReception.Refused(SmtpReplies.LOCAL_ERROR, "store_failure"));
    }
}
