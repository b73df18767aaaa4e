package io.sealmail.engine.smtp;

import io.sealmail.config.Role;
import io.sealmail.engine.tls.TlsSessionInfo;
import io.sealmail.store.Spool;

import java.net.InetAddress;
import java.util.List;

/**
 * A message the SMTP session has received in full (the final dot of DATA, or BDAT LAST) and not yet acknowledged:
 * what {@link MessageHandoff} gets. The content already starts with our Received header.
 *
 * @param queueId          the id in the Received header, the 250 reply and the logs
 * @param content          the message; the session closes it once the hand-off completes
 * @param returnPath       the envelope sender, "" for the null reverse-path
 * @param localAccounts    local accounts receiving a copy (aliases resolved, each once)
 * @param remoteRecipients other domains' recipients (authenticated submission only)
 * @param role             the listener it came in on
 * @param client           the connecting client's address
 * @param helo             the EHLO/HELO name it gave
 * @param account          the authenticated account, or null
 * @param tls              the TLS session, or null in clear
 * @param ourHeaderLength  octets of our own Received field at the start of {@code content}
 */
public record ReceivedMessage(String queueId, Spool content, String returnPath, List<String> localAccounts,
                              List<String> remoteRecipients, Role role, InetAddress client, String helo,
                              String account, TlsSessionInfo tls, long ourHeaderLength) {
}
