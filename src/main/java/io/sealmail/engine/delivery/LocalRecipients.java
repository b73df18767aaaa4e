package io.sealmail.engine.delivery;

import java.util.Optional;

/** Which addresses are local (the engine's account directory): bounces to them go straight into their INBOX. */
public interface LocalRecipients {
    /** The local account receiving mail for {@code address}, if any. */
    Optional<String> account(String address);

    /** True for the engine's own domains: a bounce to an unknown address there is dropped, never sent out. */
    boolean isLocalDomain(String domain);
}
