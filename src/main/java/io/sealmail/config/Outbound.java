package io.sealmail.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * How mail for other domains leaves the engine ({@code outbound:} in engine.yaml). Every field is optional: an
 * engine.yaml without {@code outbound} delivers directly (MX look-ups through the host's resolver) with the defaults
 * below, which follow Postfix's where it has one. Durations are ISO-8601 ({@code PT1M}, {@code P5D}).
 *
 * <pre>
 * outbound:
 *   mode: direct                  # direct (MX look-up) | relay (smarthost) | hold (queue only, send nothing)
 *   dns:
 *     servers: [10.96.0.10]       # host or host:port; empty: /etc/resolv.conf
 *     timeout: PT5S               # per query, across all servers
 *     dnssec: false               # validate answers (dnsjava ValidatingResolver); DANE needs it
 *     trustAnchorFile: /etc/sealmail/root.key   # DS/DNSKEY records in zone-file format; default: the root KSKs
 *   relay:                        # required with mode: relay
 *     host: smtp.provider.example:465
 *     tls: implicit               # implicit (RFC 8314) | starttls (required: no plaintext fallback)
 *     credentialsFile: /relay     # optional: a file "user:password", or a directory with files username and password
 *                                 # (a mounted kubernetes.io/basic-auth Secret)
 *   maxConnections: 32            # open SMTP client connections in total
 *   maxConnectionsPerDestination: 16  # per recipient domain (or to the relay)
 *   firstRetry: PT1M              # 4xx: retry after this, doubling each time ...
 *   maxRetryInterval: PT4H        # ... up to this
 *   maxLifetime: P5D              # then bounce (Postfix maximal_queue_lifetime)
 *   connectTimeout: PT30S
 *   commandTimeout: PT5M          # each reply (RFC 5321 §4.5.3.2: 5 minutes for greeting, MAIL, RCPT)
 *   dataTimeout: PT10M            # the reply to the final dot (RFC 5321 §4.5.3.2.6: 10 minutes)
 *   trustedCaFile: /ca/ca.crt     # extra PEM CAs trusted besides the JDK's (private relays, tests)
 *   maxReceivedHeaders: 50        # more Received: headers than this is a mail loop: bounce (Postfix hopcount_limit)
 *   queueAgeWarning: PT4H         # health reports degraded while the oldest queued message is older
 *   delayWarning: PT4H            # tell the sender once (RFC 3464 action=delayed) when a message still waits; PT0S: never
 *   mxPort: 25                    # the port of MX hosts (other values only for tests and private networks)
 *   mtaSts:                       # RFC 8461, for direct delivery
 *     enabled: true               # look up _mta-sts TXT records and fetch policies (default true)
 *     cacheDir: /data/mta-sts     # fetched policies persist here; default: dataDir/mta-sts
 *     port: 443                   # of the policy hosts (other values only for tests)
 *     timeout: PT30S              # one policy fetch, from the DNS look-up to the last byte
 *   dane: true                    # RFC 7672: check TLSA records; only with dns.dnssec: true (default true)
 * </pre>
 * The operator renders {@code spec.outbound} of a MailServer into this record. MTA-STS trusts the JDK's CAs plus
 * {@code trustedCaFile}.
 */
public record Outbound(
        Mode mode,
        Dns dns,
        Relay relay,
        Integer maxConnections,
        Integer maxConnectionsPerDestination,
        Duration firstRetry,
        Duration maxRetryInterval,
        Duration maxLifetime,
        Duration connectTimeout,
        Duration commandTimeout,
        Duration dataTimeout,
        String trustedCaFile,
        Integer maxReceivedHeaders,
        Duration queueAgeWarning,
        Integer mxPort,
        MtaSts mtaSts,
        Boolean dane,
        Duration delayWarning) {

    /**
     * MTA-STS (RFC 8461) for direct delivery.
     *
     * @param enabled  look up policies (default true)
     * @param cacheDir where fetched policies persist across restarts; null: {@code <dataDir>/mta-sts}
     * @param port     the policy hosts' HTTPS port (443; tests point it elsewhere)
     * @param timeout  one policy fetch, whole (default 30 s)
     */
    public record MtaSts(Boolean enabled, String cacheDir, Integer port, Duration timeout) {
        public MtaSts {
            enabled = enabled == null || enabled;
            if (cacheDir != null && cacheDir.isBlank()) {
                cacheDir = null;
            }
            port = port == null ? 443 : port;
            if (port < 1 || port > 65535) {
                throw new ConfigException("outbound.mtaSts.port: " + port + " is outside 1-65535");
            }
            if (timeout == null) {
                timeout = Duration.ofSeconds(30);
            } else if (timeout.isNegative() || timeout.isZero()) {
                throw new ConfigException("outbound.mtaSts.timeout: " + timeout + " must be a positive duration such as PT30S");
            }
        }
    }

    public enum Mode {
        /** MX look-up per recipient domain (RFC 5321 §5). */
        DIRECT,
        /** Everything through one smarthost. */
        RELAY,
        /** Keep everything queued and send nothing (Postfix's defer_transports): maintenance and tests. */
        HOLD;

        @com.fasterxml.jackson.annotation.JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        @com.fasterxml.jackson.annotation.JsonCreator
        static Mode of(String value) {
            return byId(values(), value, "outbound.mode");
        }
    }

    /** The resolver delivery uses for MX, A/AAAA (and the transport policies for TXT and TLSA). */
    public record Dns(List<String> servers, Duration timeout, Boolean dnssec, String trustAnchorFile) {
        public Dns {
            servers = servers == null ? List.of() : List.copyOf(servers);
            for (String s : servers) {
                if (s == null || s.isBlank()) {
                    throw new ConfigException("outbound.dns.servers: a server is empty");
                }
            }
            // No call into Outbound here: Jackson may initialise this class first (a static cycle would leave
            // Outbound.DEFAULTS half-made).
            if (timeout == null) {
                timeout = Duration.ofSeconds(5);
            } else if (timeout.isNegative() || timeout.isZero()) {
                throw new ConfigException("outbound.dns.timeout: " + timeout + " must be a positive duration such as PT5S");
            }
            dnssec = dnssec != null && dnssec;
        }
    }

    public enum RelayTls {
        /** TLS from the first byte (RFC 8314), usually port 465. */
        IMPLICIT,
        /** STARTTLS, required: a relay that does not offer it is not used. Usually port 587. */
        STARTTLS;

        @com.fasterxml.jackson.annotation.JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        @com.fasterxml.jackson.annotation.JsonCreator
        static RelayTls of(String value) {
            return byId(values(), value, "outbound.relay.tls");
        }
    }

    /**
     * The smarthost. Its certificate is always verified (PKIX against the JDK's CAs and {@link #trustedCaFile},
     * and the host name, RFC 6125): credentials never go to an unverified peer.
     *
     * @param host            {@code name:port}, {@code name} (port 465 for implicit TLS, 587 for STARTTLS) or
     *                        {@code [ipv6]:port}
     * @param credentialsFile a file holding {@code user:password} (one line), or a directory with files
     *                        {@code username} and {@code password}; read at each connection (rotations apply
     *                        without a restart); absent: no AUTH
     */
    public record Relay(String host, RelayTls tls, String credentialsFile) {
        public Relay {
            if (host == null || host.isBlank()) {
                throw new ConfigException("outbound.relay.host is required (name:port)");
            }
            host = host.trim();
            tls = tls == null ? RelayTls.STARTTLS : tls;
            if (credentialsFile != null && credentialsFile.isBlank()) {
                credentialsFile = null;
            }
            portOf(host, tls); // validates
        }

        public String hostName() {
            int colon = portColon(host);
            String name = colon < 0 ? host : host.substring(0, colon);
            return name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
        }

        public int port() {
            return portOf(host, tls);
        }

        private static int portOf(String host, RelayTls tls) {
            int colon = portColon(host);
            if (colon < 0) {
                return tls == RelayTls.IMPLICIT ? 465 : 587;
            }
            try {
                int port = Integer.parseInt(host.substring(colon + 1));
                if (port < 1 || port > 65535) {
                    throw new NumberFormatException();
                }
                return port;
            } catch (NumberFormatException e) {
                throw new ConfigException("outbound.relay.host: '" + host + "' has no valid port (1-65535)");
            }
        }

        private static int portColon(String host) {
            int close = host.lastIndexOf(']');
            int colon = host.lastIndexOf(':');
            if (host.startsWith("[")) {
                return colon > close ? colon : -1;
            }
            // An unbracketed IPv6 literal has several colons and no port.
            return colon >= 0 && host.indexOf(':') == colon ? colon : -1;
        }
    }

    public Outbound {
        mode = mode == null ? Mode.DIRECT : mode;
        dns = dns == null ? new Dns(null, null, null, null) : dns;
        if (mode == Mode.RELAY && relay == null) {
            throw new ConfigException("outbound.relay: required with mode: relay (host, tls, credentialsFile)");
        }
        // Two busy destinations at full concurrency (Postfix: 100 smtp processes in total).
        maxConnections = atLeast("maxConnections", maxConnections, 1, 32);
        // Postfix opens 5 connections to a destination and grows to 20 while deliveries succeed (slow start); with a
        // fixed number, 16: with 4 a burst of 2,000 relayed messages outran delivery (p50 100-143 ms instead of 16 ms),
        // with 8 once the submissions got faster a round's p50 reached 212 ms while the sink's disk was busy (16-21
        // ms with 16; docs/benchmarks.md). A provider that allows fewer is configured so (examples/relay.yaml).
        maxConnectionsPerDestination = atLeast("maxConnectionsPerDestination", maxConnectionsPerDestination, 1, 16);
        firstRetry = positive("firstRetry", firstRetry, Duration.ofMinutes(1));
        maxRetryInterval = positive("maxRetryInterval", maxRetryInterval, Duration.ofHours(4));
        if (maxRetryInterval.compareTo(firstRetry) < 0) {
            throw new ConfigException("outbound.maxRetryInterval: " + maxRetryInterval + " is shorter than firstRetry " + firstRetry);
        }
        maxLifetime = positive("maxLifetime", maxLifetime, Duration.ofDays(5));
        connectTimeout = positive("connectTimeout", connectTimeout, Duration.ofSeconds(30));
        commandTimeout = positive("commandTimeout", commandTimeout, Duration.ofMinutes(5));
        dataTimeout = positive("dataTimeout", dataTimeout, Duration.ofMinutes(10));
        if (trustedCaFile != null && trustedCaFile.isBlank()) {
            trustedCaFile = null;
        }
        maxReceivedHeaders = atLeast("maxReceivedHeaders", maxReceivedHeaders, 1, 50);
        queueAgeWarning = positive("queueAgeWarning", queueAgeWarning, Duration.ofHours(4));
        mxPort = atLeast("mxPort", mxPort, 1, 25);
        if (mxPort > 65535) {
            throw new ConfigException("outbound.mxPort: " + mxPort + " is outside 1-65535");
        }
        mtaSts = mtaSts == null ? new MtaSts(null, null, null, null) : mtaSts;
        dane = dane == null || dane;
        // Postfix's delay_warning_time is off by default; sendmail warns after 4 h (Timeout.queuewarn) and most
        // users are better told that a message is stuck than left guessing, so 4 h here; PT0S switches it off.
        delayWarning = delayWarning == null ? Duration.ofHours(4) : delayWarning;
        if (delayWarning.isNegative()) {
            throw new ConfigException("outbound.delayWarning: " + delayWarning + " is negative (PT0S switches it off)");
        }
    }

    public static final Outbound DEFAULTS = new Outbound(null, null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null, null);

    /** The same with another mode and relay. */
    public Outbound withMode(Mode newMode, Relay newRelay) {
        return new Outbound(newMode, dns, newRelay, maxConnections, maxConnectionsPerDestination, firstRetry,
                maxRetryInterval, maxLifetime, connectTimeout, commandTimeout, dataTimeout, trustedCaFile,
                maxReceivedHeaders, queueAgeWarning, mxPort, mtaSts, dane, delayWarning);
    }

    /** The same with another resolver and MX port (tests point both at local servers). */
    public Outbound withDns(Dns newDns, int newMxPort) {
        return new Outbound(mode, newDns, relay, maxConnections, maxConnectionsPerDestination, firstRetry,
                maxRetryInterval, maxLifetime, connectTimeout, commandTimeout, dataTimeout, trustedCaFile,
                maxReceivedHeaders, queueAgeWarning, newMxPort, mtaSts, dane, delayWarning);
    }

    /** The same with other retry timing and timeouts. */
    public Outbound withTiming(Duration newFirstRetry, Duration newMaxRetry, Duration newMaxLifetime,
                               Duration newConnectTimeout, Duration newCommandTimeout) {
        return new Outbound(mode, dns, relay, maxConnections, maxConnectionsPerDestination, newFirstRetry,
                newMaxRetry, newMaxLifetime, newConnectTimeout, newCommandTimeout, dataTimeout, trustedCaFile,
                maxReceivedHeaders, queueAgeWarning, mxPort, mtaSts, dane, delayWarning);
    }

    /** The same trusting these extra CAs. */
    public Outbound withTrustedCaFile(String file) {
        return new Outbound(mode, dns, relay, maxConnections, maxConnectionsPerDestination, firstRetry,
                maxRetryInterval, maxLifetime, connectTimeout, commandTimeout, dataTimeout, file,
                maxReceivedHeaders, queueAgeWarning, mxPort, mtaSts, dane, delayWarning);
    }

    /** The same with other transport-security settings (MTA-STS, DANE). */
    public Outbound withTransportSecurity(MtaSts newMtaSts, boolean newDane) {
        return new Outbound(mode, dns, relay, maxConnections, maxConnectionsPerDestination, firstRetry,
                maxRetryInterval, maxLifetime, connectTimeout, commandTimeout, dataTimeout, trustedCaFile,
                maxReceivedHeaders, queueAgeWarning, mxPort, newMtaSts, newDane, delayWarning);
    }

    /** The same with another delay before a delayed-delivery notice ({@code PT0S}: none). */
    public Outbound withDelayWarning(Duration newDelayWarning) {
        return new Outbound(mode, dns, relay, maxConnections, maxConnectionsPerDestination, firstRetry,
                maxRetryInterval, maxLifetime, connectTimeout, commandTimeout, dataTimeout, trustedCaFile,
                maxReceivedHeaders, queueAgeWarning, mxPort, mtaSts, dane, newDelayWarning);
    }

    /** The constant whose lower-case name is {@code value}, or a ConfigException listing the choices. */
    private static <E extends Enum<E>> E byId(E[] choices, String value, String field) {
        for (E e : choices) {
            if (e.name().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return e;
            }
        }
        throw new ConfigException(field + ": '" + value + "' is not one of " + java.util.Arrays.stream(choices)
                .map(e -> e.name().toLowerCase(Locale.ROOT)).collect(java.util.stream.Collectors.joining(", ")));
    }

    private static Integer atLeast(String name, Integer value, int min, int fallback) {
        if (value == null) {
            return fallback;
        }
        if (value < min) {
            throw new ConfigException("outbound." + name + ": " + value + " is below the minimum of " + min);
        }
        return value;
    }

    private static Duration positive(String name, Duration value, Duration fallback) {
        if (value == null) {
            return fallback;
        }
        if (value.isNegative() || value.isZero()) {
            throw new ConfigException("outbound." + name + ": " + value + " must be a positive duration such as PT1M");
        }
        return value;
    }
}
