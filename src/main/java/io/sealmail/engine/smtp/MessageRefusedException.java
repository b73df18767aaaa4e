package io.sealmail.engine.smtp;

/**
 * A hand-off step refused the message with its own reply (DMARC under {@code inbound.dmarc: enforce}: 550 5.7.1,
 * or 451 when its DNS failed): the session sends exactly this reply instead of 250.
 */
public final class MessageRefusedException extends RuntimeException {
    private final SmtpReply reply;

    public MessageRefusedException(SmtpReply reply) {
        super(reply.toString(), null, false, false);
        this.reply = reply;
    }

    public SmtpReply reply() {
        return reply;
    }
}
