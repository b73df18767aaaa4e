package io.sealmail.engine.imap;

import java.util.List;

/** What {@link ImapCommandDecoder} hands to the session: a complete command, or a command it refused to read. */
public sealed interface ImapInput {

    /**
     * A whole command as it arrived: {@code lines.size() == literals.size() + 1}; line {@code i} ends with the
     * literal marker ({@code {n}}, {@code {n+}}, {@code ~{n}}) that announced literal {@code i}.
     */
    record Command(List<String> lines, List<Literal> literals) implements ImapInput {
        public Command {
            lines = List.copyOf(lines);
            literals = List.copyOf(literals);
        }

        /** The first line, for logs and for commands (IDLE's DONE, SASL responses) that are one bare line. */
        public String firstLine() {
            return lines.get(0);
        }
    }

    /** The bytes of one literal; {@code binary} for RFC 3516 {@code ~{n}} literals, which may hold NUL. */
    record Literal(byte[] bytes, boolean binary) {
    }

    /**
     * A command the decoder refused before reading it whole. {@code response} is the complete response line to
     * send (without CRLF); when {@code close} is set the connection must be closed after it, because the client
     * is sending bytes we will not read (RFC 7888 §4).
     */
    record Rejected(String tag, String response, boolean close) implements ImapInput {
    }
}
