package io.sealmail.engine.tls;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/**
 * Which TLS implementation terminates connections. OpenSSL means Netty's netty-tcnative BoringSSL build (native,
 * several times faster handshakes); JDK means the JDK's SunJSSE. {@link #select()} prefers OpenSSL when the native
 * library loads and falls back to the JDK; the system property {@value #PROPERTY} ({@code openssl}, {@code jdk} or
 * {@code auto}) forces one, for tests, benchmarks, or a platform where the native library misbehaves.
 */
public enum TlsProvider {
    OPENSSL(SslProvider.OPENSSL),
    JDK(SslProvider.JDK);

    /** System property that forces a provider: {@code openssl}, {@code jdk} or {@code auto} (the default). */
    public static final String PROPERTY = "sealmail.tls.provider";

    private static final Logger LOG = Logger.getLogger(TlsProvider.class);
    private static final Set<TlsProvider> ANNOUNCED = ConcurrentHashMap.newKeySet();

    private final SslProvider netty;

    TlsProvider(SslProvider netty) {
        this.netty = netty;
    }

    SslProvider netty() {
        return netty;
    }

    /** Lower-case name used on the command line and in logs: {@code openssl} or {@code jdk}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether this provider can run here (the JDK always can; OpenSSL when netty-tcnative loaded). */
    public boolean isAvailable() {
        return this == JDK || (OpenSsl.isAvailable() && SslProvider.isTlsv13Supported(SslProvider.OPENSSL));
    }

    /** The provider the engine uses: the one forced by {@value #PROPERTY}, else OpenSSL when available, else JDK. */
    public static TlsProvider select() {
        return select(System.getProperty(PROPERTY, "auto"));
    }

    /**
     * The provider named by {@code choice} ({@code openssl}, {@code jdk}, {@code auto} or null for auto).
     *
     * @throws TlsException if the choice is unknown, or OpenSSL is forced but its native library did not load
     */
    public static TlsProvider select(String choice) {
        String c = choice == null ? "auto" : choice.trim().toLowerCase(Locale.ROOT);
        switch (c) {
            case "auto", "" -> {
                return OPENSSL.isAvailable() ? OPENSSL : JDK;
            }
            case "openssl" -> {
                if (!OPENSSL.isAvailable()) {
                    throw new TlsException("TLS provider openssl was requested but netty-tcnative is not usable here: "
                            + unavailabilityCause());
                }
                return OPENSSL;
            }
            case "jdk" -> {
                return JDK;
            }
            default -> throw new TlsException("unknown TLS provider '" + choice + "': use openssl, jdk or auto");
        }
    }

    /** Logs, once per provider and process, which implementation terminates TLS and why. */
    void announce() {
        if (!ANNOUNCED.add(this)) {
            return;
        }
        if (this == OPENSSL) {
            LOG.infof("TLS provider: OpenSSL (%s, netty-tcnative)", OpenSsl.versionString());
        } else if (OPENSSL.isAvailable()) {
            LOG.infof("TLS provider: JDK (%s %s)", System.getProperty("java.vendor"), System.getProperty("java.version"));
        } else {
            LOG.infof("TLS provider: JDK (%s %s); OpenSSL unavailable: %s", System.getProperty("java.vendor"),
                    System.getProperty("java.version"), unavailabilityCause());
        }
    }

    private static String unavailabilityCause() {
        Throwable cause = OpenSsl.unavailabilityCause();
        if (cause == null) {
            return SslProvider.isTlsv13Supported(SslProvider.OPENSSL) ? "unknown" : "no TLS 1.3 support";
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
