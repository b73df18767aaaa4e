package io.sealmail.engine;

import io.sealmail.config.ConfigException;
import io.sealmail.config.EngineConfig;
import io.sealmail.engine.auth.AccountDirectory;
import io.sealmail.engine.auth.FileAccountDirectory;
import io.sealmail.engine.tls.ReloadingServerTls;
import io.sealmail.engine.tls.ServerTls;
import io.sealmail.engine.tls.TlsException;
import io.sealmail.engine.tls.TlsListener;
import io.sealmail.store.DiskOutboundQueue;
import io.sealmail.store.MailStore;
import io.sealmail.store.MaildirStore;
import io.sealmail.store.StoreOptions;
import io.sealmail.store.OutboundQueue;

import io.sealmail.engine.delivery.LocalRecipients;
import io.sealmail.engine.delivery.OutboundDelivery;
import io.sealmail.engine.delivery.dns.DnsLookup;
import io.sealmail.engine.delivery.dns.CachingDnsLookup;
import io.sealmail.engine.delivery.dns.ResolverDnsLookup;
import io.sealmail.engine.delivery.policy.PublishedPolicies;
import io.sealmail.engine.delivery.policy.TransportPolicies;

import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
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
        try {
            MaildirStore store = new MaildirStore(Path.of(config.dataDir()),
                    StoreOptions.DEFAULTS.withQuota(config.limits().quotaPerAccount())
                            .withMessageQuota(config.limits().quotaMessagesPerAccount()));
            owned.add(store);
            return store;
        } catch (IOException e) {
            throw new ConfigException("dataDir: cannot open the mail store in " + config.dataDir() + ": " + e.getMessage(), e);
        }
    }

    /** The queue runner over the disk queue, started (it loads what is queued and begins sending). */
    OutboundDelivery delivery(List<AutoCloseable> owned, DiskOutboundQueue queue, MailStore store, AccountDirectory accounts,
                              DnsLookup dns, TransportPolicies policies, MailMetrics metrics) {
        DnsLookup lookup = dns != null ? dns : new CachingDnsLookup(new ResolverDnsLookup(config.outbound().dns()));
        TransportPolicies transport = policies != null ? policies : PublishedPolicies.fromConfig(config, lookup);
        LocalRecipients local = new LocalRecipients() {
            @Override
            public Optional<String> account(String address) {
                return accounts.resolveRecipient(address);
            }

            @Override
            public boolean isLocalDomain(String domain) {
                return accounts.isLocalDomain(domain);
            }
        };
        OutboundDelivery delivery = new OutboundDelivery(config, queue, store, local, lookup, transport, metrics, Clock.systemUTC());
        owned.add(delivery);
        try {
            delivery.start();
        } catch (IOException e) {
            throw new ConfigException("dataDir: cannot read the outbound queue in " + config.dataDir() + ": " + e.getMessage(), e);
        }
        metrics.outboundQueue(delivery::queueSize, delivery::oldestAgeSeconds);
        return delivery;
    }

    OutboundQueue outbound(List<AutoCloseable> owned) {
        try {
            DiskOutboundQueue queue = new DiskOutboundQueue(Path.of(config.dataDir()));
            owned.add(queue);
            return queue;
        } catch (IOException e) {
            throw new ConfigException("dataDir: cannot open the outbound queue in " + config.dataDir() + ": " + e.getMessage(), e);
        }
    }
}
