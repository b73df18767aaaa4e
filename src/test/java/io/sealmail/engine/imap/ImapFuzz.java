package io.sealmail.engine.imap;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.sealmail.store.mailbox.MailboxException;

import java.util.ArrayList;
import java.util.List;

/**
 * Jazzer fuzz targets for what reads a hostile IMAP client's bytes and a hostile sender's message: the command
 * framer and parser with the argument grammars behind them, and the MIME structure parser with the FETCH
 * responses built from it. A target fails on any exception other than the parser's own syntax error, on an
 * answer that breaks an invariant, on a hang and on running out of memory.
 * <p>
 * Not in the default test run (the class name does not end in Test). Regression run over the seeds in
 * src/test/resources/io/sealmail/engine/imap/ImapFuzzInputs: {@code ./mvnw -q test -Dtest=ImapFuzz}. Fuzzing, one
 * target at a time: {@code JAZZER_FUZZ=1 ./mvnw -q test -Dtest='ImapFuzz#imapCommand'} (stops after 10 million runs or 60 minutes)
 * (figures in docs/fuzzing.md).
 */
class ImapFuzz {
    /** Small bounds, so the fuzzer reaches them: every one answers with a clear refusal, never an exception. */
    private static final ImapLimits LIMITS = ImapLimits.DEFAULTS.withMaxLineLength(2048).withMaxLiteralSize(4096)
            .withMaxCommandSize(16384).withMaxNestingDepth(8).withMaxSequenceRanges(64);

    /**
     * Bytes from a client, split where the fuzzer chooses (TCP may cut anywhere), through the framer; each framed
     * command through the parser, then the argument grammars a command would apply: sequence sets, FETCH items,
     * SEARCH keys, flags and mailbox names.
     */
    @FuzzTest(maxDuration = "60m", maxExecutions = 10_000_000)
    void imapCommand(FuzzedDataProvider data) {
        List<byte[]> pieces = new ArrayList<>();
        while (data.remainingBytes() > 0) {
            byte[] piece = data.consumeBytes(data.consumeInt(1, 512));
            if (piece.length == 0) {
                break;
            }
            pieces.add(piece);
        }
        imapCommand(pieces);
    }

    /** The bytes arrive in these pieces. */
    static void imapCommand(List<byte[]> pieces) {
        EmbeddedChannel channel = new EmbeddedChannel(new ImapCommandDecoder(LIMITS));
        try {
            for (byte[] bytes : pieces) {
                channel.writeInbound(Unpooled.wrappedBuffer(bytes));
                for (Object in; (in = channel.readInbound()) != null; ) {
                    if (in instanceof ImapInput.Command command) {
                        command(command);
                    } else if (in instanceof ImapInput.Rejected rejected && !rejected.response().startsWith(rejected.tag() + " ")) {
                        throw new IllegalStateException("a refusal without its tag: " + rejected);
                    }
                }
                if (!channel.isOpen()) {
                    break;
                }
            }
        } finally {
            for (Object out; (out = channel.readOutbound()) != null; ) {
                ((ByteBuf) out).release();
            }
            channel.finishAndReleaseAll();
        }
    }

    private static void command(ImapInput.Command command) {
        if (command.lines().size() != command.literals().size() + 1) {
            throw new IllegalStateException("lines and literals out of step: " + command);
        }
        ImapRequest request;
        try {
            request = ImapRequest.parse(command, LIMITS);
        } catch (ImapSyntaxException refused) {
            return; // a tagged or untagged BAD
        }
        if (request.tag().isEmpty() || request.name().isEmpty()) {
            throw new IllegalStateException("parsed without a tag or a name: " + request);
        }
        List<ImapArg> args = new ArrayList<>();
        ImapArgs cursor = request.args();
        while (cursor.hasNext()) {
            args.add(cursor.next("argument"));
        }
        // Every grammar gets every argument: a syntax error is the only acceptable refusal.
        ImapArgs errors = new ImapArgs(request.tag(), List.of(), LIMITS);
        for (ImapArg arg : args) {
            String text = ImapArg.stringValue(arg);
            if (arg instanceof ImapArg.Atom atom) {
                refusedOrParsed(() -> SequenceSet.parse(atom.value(), LIMITS.maxSequenceRanges()));
                refusedOrParsed(() -> FetchItem.parse(atom.value(), new ImapArgs(request.tag(), args, LIMITS)));
            }
            if (text != null) {
                for (boolean utf8 : new boolean[] {true, false}) {
                    refusedOrParsed(() -> {
                        String name = MailboxName.decode(text, utf8);
                        try {
                            MailboxNameRules.checkNew(name);
                        } catch (MailboxException refused) {
                            return; // NO [LIMIT] or NO [CANNOT]
                        }
                        if (!MailboxName.decode(MailboxName.encode(name, utf8), utf8).equals(name)) {
                            throw new IllegalStateException("mailbox name does not survive encoding: " + name);
                        }
                    });
                }
            }
        }
        refusedOrParsed(() -> SearchKey.parse(args, errors));
    }

