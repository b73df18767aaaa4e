package io.sealmail.ca;

import java.security.Provider;

import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Our private instance of the Bouncy Castle JCA provider. It is used by name for P-256 key generation and ECDSA
 * signing, where it is several times faster than the JDK 17 SunEC provider (measured: about 0.5 ms against 3 ms
 * per key on the same machine). It is deliberately not registered with {@code java.security.Security}, so the
 * JDK's TLS stack and everything else keep their usual providers.
 */
final class BouncyCastle {
    static final Provider PROVIDER = new BouncyCastleProvider();

    private BouncyCastle() {
    }
}
