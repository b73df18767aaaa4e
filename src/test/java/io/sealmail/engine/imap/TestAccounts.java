package io.sealmail.engine.imap;

import io.sealmail.engine.auth.AccountDirectory;
import io.sealmail.engine.auth.ScramCredentials;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** A fixed account list for session tests; each account also has SCRAM-SHA-256 keys derived from its password. */
public record TestAccounts(Map<String, String> passwords) implements AccountDirectory {
    private static final byte[] SALT = "sealmail-test-salt".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @Override
    public Optional<ScramCredentials> scram(String username) {
        String password = passwords.get(username.toLowerCase(Locale.ROOT));
        return password == null ? Optional.empty()
                : Optional.of(ScramCredentials.derive(password.toCharArray(), SALT, ScramCredentials.MIN_ITERATIONS));
    }

    @Override
    public Optional<String> canonical(String username) {
        String user = username.toLowerCase(Locale.ROOT);
        return passwords.containsKey(user) ? Optional.of(user) : Optional.empty();
    }

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
