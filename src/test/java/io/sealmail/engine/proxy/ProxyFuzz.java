package io.sealmail.engine.proxy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.sealmail.config.Role;

import java.net.InetAddress;
import java.time.Duration;

/**
 * Jazzer fuzz target for the PROXY protocol path of a listener: bytes from a (trusted) load balancer, cut where
 * the fuzzer chooses, through Netty's decoder and {@link ProxyHeaderHandler}. A run fails on any exception that
 * escapes the pipeline, or when a client address is recorded without the protocol starting. Not in the default
 * test run; seeds: {@code ./mvnw -q test -Dtest=ProxyFuzz}, fuzzing: {@code JAZZER_FUZZ=1 ./mvnw -q test
 * -Dtest=ProxyFuzz} (docs/fuzzing.md).
 */
class ProxyFuzz {

    @FuzzTest(maxDuration = "5m")
    void proxyHeader(FuzzedDataProvider data) {
        ByteBuf after = Unpooled.buffer();
        boolean[] started = new boolean[1];
        ChannelInitializer<Channel> protocol = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                started[0] = true;
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf b = (ByteBuf) msg;
                        after.writeBytes(b);
                        b.release();
                    }
                });
            }
        };
        EmbeddedChannel ch = new EmbeddedChannel(new HAProxyMessageDecoder(ProxyProtocolInitializer.MAX_TLV_OCTETS),
                new ProxyHeaderHandler(Role.SMTP, protocol, Duration.ofSeconds(30)));
        try {
            while (data.remainingBytes() > 0 && ch.isOpen()) {
                byte[] piece = data.consumeBytes(1 + data.consumeInt(0, 300));
                ch.writeInbound(Unpooled.wrappedBuffer(piece));
                ch.checkException();
            }
            InetAddress client = ProxyProtocolInitializer.proxiedClient(ch);
            if (client != null && !started[0]) {
                throw new IllegalStateException("a client address was recorded but the protocol never started");
            }
        } finally {
            ch.finishAndReleaseAll();
            after.release();
        }
    }
}
