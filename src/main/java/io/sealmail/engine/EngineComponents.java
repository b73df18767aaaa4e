package io.sealmail.engine;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.sealmail.config.ConfigException;
import io.sealmail.config.EngineConfig;
import io.sealmail.engine.auth.AccountDirectory;
import io.sealmail.store.MailStore;
import io.sealmail.store.OutboundQueue;

import java.io.File;
import java.util.List;
import java.util.function.Supplier;

/** The production components made from the configuration when the builder was not given one. */
final class EngineComponents {
    private final EngineConfig config;

    EngineComponents(EngineConfig config) {
        this.config = config;
    }

    Supplier<SslContext> serverTls(List<AutoCloseable> owned) {
        try {
            SslContext context = SslContextBuilder.forServer(new File(config.tls().certFile()), new File(config.tls().keyFile()))
                    .protocols("TLSv1.3", "TLSv1.2").build();
            return () -> context;
        } catch (Exception e) {
            throw new ConfigException("tls: cannot load " + config.tls().certFile() + " and " + config.tls().keyFile() + ": " + e.getMessage(), e);
        }
    }

    AccountDirectory accounts(List<AutoCloseable> owned) {
        throw new ConfigException("accountsFile: no account directory implementation in this build yet");
    }

    MailStore store(List<AutoCloseable> owned) {
        throw new ConfigException("dataDir: no mail store implementation in this build yet");
    }

    OutboundQueue outbound(List<AutoCloseable> owned) {
        throw new ConfigException("dataDir: no outbound queue implementation in this build yet");
    }
}
