package io.sealmail.engine.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ImapCommandDecoderTest {

    private static final ImapLimits LIMITS = ImapLimits.DEFAULTS.withMaxLiteralSize(1000).withMaxLineLength(200)
            .withMaxCommandSize(3000);

    /** A logged-in client's framer: the configured limits apply. */
    private static EmbeddedChannel channel() {
        ImapCommandDecoder decoder = new ImapCommandDecoder(LIMITS);
        decoder.authenticated();
        return new EmbeddedChannel(decoder);
    }

    private static void send(EmbeddedChannel ch, String s) {
        ch.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    private static String outbound(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            sb.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return sb.toString();
    }

    private static List<Object> inbound(EmbeddedChannel ch) {
        List<Object> all = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            all.add(o);
        }
        return all;
    }

    /** Before login a literal may carry a password, not a mailbox: 64 MiB announced by anyone must not be read. */
    @Test
    void beforeAuthenticationALiteralPastAFewKibIsRefusedUnreadThenTheConfiguredLimitAppliesAfterLogin() {
        ImapCommandDecoder decoder = new ImapCommandDecoder(ImapLimits.DEFAULTS.withMaxLiteralSize(64L << 20)
                .withMaxCommandSize(65L << 20));
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        send(ch, "a1 LOGIN {66000000}\r\n");
        assertThat(outbound(ch)).as("no continuation").isEmpty();
        assertThat(inbound(ch)).containsExactly(new ImapInput.Rejected("a1",
                "a1 BAD [TOOBIG] Literal larger than 8192 octets before authentication", false));
        // a password literal fits
        send(ch, "a2 LOGIN {8}\r\n");
        assertThat(outbound(ch)).isEqualTo(ImapCommandDecoder.CONTINUATION);
        send(ch, "joe@x.io {8192}\r\n");
        assertThat(outbound(ch)).isEqualTo(ImapCommandDecoder.CONTINUATION);
        send(ch, "p".repeat(8192) + "\r\n");
        ImapInput.Command login = (ImapInput.Command) inbound(ch).get(0);
        assertThat(login.literals()).hasSize(2);
        assertThat(login.literals().get(1).bytes()).hasSize(8192);
        // LITERAL+ past the bound: the octets are already coming, so the connection ends (RFC 7888 §4)
        EmbeddedChannel plus = new EmbeddedChannel(new ImapCommandDecoder(ImapLimits.DEFAULTS));
        send(plus, "x XYZ {50000000+}\r\n");
        assertThat(inbound(plus)).containsExactly(new ImapInput.Rejected("x",
                "x BAD [TOOBIG] Literal larger than 8192 octets before authentication", true));
        // after login the configured limit applies
        decoder.authenticated();
        send(ch, "a3 APPEND INBOX {9000}\r\n");
        assertThat(outbound(ch)).isEqualTo(ImapCommandDecoder.CONTINUATION);
        send(ch, "m".repeat(9000) + "\r\n");
        assertThat(((ImapInput.Command) inbound(ch).get(0)).literals().get(0).bytes()).hasSize(9000);
    }

    @Test
    void beforeAuthenticationACommandIsBoundedByALineAndOneSmallLiteral() {
        EmbeddedChannel ch = new EmbeddedChannel(new ImapCommandDecoder(ImapLimits.DEFAULTS));
        send(ch, "a1 X {8000}\r\n");
        for (int i = 0; i < 9; i++) { // nine literals of 8,000 fit in 73,728 octets, the tenth does not
            assertThat(inbound(ch)).as("after %d literals", i).isEmpty();
            send(ch, "a".repeat(8000));
            send(ch, " {8000}\r\n");
        }
        assertThat(inbound(ch)).containsExactly(new ImapInput.Rejected("a1",
                "a1 BAD [TOOBIG] Command larger than " + (65536 + 8192) + " octets before authentication", false));
    }

    @Test
    void simpleLinesSplitAtEveryByte() {
        EmbeddedChannel ch = channel();
        String input = "a1 NOOP\r\na2 LOGIN \"joe\" secret\r\n";
        for (char c : input.toCharArray()) {
            send(ch, String.valueOf(c));
        }
        List<Object> in = inbound(ch);
        assertThat(in).hasSize(2);
        assertThat(((ImapInput.Command) in.get(0)).firstLine()).isEqualTo("a1 NOOP");
        assertThat(((ImapInput.Command) in.get(1)).firstLine()).isEqualTo("a2 LOGIN \"joe\" secret");
    }

    @Test
    void synchronizingLiteralGetsContinuationThenData() {
        EmbeddedChannel ch = channel();
        send(ch, "a LOGIN {3}\r\n");
        assertThat(outbound(ch)).isEqualTo("+ Ready for literal data\r\n");
        assertThat(inbound(ch)).isEmpty();
        send(ch, "j");
        send(ch, "oe {6}\r");
        send(ch, "\n");
        assertThat(outbound(ch)).isEqualTo("+ Ready for literal data\r\n");
        send(ch, "se\r\nre\r\n");
        List<Object> in = inbound(ch);
        assertThat(in).hasSize(1);
        ImapInput.Command c = (ImapInput.Command) in.get(0);
        assertThat(c.lines()).containsExactly("a LOGIN {3}", " {6}", "");
        assertThat(new String(c.literals().get(0).bytes())).isEqualTo("joe");
        assertThat(new String(c.literals().get(1).bytes())).isEqualTo("se\r\nre");
    }

    @Test
    void nonSynchronizingLiteralHasNoContinuation() {
        EmbeddedChannel ch = channel();
        send(ch, "a APPEND INBOX {5+}\r\nhello\r\nb NOOP\r\n");
        assertThat(outbound(ch)).isEmpty();
        List<Object> in = inbound(ch);
        assertThat(in).hasSize(2);
        assertThat(((ImapInput.Command) in.get(0)).literals().get(0).bytes()).isEqualTo("hello".getBytes());
    }

    @Test
    void binaryLiteralKeepsNul() {
        EmbeddedChannel ch = channel();
        send(ch, "a APPEND INBOX ~{3+}\r\n");
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 1, 2, '\r', '\n'}));
        ImapInput.Command c = (ImapInput.Command) inbound(ch).get(0);
        assertThat(c.literals().get(0).binary()).isTrue();
        assertThat(c.literals().get(0).bytes()).containsExactly(0, 1, 2);
    }

    @Test
    void zeroLengthLiteral() {
        EmbeddedChannel ch = channel();
        send(ch, "a LOGIN {0}\r\n x\r\n");
        ImapInput.Command c = (ImapInput.Command) inbound(ch).get(0);
        assertThat(c.literals().get(0).bytes()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1001", "4294967296", "18446744073709551616", "99999999999999999999999999999"})
    void oversizedSynchronizingLiteralIsRefusedWithoutContinuation(String size) {
        EmbeddedChannel ch = channel();
        send(ch, "t1 APPEND INBOX {" + size + "}\r\n");
        assertThat(outbound(ch)).isEmpty();
        List<Object> in = inbound(ch);
        assertThat(in).containsExactly(new ImapInput.Rejected("t1",
                "t1 NO [TOOBIG] Literal larger than 1000 octets", false));
        // the session goes on: the client never sent the literal
        send(ch, "t2 NOOP\r\n");
        assertThat(((ImapInput.Command) inbound(ch).get(0)).firstLine()).isEqualTo("t2 NOOP");
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void oversizedLiteralOutsideAppendIsBad() {
        EmbeddedChannel ch = channel();
        send(ch, "t1 LOGIN {4294967296}\r\n");
        assertThat(inbound(ch)).containsExactly(new ImapInput.Rejected("t1",
                "t1 BAD [TOOBIG] Literal larger than 1000 octets", false));
    }

    @Test
    void oversizedNonSynchronizingLiteralIsFatalAndTheRestIsIgnored() {
        EmbeddedChannel ch = channel();
        send(ch, "t1 APPEND INBOX {4294967296+}\r\n");
        send(ch, "t2 DELETE INBOX\r\n");
        List<Object> in = inbound(ch);
        assertThat(in).containsExactly(new ImapInput.Rejected("t1",
                "t1 NO [TOOBIG] Literal larger than 1000 octets", true));
    }

    @Test
    void literalsThatTogetherExceedTheCommandSizeAreRefused() {
        EmbeddedChannel ch = channel();
        send(ch, "t1 X {900}\r\n");
        send(ch, "a".repeat(900));
        send(ch, " {900}\r\n");
        send(ch, "b".repeat(900));
        send(ch, " {900}\r\n");
        send(ch, "c".repeat(900));
        send(ch, " {900}\r\n");
        assertThat(inbound(ch)).containsExactly(new ImapInput.Rejected("t1",
                "t1 BAD [TOOBIG] Command larger than 3000 octets", false));
    }

    @Test
    void overlongLineIsFatal() {
        EmbeddedChannel ch = channel();
        send(ch, "t1 NOOP " + "x".repeat(150));
        assertThat(inbound(ch)).isEmpty();
        send(ch, "x".repeat(100));
        List<Object> in = inbound(ch);
        assertThat(in).hasSize(1);
        ImapInput.Rejected r = (ImapInput.Rejected) in.get(0);
        assertThat(r.close()).isTrue();
        assertThat(r.response()).startsWith("* BYE [TOOBIG]");
        send(ch, "\r\nt2 NOOP\r\n");
        assertThat(inbound(ch)).isEmpty();
    }

    @Test
    void lineJustUnderTheLimitIsAccepted() {
        EmbeddedChannel ch = channel();
        String line = "t1 NOOP " + "x".repeat(200 - 10);
        send(ch, line + "\r\n");
        assertThat(((ImapInput.Command) inbound(ch).get(0)).firstLine()).isEqualTo(line);
    }

    @Test
    void discardBufferedDropsPipelinedPlaintext() {
        ImapCommandDecoder decoder = new ImapCommandDecoder(LIMITS);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        send(ch, "a STARTTLS\r\nb LOGIN joe sec");
        assertThat(inbound(ch)).hasSize(1);
        assertThat(decoder.bufferedBytes()).isGreaterThan(0);
        assertThat(decoder.discardBufferedInput()).isGreaterThan(0);
        assertThat(decoder.bufferedBytes()).isZero();
        send(ch, "c NOOP\r\n");
        assertThat(((ImapInput.Command) inbound(ch).get(0)).firstLine()).isEqualTo("c NOOP");
    }
}
