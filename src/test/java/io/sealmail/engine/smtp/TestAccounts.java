package io.sealmail.engine.smtp;

import io.sealmail.engine.auth.AccountDirectory;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-memory account directory for protocol tests: the SMTP engine's view of accounts, nothing more. */
final class TestAccounts implements AccountDirectory {
    private final Map<String, String> passwords = new ConcurrentHashMap<>();
    private final Map<String, String> aliases = new ConcurrentHashMap<>();
    private final List<String> domains;
    final AtomicInteger authenticateCalls = new AtomicInteger();
    volatile String eventLoopThreadSeen;

    TestAccounts(List<String> domains) {
        this.domains = domains;
    }

    TestAccounts user(String address, String password) {
        passwords.put(address.toLowerCase(Locale.ROOT), password);
        return this;
    }

    TestAccounts alias(String alias, String account) {
        aliases.put(alias.toLowerCase(Locale.ROOT), account.toLowerCase(Locale.ROOT));
        return this;
    }

    @Override
    public Optional<String> authenticate(String username, char[] password) {
        authenticateCalls.incrementAndGet();
        if (Thread.currentThread().getName().contains("EventLoop") || Thread.currentThread().getName().contains("epoll")) {
            eventLoopThreadSeen = Thread.currentThread().getName();
        }
        String key = username.toLowerCase(Locale.ROOT);
        String expected = passwords.get(key);
        return expected != null && expected.equals(new String(password)) ? Optional.of(key) : Optional.empty();
    }

    @Override
    public Optional<String> resolveRecipient(String address) {
        String key = address.toLowerCase(Locale.ROOT);
        if (passwords.containsKey(key)) {
            return Optional.of(key);
        }
        return Optional.ofNullable(aliases.get(key));
    }

    @Override
    public boolean isLocalDomain(String domain) {
        return domains.contains(domain.toLowerCase(Locale.ROOT));
    }

    @Override
    public boolean maySendAs(String account, String address) {
        String key = address.toLowerCase(Locale.ROOT);
        return key.equals(account) || account.equals(aliases.get(key));
    }
}
