package io.sealmail.engine.tls;

import java.util.List;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;

/**
 * The engine's one TLS policy, the same on every port and with either provider.
 *
 * <ul>
 * <li>Protocols: TLS 1.3 and TLS 1.2 only. SSLv3, TLS 1.0 and 1.1 are refused at the handshake (RFC 8996
 * deprecates 1.0/1.1; RFC 8314 §4.1 asks mail services for TLS 1.2 or later).</li>
 * <li>Cipher suites: an explicit list, never the provider default, so no NULL, export, anonymous, RC4, 3DES or
 * CBC suites can appear through a library update. TLS 1.3 suites (all AEAD), then for TLS 1.2 only forward-secret
 * ECDHE with AEAD ciphers (AES-GCM, ChaCha20-Poly1305), for ECDSA and RSA certificates. The order follows Mozilla's
 * "intermediate" profile, and the server's order wins (server cipher preference).</li>
 * <li>No client certificates, no ALPN (mail protocols do not negotiate one).</li>
 * </ul>
 */
public final class TlsPolicy {
    /** Enabled protocol versions, newest first. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /** Enabled cipher suites in server preference order (IANA names, which both providers accept). */
    public static final List<String> CIPHER_SUITES = List.of(
            // TLS 1.3 (RFC 8446 §9.1): AEAD only, key exchange always ephemeral
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            // TLS 1.2: ECDHE for forward secrecy, AEAD only (no CBC, hence no Lucky13/POODLE-style padding oracles)
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private TlsPolicy() {
    }

    /**
     * A server context for {@code pair} under this policy.
     *
     * @throws TlsException if the provider refuses the key or certificate
     */
    public static SslContext serverContext(CertificatePair pair, TlsProvider provider) {
        provider.announce();
        SslContext context;
        try {
            context = SslContextBuilder.forServer(pair.key(), pair.chain())
                    .sslProvider(provider.netty())
                    .protocols(PROTOCOLS)
                    .ciphers(CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                    .clientAuth(ClientAuth.NONE)
                    .build();
        } catch (SSLException | RuntimeException e) {
            throw new TlsException("the " + provider.id() + " TLS provider refused the certificate and key: "
                    + e.getMessage(), e);
        }
        return new PolicySslContext(context, provider);
    }

    /** An SslHandler from {@code context}, implicit TLS or STARTTLS (first write in clear). */
    static SslHandler newHandler(SslContext context, ByteBufAllocator alloc, boolean startTls) {
        if (context instanceof PolicySslContext policy) {
            return policy.handler(alloc, startTls);
        }
        return startTls ? new SslHandler(context.newEngine(alloc), true) : context.newHandler(alloc);
    }

    /**
     * The provider's context with the per-engine settings the builder cannot express: server cipher preference for
     * SunJSSE (netty-tcnative sets SSL_OP_CIPHER_SERVER_PREFERENCE itself). Also gives access to the provider's own
     * handler factory for STARTTLS, which for OpenSSL avoids the slower JDK-compatibility engine mode.
     */
    private static final class PolicySslContext extends DelegatingSslContext {
        private final TlsProvider provider;

        PolicySslContext(SslContext context, TlsProvider provider) {
            super(context);
            this.provider = provider;
        }

        SslHandler handler(ByteBufAllocator alloc, boolean startTls) {
            return newHandler(alloc, startTls);
        }

        @Override
        protected void initEngine(SSLEngine engine) {
            if (provider == TlsProvider.JDK) {
                SSLParameters parameters = engine.getSSLParameters();
                parameters.setUseCipherSuitesOrder(true);
                engine.setSSLParameters(parameters);
            }
        }
    }
}
