package io.sealmail.engine.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.sealmail.config.Role;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Base64;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProxyHeaderHandlerTest {
    @Test
    void nothingAfterABadHeaderStartsTheProtocolOrEscapesThePipeline() {
        // Found by ProxyFuzz (its crash-c3adff25... input): a TCP4 header of length 1 (refused), then a header of
        // length 30 the decoder accepts and garbage, in one read. The second header used to be decoded as the
        // closed channel went inactive and started the protocol; the garbage's decoding error then reached the
        // end of the pipeline.
        ByteArrayOutputStream in = new java.io.ByteArrayOutputStream();
        in.writeBytes(Base64.getDecoder().decode("DQoNCgANClFVSVQKIREAAQANCg0KAA0KUVVJVAohEQAe//////9//3///////woAAJH/"
                + "wCX///8KAAAAAAAAAAAEAAD/AQAAAJH/AAANwCX//w3/////Df///wAKAAAAAA3/"));
        boolean[] started = new boolean[1];
        List<Throwable> escaped = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel(new HAProxyMessageDecoder(ProxyProtocolInitializer.MAX_TLV_OCTETS),
                new ProxyHeaderHandler(Role.SMTP, new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        started[0] = true;
                    }
                }, Duration.ofSeconds(30)));
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                escaped.add(cause);
            }
        });
        ch.writeInbound(Unpooled.wrappedBuffer(in.toByteArray()));
        ch.finishAndReleaseAll();
        assertThat(ch.isOpen()).isFalse();
        assertThat(started[0]).as("protocol started after a refused header").isFalse();
        assertThat(ProxyProtocolInitializer.proxiedClient(ch)).isNull();
        assertThat(escaped).isEmpty();
    }
}
