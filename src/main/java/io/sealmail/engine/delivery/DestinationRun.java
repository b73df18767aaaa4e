package io.sealmail.engine.delivery;

import io.sealmail.config.Outbound;
import io.sealmail.engine.delivery.policy.DomainPolicy;
import io.sealmail.engine.delivery.policy.HostPolicy;
import io.sealmail.engine.delivery.policy.PolicyTemporaryException;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One destination run on a delivery thread: takes work for one destination (a recipient domain, or the relay)
 * until none is left, over one SMTP session at a time, reused from message to message. When the destination
 * cannot be reached, the failure is remembered for the rest of the run, so a dead destination costs one round of
 * connection attempts per run, not one per message.
 */
final class DestinationRun implements Runnable {
    private static final Logger LOG = Logger.getLogger(DestinationRun.class);

    private final OutboundDelivery runner;
    private final OutboundDelivery.Destination destination;
    private final Outbound config;
    private final String heloName;
    private RemoteSession session;
    /** The session came from {@link IdleSessions} and has carried no transaction since. */
    private boolean reused;
    private RemoteReply unreachable;
    private String unreachableHost;
    private Route route;
    private DomainPolicy domainPolicy;

    DestinationRun(OutboundDelivery runner, OutboundDelivery.Destination destination, Outbound config, String heloName) {
        this.runner = runner;
        this.destination = destination;
        this.config = config;
        this.heloName = heloName;
    }

    @Override
    public void run() {
        try {
            OutboundDelivery.Work w;
            while (true) {
                if ((w = runner.next(destination, this)) == null) {
                    break;
                }
                try {
                    deliver(w);
                } catch (RuntimeException e) {
                    LOG.errorf(e, "outbound %s: delivery to %s failed unexpectedly", w.entry().id(), destination.key);
                    runner.record(w.entry(), all(w.recipients(), RemoteReply.of(451, "4.3.0 internal error: " + e)),
                            null, null, null);
                    dropSession();
                }
            }
        } finally {
            dropSession();
        }
    }

    private void deliver(OutboundDelivery.Work w) {
        QueueEntry e = w.entry();
        OutgoingMessage message;
        try {
            message = e.outgoing(runner.messageFile(e));
        } catch (IOException ex) {
            runner.record(e, all(w.recipients(), RemoteReply.of(451, "4.3.0 cannot read the queued message: " + ex.getMessage())),
                    null, null, null);
            return;
        }
        if (message.receivedCount() > config.maxReceivedHeaders()) {
            // RFC 5321 §6.3: too many hops means a loop; stop it here.
            runner.record(e, all(w.recipients(), RemoteReply.of(554, "5.4.6 mail loop: " + message.receivedCount()
                    + " Received: headers (limit " + config.maxReceivedHeaders() + ")")), null, null, null);
            return;
        }
        RemoteSession s;
        List<RecipientOutcome> outcomes;
        try {
            s = openSession(true);
            boolean cached = reused;
            reused = false;
            try {
                outcomes = s.transfer(message, w.recipients());
            } catch (IOException ex) {
                if (!cached) {
                    throw ex;
                }
                // A parked connection the remote closed meanwhile (its idle timeout): once more on a new one, as
                // Postfix does, rather than deferring the message for a minute.
                dropSession();
                s = openSession(false);
                outcomes = s.transfer(message, w.recipients());
            }
        } catch (RoutingException ex) {
            runner.record(e, all(w.recipients(), ex.reply()), unreachableHost, null, null);
            return;
        } catch (IOException ex) {
            s = session;
            if (s == null) {
                runner.record(e, all(w.recipients(), RemoteReply.of(451, "4.4.2 connection failed: " + describe(ex))),
                        unreachableHost, null, null);
                return;
            }
            // The connection broke mid-transaction: nothing was acknowledged, so everything is retried.
            String host = s.host();
            String policy = s.policy();
            String tlsUsed = s.tls();
            dropSession();
            runner.record(e, all(w.recipients(), RemoteReply.of(451, "4.4.2 connection to " + host + " failed: "
                    + describe(ex))), host, policy, tlsUsed);
            return;
        }
        runner.record(e, outcomes, s.host(), s.policy(), s.tls());
        if (!s.usable()) {
            dropSession();
        }
    }

    /** The run's session (the runner parks it when the run ends). */
    RemoteSession session() {
        return session;
    }

    /** The runner parked the session: it is no longer this run's to close. */
    void handedOver() {
        session = null;
    }

    /** The run's session, else a parked one (when {@code parked}), else a new one. */
    private RemoteSession openSession(boolean parked) throws RoutingException {
        if (session != null && session.usable()) {
            return session;
        }
        dropSession();
        while (parked) {
            RemoteSession idle = runner.takeIdle(destination.key);
            if (idle == null) {
                break;
            }
            if (idle.usable()) {
                session = idle;
                reused = true;
                return session;
            }
            idle.close();
            runner.closed(idle.connection());
        }
        if (unreachable != null) {
            throw new RoutingException(unreachable);
        }
        try {
            session = runner.isRelay() ? openRelay() : openDirect();
            return session;
        } catch (RoutingException e) {
            unreachable = e.reply();
            throw e;
        }
    }

