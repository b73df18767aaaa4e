package io.sealmail.engine.imap;

import io.sealmail.engine.auth.AccountDirectory;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** A fixed account list for session tests. */
public record TestAccounts(Map<String, String> passwords) implements AccountDirectory {
    @Override
    public Optional<String> authenticate(String username, char[] password) {
        String user = username.toLowerCase(Locale.ROOT);
        String expected = passwords.get(user);
        return expected != null && expected.equals(new String(password)) ? Optional.of(user) : Optional.empty();
    }

    @Override
    public Optional<String> resolveRecipient(String address) {
        return passwords.containsKey(address.toLowerCase(Locale.ROOT)) ? Optional.of(address.toLowerCase(Locale.ROOT)) : Optional.empty();
    }

    @Override
    public boolean isLocalDomain(String domain) {
        return true;
    }

    @Override
    public boolean maySendAs(String account, String address) {
        return account.equalsIgnoreCase(address);
    }
}
