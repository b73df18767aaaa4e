package io.sealmail.engine.imap;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** PREVIEW text (RFC 8970) from real message shapes: which part, which decoding, what is left out, where it is cut. */
class PreviewTest {
    private static String preview(String message) {
        return preview(message.replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String preview(byte[] message) {
        return Preview.of(message, MimeStructure.parse(message));
    }

    @Test
    void plainTextWithWhiteSpaceCollapsedAndQuotesSkipped() {
        assertThat(preview("Subject: x\n\nHello  Ann,\n\n> what you wrote\n>> and before\n\tsee you\n"))
                .isEqualTo("Hello Ann, see you");
    }

    @Test
    void theFirstTextPlainPartNotTheAttachment() {
        String m = "Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain; name=a.txt\n"
                + "Content-Disposition: attachment; filename=a.txt\n\nattached\n--B\nContent-Type: multipart/alternative; boundary=C\n\n"
                + "--C\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nCaf=E9 au lait=\n ce soir\n"
                + "--C\nContent-Type: text/html\n\n<p>html</p>\n--C--\n--B--\n";
        assertThat(preview(m)).isEqualTo("Café au lait ce soir");
    }

    @Test
    void htmlOnlyWithoutTagsStyleOrEntities() {
        String m = "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
                + java.util.Base64.getMimeEncoder().encodeToString(("<html><head><title>t</title><style>p{color:red}</style></head>"
                + "<body><p>Fish &amp; chips&nbsp;&lt;today&gt;</p><script>alert(1)</script><!-- hidden --></body></html>")
                .getBytes(StandardCharsets.UTF_8)) + "\n";
        assertThat(preview(m)).isEqualTo("Fish & chips <today>");
    }

    @Test
    void cutAtTwoHundredCharactersNeverInsideASurrogatePair() {
        String emoji = "\uD83D\uDE00"; // one character, two UTF-16 units
        String body = "a".repeat(199) + emoji + "tail";
        String p = preview(("Content-Type: text/plain; charset=utf-8\n\n" + body + "\n").replace("\n", "\r\n")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(p.codePointCount(0, p.length())).isEqualTo(Preview.MAX_CHARS);
        assertThat(p).endsWith(emoji);
    }

    @Test
    void noTextPartOrDamagedEncodingGivesEmpty() {
        assertThat(preview("Content-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n")).isEmpty();
        assertThat(preview("Content-Type: text/plain; charset=no-such-charset\nContent-Transfer-Encoding: base64\n\n%%%%\n")).isEmpty();
        assertThat(preview("Content-Type: text/plain; charset=no-such-charset\n\nstill read\n")).isEqualTo("still read");
        assertThat(preview("Subject: control\n\nbell\u0007and\u0000nul\n")).isEqualTo("bell and nul");
    }

    @Test
    void onlyTheStartOfAHugePartIsRead() {
        String m = "Content-Type: text/plain\n\n" + "word ".repeat(1_000_000) + "\n";
        assertThat(preview(m)).hasSize(Preview.MAX_CHARS - 1).startsWith("word word");
    }
}
