package io.sealmail.engine.delivery;

/**
 * No way to deliver now or at all: a domain without route (null MX, no such domain, DNS failure) or a host that
 * cannot take the mail (greeting refused, TLS a policy requires missing, certificate refused, AUTH failed), in which
 * case the next MX host is tried. {@link #reply()} says whether for good (5xx) or for now (4xx).
 */
final class RoutingException extends Exception {
    private final RemoteReply reply;

    RoutingException(RemoteReply reply) {
        super(reply.toString());
        this.reply = reply;
    }

    RemoteReply reply() {
        return reply;
    }

    static RoutingException permanent(String status, String text) {
        return new RoutingException(RemoteReply.of(550, status + " " + text));
    }

    static RoutingException temporary(String status, String text) {
        return new RoutingException(RemoteReply.of(451, status + " " + text));
    }
}
