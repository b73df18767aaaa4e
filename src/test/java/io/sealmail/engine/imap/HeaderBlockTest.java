package io.sealmail.engine.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The in-place reading of cached header fields answers exactly what parsing them with {@link MimeStructure} answers,
 * on the awkward cases: folded fields, 8-bit values, names in any case or with space before the colon, repeated
 * fields, a line without a colon, bare LF line ends.
 */
class HeaderBlockTest {
    private static final String BLOCK = "From: Ann Example <ann@example.com>\r\n"
            + "to: bob@example.com,\r\n carol@example.com\r\n"
            + "Subject: =?utf-8?q?caf=C3=A9?= Meeting\r\n"
            + "no colon on this line\r\n"
            + "Cc : dave@example.com\r\n"
            + "X-Other: cc: not a cc\r\n"
            + "Subject: Second subject\r\n"
            + "Reply-To: Émile <emile@example.com>\n"
            + "Date:   Tue, 1 Dec 2026 10:00:00 +0000   \r\n";

    private static ByteBuffer block() {
        // a view in the middle of a larger buffer, as cache entries are
        byte[] all = ("xx" + BLOCK + "yy").getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.wrap(all).slice(2, all.length - 4).asReadOnlyBuffer();
    }

    @Test
    void headerFieldsAreTheOnesParsingSelects() {
        byte[] bytes = BLOCK.getBytes(StandardCharsets.UTF_8);
        MimeStructure.Entity parsed = MimeStructure.parse(bytes);
        for (List<String> names : List.of(List.of("FROM", "TO", "CC", "SUBJECT", "DATE", "MESSAGE-ID"), List.of("SUBJECT"),
                List.of("REPLY-TO", "CC"), List.of("X-NOTHING"), List.of("NO COLON ON THIS LINE"))) {
            FetchItem item = new FetchItem(FetchItem.Kind.SECTION, List.of(), "HEADER.FIELDS", names, "BODY[HEADER.FIELDS]", -1, -1, true);
            byte[] expected = FetchCommand.section(bytes, parsed, item);
            ByteBuf out = Unpooled.buffer();
            int length = HeaderBlock.fields(block(), names, out);
            assertThat(out.toString(StandardCharsets.UTF_8)).as("fields %s", names).isEqualTo(new String(expected, StandardCharsets.UTF_8));
            assertThat(length).isEqualTo(expected.length).isEqualTo(HeaderBlock.fields(block(), names, null));
        }
    }

    @Test
    void searchMatchesWhatTheParsedValueContains() {
        MimeStructure.Entity parsed = MimeStructure.parse(BLOCK.getBytes(StandardCharsets.UTF_8));
        String[][] cases = {
            {"FROM", "ann"}, {"FROM", "EXAMPLE.COM>"}, {"FROM", "zed"}, {"TO", "carol"}, {"TO", "com, carol"},
            {"TO", "com,\r\n carol"}, {"SUBJECT", "meeting"}, {"SUBJECT", "second"}, {"SUBJECT", "café"},
            {"SUBJECT", "CAF=C3"}, {"CC", "dave"}, {"CC", "not a cc"}, {"REPLY-TO", "émile"}, {"REPLY-TO", "emile@"},
            {"REPLY-TO", "ÉMILE"}, {"REPLY-TO", "e\u0301mile"}, {"SUBJECT", "ﬁ"}, {"DATE", "tue, 1"}, {"DATE", "0000 "}, {"DATE", " tue"}, {"BCC", ""}, {"BCC", "x"},
            {"FROM", ""}, {"SUBJECT", "subject"}, {"X-OTHER", "cc:"}, {"NO COLON ON THIS LINE", ""},
        };
        for (String[] c : cases) {
            UnicodeCasemap.Needle needle = UnicodeCasemap.Needle.of(c[1]);
            int expected = -1;
            for (MimeStructure.HeaderField f : parsed.fields) {
                if (f.name().equalsIgnoreCase(c[0])) {
                    expected = Math.max(expected, UnicodeCasemap.headerContains(f.value(), needle) ? 1 : 0);
                }
            }
            assertThat(HeaderBlock.search(block(), c[0].toUpperCase(Locale.ROOT), needle)).as("%s %s", c[0], c[1]).isEqualTo(expected);
        }
        // The encoded word is decoded before the comparison (as Dovecot does): its octets are not searched.
        assertThat(HeaderBlock.search(block(), "SUBJECT", UnicodeCasemap.Needle.of("CAF=C3"))).isZero();
        assertThat(HeaderBlock.search(block(), "SUBJECT", UnicodeCasemap.Needle.of("CAFÉ MEET"))).isOne();
        assertThat(HeaderBlock.search(block(), "REPLY-TO", UnicodeCasemap.Needle.of("Mile <"))).isOne();
        assertThat(HeaderBlock.search(block(), "REPLY-TO", UnicodeCasemap.Needle.of("emile <"))).as("NFKD keeps the acute accent between E and M").isZero();
        assertThat(HeaderBlock.search(block(), "TO", UnicodeCasemap.Needle.of("com, carol"))).as("unfolded").isOne();
    }
}
