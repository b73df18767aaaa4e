package io.sealmail.engine.mailauth;

import io.sealmail.config.Inbound;
import io.sealmail.engine.delivery.dns.DnsLookup;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * The checks of one message received on port 25: SPF of the client, DKIM of every signature (the first
 * {@link DkimVerifier#MAX_SIGNATURES}), DMARC of the From domain, one Authentication-Results field on top and the
 * forged ones claiming our authserv-id removed (RFC 8601 §5). Blocking (DNS): the SMTP engine runs it off its
 * event loops. Thread-safe; one instance serves the engine.
 */
public final class InboundChecks {
    private final String authservId;
    private final DnsLookup dns;
    private final Inbound.DmarcMode mode;
    private final Duration timeout;
    private final Clock clock;
    private final DoubleSupplier random;

    public InboundChecks(String authservId, DnsLookup dns, Inbound settings, Clock clock) {
        this(authservId, dns, settings, clock, () -> ThreadLocalRandom.current().nextDouble());
    }

    InboundChecks(String authservId, DnsLookup dns, Inbound settings, Clock clock, DoubleSupplier random) {
        this.authservId = authservId;
        this.dns = dns;
        this.mode = settings.dmarc();
        this.timeout = settings.checkTimeout();
        this.clock = clock;
        this.random = random;
    }

    /**
     * @param client   the SMTP client's address
     * @param helo     the HELO/EHLO name
     * @param mailFrom the MAIL FROM address ({@code local@domain}), empty for the null sender
     * @param message  the message as received (without our own Received field)
     */
    public InboundVerdict check(InetAddress client, String helo, String mailFrom, MessageSource message) throws IOException {
        return check(client, helo, mailFrom, message, false);
    }

    /**
     * As {@link #check(InetAddress, String, String, MessageSource)}; with {@code ourFieldOnTop} the message's first
     * field is our own Received field, which the checks do not see (a signer may have listed Received in h=).
     * Removal ranges count from the start of {@code message} either way.
     */
    public InboundVerdict check(InetAddress client, String helo, String mailFrom, MessageSource message,
                                boolean ourFieldOnTop) throws IOException {
        BoundedDns bounded = new BoundedDns(dns, clock, clock.instant().plus(timeout));
        SpfResult spf = SpfCheck.check(bounded, client, helo, mailFrom);
        DkimVerifier[] verifier = new DkimVerifier[1];
        HeaderSection[] headers = new HeaderSection[1];
        MessageStream stream = new MessageStream(h -> {
            headers[0] = ourFieldOnTop ? h.withoutFirst() : h;
            verifier[0] = new DkimVerifier(headers[0], clock);
            return verifier[0].bodySink();
        }, MessageStream.DEFAULT_MAX_HEADER_BYTES);
        message.writeTo(stream);
        stream.finish();
        List<DkimResult> dkim = verifier[0].results(bounded);
        FromDomain.Result from = headers[0].complete() ? FromDomain.of(headers[0])
                : new FromDomain.Result(null, "header section too large to check");
        DmarcResult dmarc = new DmarcCheck(bounded, random).evaluate(from, dkim, spf);
        List<InboundVerdict.Range> removals = new ArrayList<>();
        for (HeaderField f : headers[0].fields()) {
            if (AuthenticationResults.claims(f, authservId)) {
                removals.add(new InboundVerdict.Range(f.offset(), f.length()));
            }
        }
        SpfResult heloSpf = heloCheck(bounded, client, helo, mailFrom);
        String header = AuthenticationResults.format(authservId, spf, heloSpf, dkim, verifier[0].ignored(), dmarc);
        // For the null sender the HELO name was MAIL FROM's identity (RFC 7208 §2.4): its fail is the HELO's fail.
        SpfResult heloIdentity = heloSpf != null ? heloSpf : "helo".equals(spf.identity()) ? spf : null;
        if (mode == Inbound.DmarcMode.ENFORCE && heloIdentity != null && heloIdentity.result() == AuthResult.FAIL
                && action(dmarc) != InboundVerdict.Action.REJECT) {
            // The HELO name's owner says this client may not use it: refused, as Postfix's policyd-spf does by
            // default (HELO_reject = Fail); X.7.23 is "SPF validation failed" (RFC 7372 §3.2).
            return new InboundVerdict(InboundVerdict.Action.REJECT, "550 5.7.23 Message refused: SPF of the HELO name "
                    + heloIdentity.domain() + " does not authorize " + client.getHostAddress(), header, removals, spf, heloSpf, dkim, dmarc);
        }
        return new InboundVerdict(action(dmarc), reply(dmarc), header, removals, spf, heloSpf, dkim, dmarc);
    }

    /**
     * The HELO identity checked beside MAIL FROM (RFC 7208 §2.3 recommends it), or null: for the null sender it was
     * the identity checked already (§2.4), an address literal or a name of one label cannot be checked, and a name
     * without an SPF record is not worth a line. It runs
     * last, on what is left of the checks' time, so a slow HELO zone never turns MAIL FROM's or DMARC's result into
     * a temperror; DMARC uses only MAIL FROM's (RFC 7489 §4.1).
     */
    private static SpfResult heloCheck(BoundedDns dns, InetAddress client, String helo, String mailFrom) {
        if (mailFrom == null || mailFrom.isEmpty()) {
            return null;
        }
        SpfResult result = SpfCheck.check(dns, client, helo, ""); // the HELO identity: postmaster@<helo> (§2.4)
        return result.result() == AuthResult.NONE ? null : result; // no record, or no name to check: says nothing
    }

    private InboundVerdict.Action action(DmarcResult dmarc) {
        if (mode != Inbound.DmarcMode.ENFORCE) {
            return InboundVerdict.Action.DELIVER;
        }
        return switch (dmarc.result()) {
            case FAIL -> switch (dmarc.disposition()) {
                case "reject" -> InboundVerdict.Action.REJECT;
                case "quarantine" -> InboundVerdict.Action.JUNK;
                default -> InboundVerdict.Action.DELIVER;
            };
            case TEMPERROR -> InboundVerdict.Action.DEFER;
            // Two From fields or From domains: the display a user sees cannot be trusted (RFC 7489 §6.6.1).
            case PERMERROR -> InboundVerdict.Action.REJECT;
            default -> InboundVerdict.Action.DELIVER;
        };
    }

    private String reply(DmarcResult dmarc) {
        return switch (action(dmarc)) {
            case REJECT -> dmarc.result() == AuthResult.PERMERROR
                    ? "550 5.7.1 Message refused: " + dmarc.reason()
                    : "550 5.7.1 Message refused: DMARC policy of " + dmarc.fromDomain() + " (p=reject), no aligned SPF or DKIM pass";
            case DEFER -> "451 4.7.1 DMARC check of " + dmarc.fromDomain() + " failed temporarily (DNS); try again later";
            default -> null;
        };
    }
}