    /**
     * A stored message whose bytes the sender chose: its MIME structure, then what FETCH builds from it (ENVELOPE,
     * BODY, BODYSTRUCTURE and a section the fuzzer names). Every entity lies inside its parent, and every response
     * is a well-formed IMAP list that our own parser reads back, as a client would.
     */
    @FuzzTest(maxDuration = "60m", maxExecutions = 10_000_000)
    void mimeStructure(FuzzedDataProvider data) {
        String section = data.consumeString(64);
        mimeStructure(section, data.consumeRemainingAsBytes());
    }

    /** A message and the section a client asks of it. */
    static void mimeStructure(String section, byte[] message) {
        MimeStructure.Entity root = MimeStructure.parse(message);
        int[] entities = {0};
        inside(root, 0, message.length, message.length, entities);

        readBack(w -> MessageStructureWriter.envelope(w, root));
        readBack(w -> MessageStructureWriter.bodyStructure(w, message, root, false));
        readBack(w -> MessageStructureWriter.bodyStructure(w, message, root, true));

        List<FetchItem> items;
        try {
            items = FetchItem.parse("BODY.PEEK[" + section + "]", new ImapArgs("t", List.of(), LIMITS));
        } catch (ImapSyntaxException refused) {
            return;
        }
        for (FetchItem item : items) {
            if (item.kind() == FetchItem.Kind.SECTION) {
                byte[] bytes = FetchCommand.section(message, root, item);
                if (bytes.length > message.length + 2) {
                    throw new IllegalStateException("a section larger than its message: " + bytes.length);
                }
            }
        }
    }

    /** Every entity within [from, to) of a message of {@code length} octets; at most MAX_PARTS (+ nesting) of them. */
    private static void inside(MimeStructure.Entity e, int from, int to, int length, int[] count) {
        if (++count[0] > MimeStructure.MAX_PARTS + MimeStructure.MAX_DEPTH + 1) {
            throw new IllegalStateException("more entities than the bound: " + count[0]);
        }
        if (e.start < from || e.start > e.bodyStart || e.bodyStart > e.end || e.end > to || to > length) {
            throw new IllegalStateException("entity [" + e.start + ", " + e.bodyStart + ", " + e.end + ") outside [" + from + ", " + to + ")");
        }
        for (MimeStructure.HeaderField f : e.fields) {
            if (f.start() < e.start || f.end() > e.bodyStart || f.start() > f.end()) {
                throw new IllegalStateException("header field outside its header: " + f);
            }
        }
        for (MimeStructure.Entity child : e.children) {
            inside(child, e.bodyStart, e.end, length, count);
        }
        if (e.message != null) {
            inside(e.message, e.bodyStart, e.end, length, count);
        }
    }

    /** Limits wide enough for any response the writer makes for a bounded message. */
    private static final ImapLimits READ_BACK = ImapLimits.DEFAULTS.withMaxNestingDepth(4 * MimeStructure.MAX_DEPTH + 8)
            .withMaxLineLength(Integer.MAX_VALUE).withMaxCommandSize(Long.MAX_VALUE);

    /** What the writer produced, framed and parsed as a client reads it: one list, nothing left over. */
    private static void readBack(java.util.function.Consumer<ResponseWriter> write) {
        ResponseWriter w = new ResponseWriter(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, false);
        write.accept(w);
        ByteBuf response = w.buffer();
        EmbeddedChannel channel = new EmbeddedChannel(new ImapCommandDecoder(READ_BACK));
        try {
            channel.writeInbound(Unpooled.wrappedBuffer(Unpooled.copiedBuffer("t1 X ", java.nio.charset.StandardCharsets.US_ASCII),
                    response, Unpooled.copiedBuffer("\r\n", java.nio.charset.StandardCharsets.US_ASCII)));
            Object in = channel.readInbound();
            if (!(in instanceof ImapInput.Command command) || channel.readInbound() != null) {
                throw new IllegalStateException("the response does not frame as one line: " + in);
            }
            ImapRequest parsed = ImapRequest.parse(command, READ_BACK);
            parsed.args().list("response");
            parsed.args().end();
        } catch (ImapSyntaxException e) {
            throw new IllegalStateException("a response a client cannot parse: " + e.getMessage(), e);
        } finally {
            for (Object out; (out = channel.readOutbound()) != null; ) {
                ((ByteBuf) out).release();
            }
            channel.finishAndReleaseAll();
        }
    }

    private static void refusedOrParsed(Runnable parse) {
        try {
            parse.run();
        } catch (ImapSyntaxException refused) {
            // the clear answer to garbage
        }
    }
}
