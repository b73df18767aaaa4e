package io.sealmail.engine.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.sealmail.config.Listener;
import io.sealmail.config.ProxyProtocol;
import io.sealmail.engine.MailMetrics;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The pipeline of a listener with {@code proxyProtocol}: before the protocol sees anything, the PROXY header.
 * <ol>
 *   <li>the peer must be a trusted proxy, else the connection is closed at once (no greeting, nothing read):
 *       a PROXY header from anybody else would let them choose the client address SPF and the limits see;</li>
 *   <li>{@code proxy-decoder}: Netty's {@link HAProxyMessageDecoder}, v1 (text, at most 107 octets plus CRLF) or
 *       v2 (binary, TLVs bounded here), closing the connection on any malformed header;</li>
 *   <li>{@code proxy-header}: {@link ProxyHeaderHandler} records the client and only then installs the protocol's
 *       own pipeline (TLS for implicit-TLS ports, framing, session), which starts as if the client had just
 *       connected. Octets after the header (a pipelined command, a TLS ClientHello) go to that pipeline.</li>
 * </ol>
 */
public final class ProxyProtocolInitializer extends ChannelInitializer<Channel> {
    private static final Logger LOG = Logger.getLogger(ProxyProtocolInitializer.class);
    /** TLVs we read none of (RFC-less vendor data, SSL info): a v2 header longer than this is refused. */
    static final int MAX_TLV_OCTETS = 512;

    private final Listener listener;
    private final ProxyProtocol proxy;
    private final ChannelInitializer<Channel> protocol;
    private final MailMetrics metrics;

    public ProxyProtocolInitializer(Listener listener, ChannelInitializer<Channel> protocol, MailMetrics metrics) {
        this.listener = listener;
        this.proxy = listener.proxyProtocol();
        this.protocol = protocol;
        this.metrics = metrics;
        if (proxy == null) {
            throw new IllegalArgumentException("listener " + listener.role().id() + " has no proxyProtocol");
        }
    }

    /** The client the connection's PROXY header named, or null (a direct connection, or a LOCAL/UNKNOWN header). */
    public static InetAddress proxiedClient(Channel ch) {
        return ch.attr(ProxyHeaderHandler.CLIENT).get();
    }

    @Override
    protected void initChannel(Channel ch) {
        InetAddress peer = ch.remoteAddress() instanceof InetSocketAddress isa ? isa.getAddress() : null;
        if (peer == null || !proxy.trusts(peer)) {
            LOG.warnf("%s (PROXY protocol): connection from %s refused: not one of the trusted proxies %s",
                    listener.role().id(), peer == null ? "?" : peer.getHostAddress(), proxy.trustedProxies());
            metrics.connectionRefused(listener.role());
            ch.close();
            return;
        }
        ch.pipeline().addLast("proxy-decoder", new HAProxyMessageDecoder(MAX_TLV_OCTETS));
        ch.pipeline().addLast("proxy-header", new ProxyHeaderHandler(listener.role(), protocol, proxy.headerTimeout()));
    }
}
