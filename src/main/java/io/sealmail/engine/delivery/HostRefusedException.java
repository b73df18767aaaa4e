package io.sealmail.engine.delivery;

/**
 * This host cannot take the mail now or at all (greeting refused, TLS required but missing, certificate refused by
 * the policy, AUTH failed): the next MX host is tried, and when none is left the recipients get {@link #reply()}.
 */
final class HostRefusedException extends Exception {
    private final RemoteReply reply;

    HostRefusedException(RemoteReply reply) {
        super(reply.toString());
        this.reply = reply;
    }

    RemoteReply reply() {
        return reply;
    }
}
