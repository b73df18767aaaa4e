package io.sealmail.engine.smtp;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The framing layer alone, fed the same input whole, octet by octet and in random fragments: the frames
 * must not depend on where TCP splits the stream (Netty's SmtpResponseDecoderTest does the same).
 */
class SmtpFrameDecoderTest {

    /** Plays the session's part: switches the decoder after DATA and BDAT, records what comes out. */
    private static final class Recorder extends ChannelInboundHandlerAdapter {
        final SmtpFrameDecoder decoder;
        final List<String> frames = new ArrayList<>();
        final StringBuilder content = new StringBuilder();

        Recorder(SmtpFrameDecoder decoder) {
            this.decoder = decoder;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof SmtpFrame.CommandLine line) {
                    frames.add("CMD " + line.text());
                    String upper = line.text().toUpperCase();
                    if (upper.equals("DATA")) {
                        decoder.expectData();
                    } else if (upper.startsWith("BDAT ")) {
                        String[] parts = line.text().split(" ");
                        decoder.expectChunk(Long.parseLong(parts[1]), frames.stream().noneMatch(f -> f.startsWith("END")));
                    }
                } else if (msg instanceof SmtpFrame.CommandTooLong) {
                    frames.add("TOO LONG");
                } else if (msg instanceof SmtpFrame.Content c) {
                    content.append(c.content().toString(StandardCharsets.ISO_8859_1));
                } else if (msg instanceof SmtpFrame.ContentEnd end) {
                    // Content passed on before a violation depends on fragmentation; the session discards it.
                    frames.add("CONTENT " + (end.violation() == null ? escape(content.toString()) : "-"));
                    content.setLength(0);
                    frames.add("END " + (end.violation() == null ? "ok" : end.violation()));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    static String escape(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }

    /** Feeds the input whole, octet by octet and in random fragments; all three must agree. */
    static List<String> frames(String input, int maxCommand, int maxText) {
        byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
        List<String> whole = run(bytes, new int[] {bytes.length}, maxCommand, maxText);
        int[] single = new int[bytes.length];
        java.util.Arrays.fill(single, 1);
        assertThat(run(bytes, single, maxCommand, maxText)).as("octet by octet").isEqualTo(whole);
        Random random = new Random(bytes.length);
        for (int round = 0; round < 20; round++) {
            List<Integer> cuts = new ArrayList<>();
            int left = bytes.length;
            while (left > 0) {
                int n = Math.min(left, 1 + random.nextInt(7));
                cuts.add(n);
                left -= n;
            }
            assertThat(run(bytes, cuts.stream().mapToInt(i -> i).toArray(), maxCommand, maxText))
                    .as("fragments %s", cuts).isEqualTo(whole);
        }
        return whole;
    }

    static List<String> frames(String input) {
        return frames(input, 512, 1000);
    }

    private static List<String> run(byte[] bytes, int[] pieces, int maxCommand, int maxText) {
        SmtpFrameDecoder decoder = new SmtpFrameDecoder(maxCommand, maxText);
        Recorder recorder = new Recorder(decoder);
        EmbeddedChannel channel = new EmbeddedChannel(decoder, recorder);
        int offset = 0;
        for (int n : pieces) {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, offset, n));
            offset += n;
        }
        channel.finishAndReleaseAll();
        return recorder.frames;
    }

    @Test
    void commandsEndAtCrlfAndAtBareLf() {
        assertThat(frames("EHLO a\r\nNOOP\nQUIT\r\n")).containsExactly("CMD EHLO a", "CMD NOOP", "CMD QUIT");
    }

    @Test
    void anIncompleteCommandWaitsForItsLineEnd() {
        assertThat(frames("NOOP\r\nQUI")).containsExactly("CMD NOOP");
    }

    @Test
    void aCommandLineOfExactlyTheLimitIsAccepted() {
        String line = "NOOP " + "x".repeat(512 - 7);
        assertThat(frames(line + "\r\nQUIT\r\n")).containsExactly("CMD " + line, "CMD QUIT");
    }

    @Test
    void aCommandLineOneOctetOverTheLimitIsDiscardedAndFramingResumesAtTheNextLine() {
        String line = "NOOP " + "x".repeat(512 - 6);
        assertThat(frames(line + "\r\nQUIT\r\n")).containsExactly("TOO LONG", "CMD QUIT");
    }

    @Test
    void authLinesMayBeAsLongAsRfc4954Allows() {
        String auth = "AUTH PLAIN " + "A".repeat(12288 - 13);
        assertThat(frames(auth + "\r\nNOOP\r\n")).containsExactly("CMD " + auth, "CMD NOOP");
        assertThat(frames(auth + "A\r\nNOOP\r\n")).containsExactly("TOO LONG", "CMD NOOP");
        assertThat(frames("NOOP " + "A".repeat(600) + "\r\nNOOP\r\n")).containsExactly("TOO LONG", "CMD NOOP");
    }

    @Test
    void aHugeCommandLineIsNotBuffered() {
        SmtpFrameDecoder decoder = new SmtpFrameDecoder(512, 1000);
        Recorder recorder = new Recorder(decoder);
        EmbeddedChannel channel = new EmbeddedChannel(decoder, recorder);
        byte[] junk = "A".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 64; i++) {
            channel.writeInbound(Unpooled.wrappedBuffer(junk));
        }
        assertThat(recorder.frames).isEmpty();
        channel.writeInbound(Unpooled.copiedBuffer("A\r\nNOOP\r\n", StandardCharsets.US_ASCII));
        assertThat(recorder.frames).containsExactly("TOO LONG", "CMD NOOP");
        channel.finishAndReleaseAll();
    }

    @Test
    void dataEndsAtCrlfDotCrlfAndIsDotUnstuffed() {
        assertThat(frames("DATA\r\nSubject: x\r\n\r\n..leading dot\r\n..\r\nend\r\n.\r\nQUIT\r\n")).containsExactly(
                "CMD DATA", "CONTENT Subject: x\\r\\n\\r\\n.leading dot\\r\\n.\\r\\nend\\r\\n", "END ok", "CMD QUIT");
    }

    @Test
    void emptyDataIsJustTheTerminator() {
        assertThat(frames("DATA\r\n.\r\nNOOP\r\n")).containsExactly("CMD DATA", "CONTENT ", "END ok", "CMD NOOP");
    }

    @Test
    void aStuffedLoneDotLineBecomesADot() {
        assertThat(frames("DATA\r\na\r\n..\r\n.\r\n")).containsExactly("CMD DATA", "CONTENT a\\r\\n.\\r\\n", "END ok");
    }

    @Test
    void dotsInsideALineAreContent() {
        assertThat(frames("DATA\r\na.b\r\n x.\r\n.\r\n")).containsExactly("CMD DATA", "CONTENT a.b\\r\\n x.\\r\\n", "END ok");
    }

    /**
     * SMTP smuggling: each sequence is a fake end-of-data that some server in the path might honour. We must
     * treat it as content, refuse the message, and never run the commands hidden behind it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r.\r\n", "\n.\r", "\r\n.\r", "\r\n.\rX\r\n"})
    void smugglingSequencesDoNotEndDataAndRefuseTheMessage(String fakeEnd) {
        String input = "DATA\r\nSubject: hi\r\n\r\nbody" + fakeEnd
                + "MAIL FROM:<evil@x>\r\nRCPT TO:<victim@y>\r\nDATA\r\nforged\r\n.\r\nNOOP\r\n";
        List<String> out = frames(input);
        assertThat(out).hasSize(4);
        assertThat(out.get(0)).isEqualTo("CMD DATA");
        assertThat(out.get(1)).isEqualTo("CONTENT -");
        assertThat(out.get(2)).isIn("END BARE_LF", "END BARE_CR");
        assertThat(out.get(3)).isEqualTo("CMD NOOP");
    }

    @Test
    void aBareLfLineIsRefusedEvenWhenItLooksHarmless() {
        assertThat(frames("DATA\r\nline one\nline two\r\n.\r\n")).containsExactly("CMD DATA", "CONTENT -", "END BARE_LF");
    }

    @Test
    void aBareCrIsRefused() {
        assertThat(frames("DATA\r\nline\r one\r\n.\r\n")).containsExactly("CMD DATA", "CONTENT -", "END BARE_CR");
    }

    @Test
    void aTextLineAtTheLimitIsAcceptedAndOneOverIsRefused() {
        String ok = "x".repeat(98);
        assertThat(frames("DATA\r\n" + ok + "\r\n.\r\n", 512, 100)).containsExactly("CMD DATA", "CONTENT " + ok + "\\r\\n", "END ok");
        assertThat(frames("DATA\r\n" + ok + "y\r\n.\r\nNOOP\r\n", 512, 100))
                .containsExactly("CMD DATA", "CONTENT -", "END LINE_TOO_LONG", "CMD NOOP");
    }

    @Test
    void theStuffingDotCountsTowardsTheTextLineLimit() {
        String line = "." + "x".repeat(98);
        assertThat(frames("DATA\r\n." + line + "\r\n.\r\n", 512, 100)).containsExactly("CMD DATA", "CONTENT -", "END LINE_TOO_LONG");
    }

    @Test
    void bdatChunksAreCountedExactlyAndNotUnstuffed() {
        assertThat(frames("BDAT 7\r\n.\r\nab\r\nBDAT 4 LAST\r\n..\r\nNOOP\r\n")).containsExactly(
                "CMD BDAT 7", "CONTENT .\\r\\nab\\r\\n", "END ok", "CMD BDAT 4 LAST", "CONTENT ..\\r\\n", "END ok", "CMD NOOP");
    }

    @Test
    void aBdatChunkMayHoldWhatLooksLikeCommands() {
        assertThat(frames("BDAT 12 LAST\r\nQUIT\r\nRSET\r\nNOOP\r\n")).containsExactly(
                "CMD BDAT 12 LAST", "CONTENT QUIT\\r\\nRSET\\r\\n", "END ok", "CMD NOOP");
    }

    @Test
    void bareLfInBdatIsRefusedAcrossChunkBoundaries() {
        assertThat(frames("BDAT 3\r\nab\rBDAT 2 LAST\r\nx\n")).containsExactly(
                "CMD BDAT 3", "CONTENT ab\\r", "END ok", "CMD BDAT 2 LAST", "CONTENT -", "END BARE_CR");
        assertThat(frames("BDAT 3 LAST\r\na\nb")).containsExactly("CMD BDAT 3 LAST", "CONTENT -", "END BARE_LF");
    }

    @Test
    void pausedDecoderHoldsInputUntilResumed() {
        SmtpFrameDecoder decoder = new SmtpFrameDecoder(512, 1000);
        Recorder recorder = new Recorder(decoder);
        EmbeddedChannel channel = new EmbeddedChannel(decoder, recorder);
        decoder.pause();
        channel.writeInbound(Unpooled.copiedBuffer("NOOP\r\nQUIT\r\n", StandardCharsets.US_ASCII));
        assertThat(recorder.frames).isEmpty();
        decoder.resume();
        assertThat(recorder.frames).containsExactly("CMD NOOP", "CMD QUIT");
        channel.finishAndReleaseAll();
    }

    @Test
    void discardedInputIsNeverFramed() {
        SmtpFrameDecoder decoder = new SmtpFrameDecoder(512, 1000);
        List<String> seen = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                SmtpFrame.CommandLine line = (SmtpFrame.CommandLine) msg;
                seen.add(line.text());
                if (line.text().equals("STARTTLS")) {
                    decoder.discardBufferedInput();
                }
            }
        });
        channel.writeInbound(Unpooled.copiedBuffer("STARTTLS\r\nMAIL FROM:<evil@x>\r\n", StandardCharsets.US_ASCII));
        channel.writeInbound(Unpooled.copiedBuffer("EHLO after\r\n", StandardCharsets.US_ASCII));
        assertThat(seen).containsExactly("STARTTLS", "EHLO after");
        channel.finishAndReleaseAll();
    }
}
