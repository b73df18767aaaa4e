package io.sealmail.engine.imap;

import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ENVELOPE, BODY and BODYSTRUCTURE (RFC 9051 §7.5.2) row by row: a message (LF written, CRLF stored) and the three
 * answers, octet for octet. Strings that need it go out as literals ({n} CRLF, then n octets).
 */
class MessageStructureWriterTest {

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of("a group, an empty group, a display name with a comma and an encoded subject kept as sent",
                        "From: \"Doe, Jane\" <jane@example.com>\nSender: sec@example.com\nTo: undisclosed-recipients:;\nCc: Team: a@x.test, \"B\" <b@y.test>;, c@z.test\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\nDate: Mon, 30 Nov 2026 08:00:00 +0100\nIn-Reply-To: <p@x>\nMessage-ID: <m@x>\n\nhi",
                        "(\"Mon, 30 Nov 2026 08:00:00 +0100\" \"=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\" ((\"Doe, Jane\" NIL \"jane\" \"example.com\")) ((NIL NIL \"sec\" \"example.com\")) ((\"Doe, Jane\" NIL \"jane\" \"example.com\")) ((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) ((NIL NIL \"Team\" NIL)(NIL NIL \"a\" \"x.test\")(\"B\" NIL \"b\" \"y.test\")(NIL NIL NIL NIL)(NIL NIL \"c\" \"z.test\")) NIL \"<p@x>\" \"<m@x>\")",
                        "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 2 1)",
                        "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 2 1 NIL NIL NIL NIL)"),
                Arguments.of("quotes and backslashes are escaped; a From that is no address keeps its text",
                        "Subject: a \"quoted\" \\ subject\nFrom: not an address\n\nbody",
                        "(NIL \"a \\\"quoted\\\" \\\\ subject\" ((NIL NIL \"not an address\" NIL)) ((NIL NIL \"not an address\" NIL)) ((NIL NIL \"not an address\" NIL)) NIL NIL NIL NIL NIL)",
                        "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 4 1)",
                        "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 4 1 NIL NIL NIL NIL)"),
                Arguments.of("a multipart/alternative with a quoted-printable part and a forwarded message",
                        "Content-Type: multipart/alternative; boundary=b\nContent-Language: en\n\n--b\nContent-Type: text/plain; charset=ISO-8859-1; format=flowed\nContent-Transfer-Encoding: quoted-printable\nContent-ID: <c1@x>\nContent-Description: the text\n\ncaf=E9\n--b\nContent-Type: message/rfc822\nContent-Disposition: inline; filename=\"fwd.eml\"\n\nSubject: inner\nFrom: i@x.test\n\ninner body\n--b--",
                        "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)",
                        "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"ISO-8859-1\" \"FORMAT\" \"flowed\") \"<c1@x>\" \"the text\" \"QUOTED-PRINTABLE\" 6 1)(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 44 (NIL \"inner\" ((NIL NIL \"i\" \"x.test\")) ((NIL NIL \"i\" \"x.test\")) ((NIL NIL \"i\" \"x.test\")) NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 10 1) 4) \"ALTERNATIVE\")",
                        "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"ISO-8859-1\" \"FORMAT\" \"flowed\") \"<c1@x>\" \"the text\" \"QUOTED-PRINTABLE\" 6 1 NIL NIL NIL NIL)(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 44 (NIL \"inner\" ((NIL NIL \"i\" \"x.test\")) ((NIL NIL \"i\" \"x.test\")) ((NIL NIL \"i\" \"x.test\")) NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 10 1 NIL NIL NIL NIL) 4 NIL (\"INLINE\" (\"FILENAME\" \"fwd.eml\")) NIL NIL) \"ALTERNATIVE\" (\"BOUNDARY\" \"b\") NIL \"en\" NIL)"),
                Arguments.of("8-bit header text without UTF8=ACCEPT goes out as literals",
                        "Subject: Grüße ohne Kodierung\nFrom: Jörg <joerg@example.com>\n\n8bit\n",
                        "(NIL {22}\r\nGrüße ohne Kodierung (({5}\r\nJörg NIL \"joerg\" \"example.com\")) (({5}\r\nJörg NIL \"joerg\" \"example.com\")) (({5}\r\nJörg NIL \"joerg\" \"example.com\")) NIL NIL NIL NIL NIL)",
                        "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 6 1)",
                        "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 6 1 NIL NIL NIL NIL)"));
    }

    private static String written(Consumer<ResponseWriter> write) {
        ResponseWriter w = new ResponseWriter(UnpooledByteBufAllocator.DEFAULT, false);
        write.accept(w);
        return w.buffer().toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void writes(String shows, String message, String envelope, String body, String bodyStructure) {
        byte[] bytes = message.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        MimeStructure.Entity root = MimeStructure.parse(bytes);
        assertThat(written(w -> MessageStructureWriter.envelope(w, root))).isEqualTo(envelope);
        assertThat(written(w -> MessageStructureWriter.bodyStructure(w, bytes, root, false))).isEqualTo(body);
        assertThat(written(w -> MessageStructureWriter.bodyStructure(w, bytes, root, true))).isEqualTo(bodyStructure);
    }
}
