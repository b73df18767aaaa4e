package io.sealmail.engine.delivery;

/** No route to a domain: {@link #reply()} says whether for good (5xx: null MX, no such domain) or for now (4xx). */
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
