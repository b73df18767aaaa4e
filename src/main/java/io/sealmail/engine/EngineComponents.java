package io.sealmail.engine;

import io.sealmail.config.ConfigException;
import io.sealmail.config.EngineConfig;
import io.sealmail.engine.auth.AccountDirectory;
import io.sealmail.engine.auth.FileAccountDirectory;
import io.sealmail.engine.tls.ReloadingServerTls;
import io.sealmail.engine.tls.ServerTls;
import io.sealmail.engine.tls.TlsException;
import io.sealmail.engine.tls.TlsListener;
import io.sealmail.store.MailStore;
import io.sealmail.store.OutboundQueue;

import java.nio.file.Path;
import java.util.List;

/** The production components made from the configuration when the builder was not given one. */
final class EngineComponents {
    private final EngineConfig config;

    EngineComponents(EngineConfig config) {
        this.config = config;
    }

    /** The certificate files, watched and reloaded without a restart. */
    ServerTls serverTls(List<AutoCloseable> owned, TlsListener listener) {
        try {
            ReloadingServerTls tls = ReloadingServerTls.watch(Path.of(config.tls().certFile()), Path.of(config.tls().keyFile()), listener);
            owned.add(tls);
            return tls;
        } catch (TlsException e) {
            throw new ConfigException("tls: " + e.getMessage(), e);
        }
    }

    /** The accounts file, polled and reloaded on change; aliases and domains from the configuration. */
    AccountDirectory accounts(List<AutoCloseable> owned) {
        FileAccountDirectory accounts = FileAccountDirectory.open(config);
        owned.add(accounts);
        return accounts;
    }

    MailStore store(List<AutoCloseable> owned) {
        throw new ConfigException("dataDir: no mail store implementation in this build yet");
    }

    OutboundQueue outbound(List<AutoCloseable> owned) {
        throw new ConfigException("dataDir: no outbound queue implementation in this build yet");
    }
}
