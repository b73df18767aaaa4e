package io.sealmail.engine.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.AttributeKey;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.sealmail.config.Role;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Waits for the decoded PROXY header of one connection (at most {@code timeout}: a proxy that sends half a header,
 * or a v2 header whose length promises more than arrives, loses the connection), records the client it names in
 * {@link #CLIENT}, then puts the protocol's pipeline in its place and starts it.
 */
final class ProxyHeaderHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(ProxyHeaderHandler.class);

    /** The client a PROXY header named; absent on direct connections and for LOCAL/UNKNOWN headers. */
    static final AttributeKey<InetAddress> CLIENT = AttributeKey.valueOf("sealmail.proxiedClient");

    private final Role role;
    private final ChannelInitializer<Channel> protocol;
    private final Duration timeout;
    private ScheduledFuture<?> deadline;
    private boolean done;
    /**
     * A bad header closed the connection. The decoder may still hold octets and decode them as the channel goes
     * inactive (found by ProxyFuzz: a second, valid header behind a bad one started the protocol on the closed
     * connection, and a third decoding error reached the end of the pipeline): nothing after a refusal counts.
     */
    private boolean refused;

    ProxyHeaderHandler(Role role, ChannelInitializer<Channel> protocol, Duration timeout) {
        this.role = role;
        this.protocol = protocol;
        this.timeout = timeout;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // Not passed on: the protocol's handlers do not exist yet; they see channelActive once the header is in.
        deadline = ctx.executor().schedule(() -> {
            if (!done) {
                LOG.infof("%s (PROXY protocol): no complete header from %s within %s; closed", role.id(),
                        ctx.channel().remoteAddress(), timeout);
                ctx.close();
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (refused || !ctx.channel().isActive()) {
            ReferenceCountUtil.release(header);
            return;
        }
        try {
            InetAddress client = client(header);
            if (client != null) {
                ctx.channel().attr(CLIENT).set(client);
            }
        } catch (UnknownHostException e) {
            LOG.infof("%s (PROXY protocol): header from %s names no usable address (%s); closed", role.id(),
                    ctx.channel().remoteAddress(), header.sourceAddress());
            refused = true;
            ctx.close();
            return;
        } finally {
            ReferenceCountUtil.release(header);
        }
        done = true;
        cancelDeadline();
        // The protocol's initializer runs as it is added (the channel is registered), then the session starts.
        ctx.pipeline().addAfter(ctx.name(), null, protocol);
        ctx.fireChannelActive();
        ctx.pipeline().remove(this);
    }

    /**
     * The client a header names. LOCAL (the proxy's own health check, v2) and UNKNOWN or AF_UNIX give null: the
     * connection's own address stays the client (proxy-protocol.txt §2.1 and §2.2).
     */
    static InetAddress client(HAProxyMessage header) throws UnknownHostException {
        if (header.command() == HAProxyCommand.LOCAL) {
            return null;
        }
        HAProxyProxiedProtocol p = header.proxiedProtocol();
        if (p.addressFamily() != HAProxyProxiedProtocol.AddressFamily.AF_IPv4
                && p.addressFamily() != HAProxyProxiedProtocol.AddressFamily.AF_IPv6) {
            return null;
        }
        // The decoder has checked the address text; only literals pass, so no name is ever looked up.
        byte[] raw = NetUtil.createByteArrayFromIpAddressString(header.sourceAddress());
        if (raw == null) {
            throw new UnknownHostException(header.sourceAddress());
        }
        return InetAddress.getByAddress(raw);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (refused) {
            return; // the decoder's leftovers as the refused connection closes: already reported
        }
        refused = true;
        if (cause instanceof HAProxyProtocolException || cause.getCause() instanceof HAProxyProtocolException) {
            // The decoder has closed the connection already (the specification asks for that, §2).
            LOG.infof("%s (PROXY protocol): bad header from %s: %s; closed", role.id(), ctx.channel().remoteAddress(),
                    cause.getCause() instanceof HAProxyProtocolException h ? h.getMessage() : cause.getMessage());
        } else {
            LOG.infof("%s (PROXY protocol): connection from %s failed before the header: %s", role.id(),
                    ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelDeadline();
        ctx.fireChannelInactive();
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
        }
    }
}
