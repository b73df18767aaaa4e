package io.sealmail.engine.imap;

import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;

/**
 * One IMAP command (or a small family sharing code). Stateless: everything lives in the {@link ImapSession}.
 * A command writes its untagged responses and ends with exactly one tagged response.
 */
public interface ImapCommand {

    void execute(ImapSession session, ImapRequest request) throws IOException;

    /** A command and the states it is valid in (RFC 9051 §6). */
    record Registered(Set<ImapState> states, ImapCommand command) {
        static Registered any(ImapCommand c) {
            return new Registered(EnumSet.of(ImapState.NOT_AUTHENTICATED, ImapState.AUTHENTICATED, ImapState.SELECTED), c);
        }

        static Registered notAuthenticated(ImapCommand c) {
            return new Registered(EnumSet.of(ImapState.NOT_AUTHENTICATED), c);
        }

        static Registered authenticated(ImapCommand c) {
            return new Registered(EnumSet.of(ImapState.AUTHENTICATED, ImapState.SELECTED), c);
        }

        static Registered selected(ImapCommand c) {
            return new Registered(EnumSet.of(ImapState.SELECTED), c);
        }
    }
}
