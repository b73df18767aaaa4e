package io.sealmail.engine.mailauth;

import java.util.List;

/**
 * What the inbound checks say about one message.
 *
 * @param action                 deliver, deliver to Junk, refuse (5xx) or defer (4xx)
 * @param reply                  the SMTP reply text for REJECT and DEFER ("550 5.7.1 ..."), else null
 * @param authenticationResults  the Authentication-Results field to put on top, ending in CRLF
 * @param removals               header fields to remove (forged Authentication-Results with our authserv-id), as
 *                               octet ranges of the checked message
 * @param spf                    the SPF result of MAIL FROM (of the HELO name for the null sender)
 * @param heloSpf                the SPF result of the HELO name checked beside MAIL FROM, or null when not checked
 * @param dkim                   the DKIM results, one per verified signature
 * @param dmarc                  the DMARC result
 */
public record InboundVerdict(Action action, String reply, String authenticationResults, List<Range> removals,
                             SpfResult spf, SpfResult heloSpf, List<DkimResult> dkim, DmarcResult dmarc) {
    public InboundVerdict {
        removals = List.copyOf(removals);
        dkim = List.copyOf(dkim);
    }

    public enum Action { DELIVER, JUNK, REJECT, DEFER }

    /** Octets {@code [offset, offset + length)} of the message. */
    public record Range(long offset, int length) {
    }
}
