package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.Quantity;
import io.sealmail.config.DkimKey;
import io.sealmail.config.EngineConfig;
import io.sealmail.config.EngineConfigYaml;
import io.sealmail.config.Inbound;
import io.sealmail.config.Limits;
import io.sealmail.config.Listener;
import io.sealmail.config.Outbound;
import io.sealmail.config.ProxyProtocol;
import io.sealmail.config.TlsFiles;
import io.sealmail.operator.api.v1alpha1.InboundSpec;
import io.sealmail.operator.api.v1alpha1.LimitsSpec;
import io.sealmail.operator.api.v1alpha1.MailServer;
import io.sealmail.operator.api.v1alpha1.MailServerSpec;
import io.sealmail.operator.api.v1alpha1.OutboundSpec;
import io.sealmail.operator.api.v1alpha1.RelaySpec;
import io.sealmail.operator.api.v1alpha1.Protocol;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The one place a MailServer's spec becomes the engine's configuration: the same {@link EngineConfig} type the
 * engine reads, so the contract cannot drift.
 */
public final class EngineConfigRenderer {
    /** The schema's default, for a MailServer read before the API server defaulted it (tests, older objects). */
    public static final List<Protocol> DEFAULT_PORTS =
            List.of(Protocol.SMTP, Protocol.SUBMISSION, Protocol.SMTPS, Protocol.POP3S, Protocol.IMAPS);

    private EngineConfigRenderer() {
    }

    public static List<Protocol> ports(MailServer ms) {
        List<Protocol> ports = ms.getSpec().ports;
        return ports == null || ports.isEmpty() ? DEFAULT_PORTS : ports.stream().distinct().toList();
    }

    /** The ports the main Service may expose: all but LMTP, which stays inside the cluster ({@code <name>-internal}). */
    public static List<Protocol> externalPorts(MailServer ms) {
        return ports(ms).stream().filter(p -> p != Protocol.LMTP).toList();
    }

    public static EngineConfig render(MailServer ms) {
        MailServerSpec spec = ms.getSpec();
        List<Listener> listeners = new ArrayList<>();
        for (Protocol p : ports(ms)) {
            listeners.add(new Listener(p.role(), "0.0.0.0", EngineContainer.containerPort(p.role())));
        }
        if (EngineContainer.proxyProtocol(ms)) {
            // A twin of each port for the load balancer; the plain ones stay for in-cluster clients.
            ProxyProtocol proxy = new ProxyProtocol(spec.service.trustedProxies, null);
            for (Protocol p : externalPorts(ms)) {
                listeners.add(new Listener(p.role(), "0.0.0.0", EngineContainer.proxyContainerPort(p.role()), proxy));
            }
        }
        LimitsSpec l = spec.limits;
        Limits limits = l == null ? Limits.DEFAULTS : new Limits(l.maxMessageSize, l.maxRecipients, null, null, null,
                null, null, null, null, null, null, l.maxConnections, l.maxConnectionsPerAddress, null,
                octets(l.quotaPerAccount), null, l.quotaMessagesPerAccount);
        return new EngineConfig(spec.hostname, spec.domains, listeners,
                new TlsFiles(EngineContainer.TLS_CERT_FILE, EngineContainer.TLS_KEY_FILE),
                EngineContainer.ACCOUNTS_FILE, spec.aliases, EngineContainer.DATA_DIR, limits,
                "0.0.0.0", EngineContainer.HTTP_PORT)
                .withMailAuth(dkim(ms), inbound(spec))
                .withOutbound(outbound(spec));
    }

    /**
     * {@code spec.outbound} as the engine's {@link Outbound}; what the spec leaves out keeps the engine's default, so
     * a MailServer without {@code outbound} renders exactly {@link Outbound#DEFAULTS}. The relay login is only a path:
     * the Secret itself is mounted there ({@link EngineStatefulSetDependent}), never copied into engine.yaml.
     */
    static Outbound outbound(MailServerSpec spec) {
        OutboundSpec o = spec.outbound == null ? new OutboundSpec() : spec.outbound;
        Outbound.Mode mode = o.mode == null ? Outbound.Mode.DIRECT : switch (o.mode) {
            case DIRECT -> Outbound.Mode.DIRECT;
            case RELAY -> Outbound.Mode.RELAY;
            case HOLD -> Outbound.Mode.HOLD;
        };
        Outbound.Relay relay = null;
        if (mode == Outbound.Mode.RELAY && o.relay != null) {
            relay = new Outbound.Relay(o.relay.host,
                    o.relay.tls == RelaySpec.Tls.IMPLICIT ? Outbound.RelayTls.IMPLICIT : Outbound.RelayTls.STARTTLS,
                    relaySecret(spec) == null ? null : EngineContainer.RELAY_DIR);
        }
        Outbound.Dns dns = o.dns == null ? null : new Outbound.Dns(o.dns.servers, null, o.dns.dnssec, null);
        return new Outbound(mode, dns, relay, o.maxConnections, o.maxConnectionsPerDestination,
                duration(o.firstRetry), duration(o.maxRetryInterval), duration(o.maxLifetime),
                null, null, null, null, null, null, null, null, null, duration(o.delayWarning));
    }

    /** The user's Secret holding the relay login, when the spec relays and names one. */
    static String relaySecret(MailServerSpec spec) {
        OutboundSpec o = spec.outbound;
        return o != null && o.mode == OutboundSpec.Mode.RELAY && o.relay != null ? o.relay.credentialsSecretName : null;
    }

    /**
     * A quantity such as {@code 2Gi} in whole octets (a fraction of an octet is dropped). The CRD's pattern bounds the
     * form, not the size: past the range of a long (8 EiB) no mailbox can reach it, so it is the largest long.
     */
    static Long octets(String quantity) {
        if (quantity == null) {
            return null;
        }
        BigDecimal amount = Quantity.getAmountInBytes(new Quantity(quantity));
        return amount.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0 ? Long.MAX_VALUE : amount.longValue();
    }

    private static Duration duration(String go) {
        return go == null ? null : GoDuration.parse(go);
    }

    /** Every signing key signs for every local domain (d= is the From domain; RFC 6376 §3.5). */
    private static List<DkimKey> dkim(MailServer ms) {
        List<DkimKey> keys = new ArrayList<>();
        for (String domain : ms.getSpec().domains) {
            for (DkimKeys.Key key : DkimKeys.of(ms)) {
                if (key.sign()) {
                    keys.add(new DkimKey(domain, key.selector(), key.algorithm().id(),
                            EngineContainer.DKIM_DIR + "/" + key.secretKey()));
                }
            }
        }
        return keys;
    }

    private static Inbound inbound(MailServerSpec spec) {
        boolean enforce = spec.inbound != null && spec.inbound.dmarc == InboundSpec.Dmarc.ENFORCE;
        return new Inbound(true, enforce ? Inbound.DmarcMode.ENFORCE : Inbound.DmarcMode.REPORT_ONLY, null);
    }

    public static String yaml(MailServer ms) {
        return EngineConfigYaml.write(render(ms));
    }

    public static String checksum(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
