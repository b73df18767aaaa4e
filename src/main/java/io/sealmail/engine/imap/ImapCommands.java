package io.sealmail.engine.imap;

import java.util.HashMap;
import java.util.Map;

import static io.sealmail.engine.imap.ImapCommand.Registered.any;
import static io.sealmail.engine.imap.ImapCommand.Registered.authenticated;
import static io.sealmail.engine.imap.ImapCommand.Registered.notAuthenticated;
import static io.sealmail.engine.imap.ImapCommand.Registered.selected;

/** Every command the server knows, with the states it is valid in: the one place to look. */
final class ImapCommands {
    private static final Map<String, ImapCommand.Registered> COMMANDS = new HashMap<>();

    static {
        COMMANDS.put("CAPABILITY", any(SessionCommands::capability));
        COMMANDS.put("NOOP", any(SessionCommands::noop));
        COMMANDS.put("LOGOUT", any((s, r) -> SessionCommands.logout(s, r)));
        COMMANDS.put("ID", any(SessionCommands::id));
        COMMANDS.put("STARTTLS", notAuthenticated((s, r) -> SessionCommands.startTls(s, r)));
        COMMANDS.put("LOGIN", notAuthenticated((s, r) -> SessionCommands.login(s, r)));
        COMMANDS.put("AUTHENTICATE", notAuthenticated((s, r) -> SessionCommands.authenticate(s, r)));
        COMMANDS.put("ENABLE", authenticated(SessionCommands::enable));
        // After authentication only, as Dovecot: before it, a compressor is attack surface for anyone.
        COMMANDS.put("COMPRESS", authenticated(SessionCommands::compress));
        COMMANDS.put("SELECT", authenticated(MailboxCommands::select));
        COMMANDS.put("EXAMINE", authenticated(MailboxCommands::select));
        COMMANDS.put("CREATE", authenticated(MailboxCommands::create));
        COMMANDS.put("DELETE", authenticated(MailboxCommands::delete));
        COMMANDS.put("RENAME", authenticated(MailboxCommands::rename));
        COMMANDS.put("SUBSCRIBE", authenticated(MailboxCommands::subscribe));
        COMMANDS.put("UNSUBSCRIBE", authenticated(MailboxCommands::subscribe));
        COMMANDS.put("LIST", authenticated(MailboxCommands::list));
        COMMANDS.put("LSUB", authenticated(MailboxCommands::list));
        COMMANDS.put("NAMESPACE", authenticated(MailboxCommands::namespace));
        COMMANDS.put("STATUS", authenticated(MailboxCommands::status));
        COMMANDS.put("APPEND", authenticated(MailboxCommands::append));
        COMMANDS.put("GETQUOTAROOT", authenticated(QuotaCommands::getQuotaRoot));
        COMMANDS.put("GETQUOTA", authenticated(QuotaCommands::getQuota));
        COMMANDS.put("SETQUOTA", authenticated(QuotaCommands::setQuota));
        COMMANDS.put("IDLE", authenticated(StoreCommands::idle));
        COMMANDS.put("CHECK", selected(SessionCommands::noop));
        COMMANDS.put("CLOSE", selected(StoreCommands::close));
        COMMANDS.put("UNSELECT", selected(StoreCommands::close));
        COMMANDS.put("EXPUNGE", selected(StoreCommands::expunge));
        COMMANDS.put("UID EXPUNGE", selected(StoreCommands::expunge));
        COMMANDS.put("FETCH", selected(FetchCommand::fetch));
        COMMANDS.put("UID FETCH", selected(FetchCommand::fetch));
        COMMANDS.put("STORE", selected(StoreCommands::store));
        COMMANDS.put("UID STORE", selected(StoreCommands::store));
        COMMANDS.put("COPY", selected(StoreCommands::copy));
        COMMANDS.put("UID COPY", selected(StoreCommands::copy));
        COMMANDS.put("MOVE", selected(StoreCommands::copy));
        COMMANDS.put("UID MOVE", selected(StoreCommands::copy));
        COMMANDS.put("SEARCH", selected(SearchCommand::search));
        COMMANDS.put("UID SEARCH", selected(SearchCommand::search));
    }

    private ImapCommands() {
    }

    static ImapCommand.Registered lookup(String name) {
        return COMMANDS.get(name);
    }
}
