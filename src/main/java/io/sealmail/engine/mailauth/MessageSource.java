package io.sealmail.engine.mailauth;

import java.io.IOException;
import java.io.OutputStream;

/** A message that can be written out once, in full (from the SMTP spool, a file, or bytes in a test). */
@FunctionalInterface
public interface MessageSource {
    void writeTo(OutputStream out) throws IOException;

    static MessageSource of(byte[] message) {
        return out -> out.write(message);
    }
}