    private RemoteSession openDirect() throws RoutingException {
        String domain = destination.key;
        if (route == null) {
            route = runner.routing.route(domain);
            try {
                domainPolicy = runner.policies.forDomain(domain, route.hosts(), route.mxSecure());
            } catch (PolicyTemporaryException e) {
                throw RoutingException.temporary("4.7.5", "transport policy of " + domain + " unavailable: " + e.getMessage());
            }
        }
        RemoteReply last = null;
        boolean allPermanent = true;
        for (String host : route.hosts()) {
            if (!domainPolicy.permits(host)) {
                last = RemoteReply.of(451, "4.7.5 MX host " + host + " is not permitted by the policy of " + domain);
                allPermanent = false;
                unreachableHost = host;
                continue;
            }
            HostPolicy hostPolicy;
            List<InetAddress> addresses;
            try {
                hostPolicy = domainPolicy.forHost(host);
                addresses = runner.routing.addresses(host);
            } catch (PolicyTemporaryException e) {
                last = RemoteReply.of(451, "4.7.5 policy for " + host + " unavailable: " + e.getMessage());
                allPermanent = false;
                unreachableHost = host;
                continue;
            } catch (RoutingException e) {
                last = e.reply();
                allPermanent &= e.reply().permanentFailure();
                unreachableHost = host;
                continue;
            }
            for (InetAddress address : addresses) {
                try {
                    return open(host, new InetSocketAddress(address, config.mxPort()), RemoteSession.Security.POLICY, hostPolicy, null);
                } catch (RoutingException e) {
                    last = e.reply();
                    allPermanent &= e.reply().permanentFailure();
                } catch (IOException e) {
                    last = RemoteReply.of(451, "4.4.1 " + host + "[" + address.getHostAddress() + "]:"
                            + config.mxPort() + ": " + describe(e));
                    allPermanent = false;
                }
                unreachableHost = host;
            }
        }
        if (last == null) {
            throw RoutingException.temporary("4.4.4", "no usable MX host for " + domain);
        }
        throw new RoutingException(allPermanent ? last : RemoteReply.of(451, last.transientFailure() ? String.join(" ", last.lines())
                : "4.4.1 " + last));
    }

    private RemoteSession openRelay() throws RoutingException {
        Outbound.Relay relay = config.relay();
        String host = relay.hostName();
        unreachableHost = host;
        RelayCredentials credentials = null;
        if (relay.credentialsFile() != null) {
            try {
                credentials = RelayCredentials.read(Path.of(relay.credentialsFile()));
            } catch (IOException e) {
                throw RoutingException.temporary("4.7.0", "relay credentials unreadable: " + e.getMessage());
            }
        }
        InetAddress[] addresses;
        try {
            // The host's resolver (with its search domains), so cluster names such as relay.mail.svc work.
            addresses = InetAddress.getAllByName(host);
        } catch (java.net.UnknownHostException e) {
            throw RoutingException.temporary("4.4.4", "relay host " + host + " not found");
        }
        RemoteReply last = null;
        RemoteSession.Security security = relay.tls() == Outbound.RelayTls.IMPLICIT
                ? RemoteSession.Security.RELAY_IMPLICIT : RemoteSession.Security.RELAY_STARTTLS;
        for (InetAddress address : addresses) {
            try {
                return open(host, new InetSocketAddress(address, relay.port()), security, null, credentials);
            } catch (RoutingException e) {
                last = e.reply();
            } catch (IOException e) {
                last = RemoteReply.of(451, "4.4.1 connect to relay " + host + "[" + address.getHostAddress() + "]:"
                        + relay.port() + " failed: " + describe(e));
            }
        }
        // A relay's refusal is deferred, never bounced: it is our own infrastructure (as Postfix with a relayhost).
        throw new RoutingException(last == null ? RemoteReply.of(451, "4.4.1 relay " + host + " has no address")
                : last.permanentFailure() ? RemoteReply.of(451, "4.4.1 " + last) : last);
    }

    private RemoteSession open(String host, InetSocketAddress address, RemoteSession.Security security,
                               HostPolicy hostPolicy, RelayCredentials credentials) throws IOException, RoutingException {
        SmtpClientConnection c = SmtpClientConnection.connect(host, address, config.connectTimeout(), runner.watchdog());
        runner.opened(c);
        try {
            return RemoteSession.open(c, config, heloName, security, hostPolicy, runner.tls, credentials);
        } catch (IOException | RoutingException | RuntimeException e) {
            runner.closed(c);
            throw e;
        }
    }

    private void dropSession() {
        if (session != null) {
            session.close();
            runner.closed(session.connection());
            session = null;
        }
    }

    private static List<RecipientOutcome> all(List<String> recipients, RemoteReply reply) {
        List<RecipientOutcome> out = new ArrayList<>(recipients.size());
        for (String r : recipients) {
            out.add(new RecipientOutcome(r, reply));
        }
        return out;
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
