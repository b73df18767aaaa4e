package io.sealmail.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The engine's whole configuration: the contract between the operator (which writes it into the
 * {@code <name>-config} ConfigMap as engine.yaml) and the engine (which reads it). Both sides use this type.
 *
 * @param hostname     the name in the SMTP banner, in Received headers and on the certificate
 * @param domains      the local mail domains; mail for other domains is never accepted on port 25
 * @param listeners    the sockets to open
 * @param tls          certificate and key files, reloaded on change
 * @param accountsFile one account per line: address and PHC password hash; reloaded on change
 * @param aliases      alias address to account address
 * @param dataDir      mailboxes and the outbound queue live under here
 * @param limits       bounds; missing fields take defaults
 * @param httpAddress  where health ({@code /healthz}, {@code /readyz}) and {@code /metrics} are served
 * @param httpPort     port for the above; 0 picks a free one, -1 disables it
 * @param dkim         DKIM signing keys for mail leaving local domains (none: no signing)
 * @param inbound      SPF/DKIM/DMARC checks of mail received on port 25
 * @param outbound     how mail for other domains leaves (direct MX delivery by default; see {@link Outbound})
 * @param warmUp       the IMAP/POP3 warm-up before the listeners accept (on by default; see {@link WarmUp})
 */
public record EngineConfig(
        String hostname,
        List<String> domains,
        List<Listener> listeners,
        TlsFiles tls,
        String accountsFile,
        Map<String, String> aliases,
        String dataDir,
        Limits limits,
        String httpAddress,
        Integer httpPort,
        List<DkimKey> dkim,
        Inbound inbound,
        Outbound outbound,
        WarmUp warmUp) {

    /** Everything but the warm-up, which takes its defaults. */
    public EngineConfig(String hostname, List<String> domains, List<Listener> listeners, TlsFiles tls,
                        String accountsFile, Map<String, String> aliases, String dataDir, Limits limits,
                        String httpAddress, Integer httpPort, List<DkimKey> dkim, Inbound inbound, Outbound outbound) {
        this(hostname, domains, listeners, tls, accountsFile, aliases, dataDir, limits, httpAddress, httpPort, dkim, inbound,
                outbound, null);
    }

    /** The configuration without DKIM keys, with the default inbound checks and direct outbound delivery. */
    public EngineConfig(String hostname, List<String> domains, List<Listener> listeners, TlsFiles tls,
                        String accountsFile, Map<String, String> aliases, String dataDir, Limits limits,
                        String httpAddress, Integer httpPort) {
        this(hostname, domains, listeners, tls, accountsFile, aliases, dataDir, limits, httpAddress, httpPort, null, null, null);
    }

    /** With DKIM keys and inbound checks, direct outbound delivery. */
    public EngineConfig(String hostname, List<String> domains, List<Listener> listeners, TlsFiles tls,
                        String accountsFile, Map<String, String> aliases, String dataDir, Limits limits,
                        String httpAddress, Integer httpPort, List<DkimKey> dkim, Inbound inbound) {
        this(hostname, domains, listeners, tls, accountsFile, aliases, dataDir, limits, httpAddress, httpPort, dkim, inbound, null);
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public EngineConfig {
        if (hostname == null || hostname.isBlank()) {
            throw new ConfigException("hostname is required");
        }
        if (domains == null || domains.isEmpty()) {
            throw new ConfigException("domains: at least one local domain is required");
        }
        if (domains.stream().anyMatch(d -> d == null || d.isBlank())) {
            throw new ConfigException("domains: a domain is empty");
        }
        domains = domains.stream().map(d -> d.trim().toLowerCase(Locale.ROOT)).distinct().toList();
        listeners = listeners == null ? List.of() : List.copyOf(listeners);
        if (tls == null) {
            throw new ConfigException("tls: certFile and keyFile are required (every role needs TLS)");
        }
        if (accountsFile == null || accountsFile.isBlank()) {
            throw new ConfigException("accountsFile is required");
        }
        if (dataDir == null || dataDir.isBlank()) {
            throw new ConfigException("dataDir is required");
        }
        Map<String, String> lowered = new TreeMap<>();
        if (aliases != null) {
            aliases.forEach((k, v) -> {
                if (v == null || v.isBlank()) {
                    throw new ConfigException("aliases: " + k + " has no target account");
                }
                lowered.put(k.trim().toLowerCase(Locale.ROOT), v.trim().toLowerCase(Locale.ROOT));
            });
        }
        aliases = Map.copyOf(lowered);
        limits = (limits == null ? Limits.DEFAULTS : limits).withDefaults();
        if (httpAddress == null || httpAddress.isBlank()) {
            httpAddress = "0.0.0.0";
        }
        if (httpPort == null) {
            httpPort = 8080;
        }
        if (httpPort < -1 || httpPort > 65535) {
            throw new ConfigException("httpPort: " + httpPort + " is outside 0-65535 (or -1 to disable)");
        }
        dkim = dkim == null ? List.of() : List.copyOf(dkim);
        for (DkimKey key : dkim) {
            if (!domains.contains(key.domain())) {
                throw new ConfigException("dkim: " + key.domain() + " is not one of the local domains " + domains);
            }
        }
        if (dkim.stream().map(k -> k.domain() + "/" + k.selector()).distinct().count() != dkim.size()) {
            throw new ConfigException("dkim: a domain has the same selector twice");
        }
        inbound = inbound == null ? Inbound.DEFAULTS : inbound;
        outbound = outbound == null ? Outbound.DEFAULTS : outbound;
        warmUp = warmUp == null ? WarmUp.DEFAULTS : warmUp;
    }

    /** A copy with these DKIM keys and inbound checks. */
    public EngineConfig withMailAuth(List<DkimKey> dkim, Inbound inbound) {
        return new EngineConfig(hostname, domains, listeners, tls, accountsFile, aliases, dataDir, limits, httpAddress,
                httpPort, dkim, inbound, outbound, warmUp);
    }

    /** The same configuration with another outbound block. */
    public EngineConfig withOutbound(Outbound newOutbound) {
        return new EngineConfig(hostname, domains, listeners, tls, accountsFile, aliases, dataDir, limits, httpAddress,
                httpPort, dkim, inbound, newOutbound, warmUp);
    }

    /** The same configuration with another warm-up (test fixtures turn it off: {@link WarmUp#OFF}). */
    public EngineConfig withWarmUp(WarmUp newWarmUp) {
        return new EngineConfig(hostname, domains, listeners, tls, accountsFile, aliases, dataDir, limits, httpAddress,
                httpPort, dkim, inbound, outbound, newWarmUp);
    }
}
