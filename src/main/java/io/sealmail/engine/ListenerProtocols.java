package io.sealmail.engine;

import io.sealmail.config.Role;
import io.sealmail.engine.imap.MailAccessProtocols;
import io.sealmail.engine.smtp.SmtpChannelInitializer;

import java.util.EnumMap;
import java.util.Map;

/**
 * Which protocol serves which role. Each protocol package adds its roles here (IMAP and POP3: put your
 * initializer factories next to SMTP's); {@link MailEngine.Builder#protocol} can override one, e.g. in tests.
 */
public final class ListenerProtocols {
    private ListenerProtocols() {
    }

    public static Map<Role, ListenerInitializerFactory> standard() {
        Map<Role, ListenerInitializerFactory> protocols = new EnumMap<>(Role.class);
        protocols.put(Role.SMTP, SmtpChannelInitializer::new);
        protocols.put(Role.SUBMISSION, SmtpChannelInitializer::new);
        protocols.put(Role.SMTPS, SmtpChannelInitializer::new);
        protocols.put(Role.LMTP, SmtpChannelInitializer::new);
        protocols.put(Role.IMAP, MailAccessProtocols::imap);
        protocols.put(Role.IMAPS, MailAccessProtocols::imap);
        protocols.put(Role.POP3, MailAccessProtocols::pop3);
        protocols.put(Role.POP3S, MailAccessProtocols::pop3);
        return protocols;
    }

    /** True when this build can serve the role (so {@code sealmail demo} can offer only what exists). */
    public static boolean supports(Role role) {
        return standard().containsKey(role);
    }
}
