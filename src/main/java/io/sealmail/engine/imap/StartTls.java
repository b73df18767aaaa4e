package io.sealmail.engine.imap;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * Switches a plaintext connection to TLS after STARTTLS/STLS. The switch runs on the event loop, so no read can
 * slip in between: every byte and command pipelined behind STARTTLS is dropped first (CVE-2011-0411 class; RFC 9051
 * §11.1, RFC 2595 §4), the SslHandler goes first in the pipeline with {@code startTls} set so the OK itself leaves
 * in clear, and the next bytes read are the client's handshake.
 */
public final class StartTls {
    private StartTls() {
    }

    public static boolean active(Channel channel) {
        return channel.pipeline().get(SslHandler.class) != null;
    }

    /**
     * Called from a session's command worker; returns once the switch happened, so that the worker cannot pick up
     * a plaintext command queued meanwhile. {@code discardPlaintext} clears the decoder and the command queue.
     */
    public static void upgrade(Channel channel, SslContext context, Runnable discardPlaintext, String okLine) {
        Runnable switchOver = () -> {
            discardPlaintext.run();
            channel.pipeline().addFirst("tls", new SslHandler(context.newEngine(channel.alloc()), true));
            channel.writeAndFlush(Unpooled.copiedBuffer(okLine + "\r\n", StandardCharsets.US_ASCII));
        };
        if (channel.eventLoop().inEventLoop()) {
            switchOver.run();
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        channel.eventLoop().execute(() -> {
            try {
                switchOver.run();
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        done.join();
    }
}
