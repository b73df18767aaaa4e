package io.sealmail.engine.imap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the parser puts each entity, row by row: the tree written as {@code type/subtype[start,bodyStart,end]} with
 * children in parentheses and an encapsulated message after {@code >}. Offsets are octets into the message.
 */
class MimeStructureTest {

    static String tree(MimeStructure.Entity e) {
        StringBuilder sb = new StringBuilder(e.type + "/" + e.subtype + "[" + e.start + "," + e.bodyStart + "," + e.end + "]");
        if (!e.children.isEmpty()) {
            sb.append('(');
            for (int i = 0; i < e.children.size(); i++) {
                sb.append(i == 0 ? "" : " ").append(tree(e.children.get(i)));
            }
            sb.append(')');
        }
        if (e.message != null) {
            sb.append('>').append(tree(e.message));
        }
        return sb.toString();
    }

    private static MimeStructure.Entity parse(String message) {
        return MimeStructure.parse(message.getBytes(StandardCharsets.UTF_8));
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of("a plain message", "Subject: x\r\n\r\nbody\r\n", "text/plain[0,14,20]"),
                Arguments.of("LF line endings", "Subject: x\n\nbody\n", "text/plain[0,12,17]"),
                Arguments.of("a header and no body", "Subject: x\r\n", "text/plain[0,12,12]"),
                Arguments.of("no header at all", "\r\nbody", "text/plain[0,2,6]"),
                Arguments.of("an empty message", "", "text/plain[0,0,0]"),
                Arguments.of("a Content-Type that does not parse is text/plain", "Content-Type: ;;;\r\n\r\nx", "text/plain[0,21,22]"),
                Arguments.of("multipart: the CRLF before a delimiter belongs to it; preamble and epilogue are outside",
                        "Content-Type: multipart/mixed; boundary=b\r\n\r\npre\r\n--b\r\n\r\none\r\n--b\r\nContent-Type: text/html\r\n\r\ntwo\r\n--b--\r\nepi\r\n",
                        "multipart/mixed[0,45,111](text/plain[55,57,60] text/html[67,94,97])"),
                Arguments.of("a multipart without a boundary is one leaf",
                        "Content-Type: multipart/mixed\r\n\r\n--b\r\n\r\none\r\n", "multipart/mixed[0,33,45]"),
                Arguments.of("a boundary never closed ends at the end of the message",
                        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\n", "multipart/mixed[0,45,57](text/plain[50,52,57])"),
                Arguments.of("a line that only starts with the delimiter still delimits (RFC 2046 §5.1.1 allows trailing space)",
                        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b  \r\n\r\none\r\n--b--\r\n", "multipart/mixed[0,45,66](text/plain[52,54,57])"),
                Arguments.of("message/rfc822 holds a message",
                        "Content-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\nx\r\n", "message/rfc822[0,32,50]>text/plain[32,47,50]"),
                Arguments.of("parts of a multipart/digest default to message/rfc822",
                        "Content-Type: multipart/digest; boundary=b\r\n\r\n--b\r\n\r\nSubject: d\r\n\r\ny\r\n--b--\r\n",
                        "multipart/digest[0,46,77](message/rfc822[51,53,68]>text/plain[53,67,68])"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void places(String shows, String message, String expected) {
        assertThat(tree(parse(message))).isEqualTo(expected);
    }

    @Test
    void nestingPastTheBoundStopsThere() {
        StringBuilder m = new StringBuilder();
        int levels = MimeStructure.MAX_DEPTH + 10;
        for (int i = 0; i < levels; i++) {
            // x1x is no prefix of x10x: each level's delimiter is its own.
            m.append("Content-Type: multipart/mixed; boundary=x").append(i).append("x\r\n\r\n--x").append(i).append("x\r\n");
        }
        m.append("\r\nleaf\r\n");
        MimeStructure.Entity e = parse(m.toString());
        int depth = 0;
        while (!e.children.isEmpty()) {
            e = e.children.get(0);
            depth++;
        }
        assertThat(depth).isEqualTo(MimeStructure.MAX_DEPTH);
        assertThat(e.isMultipart()).as("the entity at the bound is kept, its parts are not split").isTrue();
    }

    @Test
    void partsPastTheBoundAreNotSplit() {
        StringBuilder m = new StringBuilder("Content-Type: multipart/mixed; boundary=b\r\n\r\n");
        for (int i = 0; i < MimeStructure.MAX_PARTS + 500; i++) {
            m.append("--b\r\n\r\n").append(i).append("\r\n");
        }
        m.append("--b--\r\n");
        MimeStructure.Entity root = parse(m.toString());
        assertThat(root.children).hasSize(MimeStructure.MAX_PARTS);
        assertThat(new String(m.toString().getBytes(StandardCharsets.UTF_8), root.children.get(0).bodyStart, 1, StandardCharsets.UTF_8))
                .isEqualTo("0");
    }

    @Test
    void headerFieldsAreUnfoldedWithTheirRawRange() {
        String message = "Subject: a\r\n  folded\r\nX-Empty:\r\nno colon here\r\n\r\nbody";
        MimeStructure.Entity e = parse(message);
        assertThat(e.fields).extracting(MimeStructure.HeaderField::name).containsExactly("Subject", "X-Empty");
        assertThat(e.header("subject")).isEqualTo("a  folded");
        assertThat(e.header("X-Empty")).isEmpty();
        assertThat(message.substring(e.fields.get(0).start(), e.fields.get(0).end())).isEqualTo("Subject: a\r\n  folded\r\n");
    }

    @Test
    void linesCountsAnUnterminatedLastLine() {
        byte[] b = "a\r\nb\r\nc".getBytes(StandardCharsets.US_ASCII);
        assertThat(MimeStructure.lines(b, 0, b.length)).isEqualTo(3);
        assertThat(MimeStructure.lines(b, 0, 6)).isEqualTo(2);
        assertThat(MimeStructure.lines(b, 3, 3)).isZero();
    }
}
