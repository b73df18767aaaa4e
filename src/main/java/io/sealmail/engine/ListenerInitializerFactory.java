package io.sealmail.engine;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.sealmail.config.Listener;

/**
 * Builds the channel pipeline of one listener's connections. Each protocol registers one per role in
 * {@link ListenerProtocols}; {@link MailEngine} calls it once per configured listener.
 */
@FunctionalInterface
public interface ListenerInitializerFactory {
    ChannelInitializer<Channel> create(Listener listener, EngineContext context);
}
