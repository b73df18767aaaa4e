package io.sealmail.engine.smtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/** What {@link SmtpFrameDecoder} hands to the session: one command line, a framing error, or message content. */
public sealed interface SmtpFrame {

    /** One command line without its CRLF, decoded as UTF-8 (RFC 6531 allows UTF-8 in addresses). */
    record CommandLine(String text) implements SmtpFrame {
    }

    /** A command line longer than the limit; its octets were discarded up to and including the next LF. */
    record CommandTooLong() implements SmtpFrame {
    }

    /** Message content, dot-stuffing already undone for DATA; the receiver releases it. */
    final class Content extends DefaultByteBufHolder implements SmtpFrame {
        public Content(ByteBuf data) {
            super(data);
        }
    }

    /**
     * End of the DATA content (after CRLF.CRLF) or of one BDAT chunk. {@code violation} is the first broken
     * rule seen in the message so far, or null; after a violation no further content was passed on.
     */
    record ContentEnd(ContentViolation violation) implements SmtpFrame {
    }

    /** Rules on message text whose breach refuses the whole message. */
    enum ContentViolation {
        /** LF not preceded by CR: the 2023 SMTP smuggling family (CVE-2023-51764/51765/51766). */
        BARE_LF,
        /** CR not followed by LF. */
        BARE_CR,
        /** A text line longer than the limit (RFC 5321 §4.5.3.1.6). */
        LINE_TOO_LONG
    }
}
