package io.sealmail.store;

import java.io.IOException;

/** The store cannot take more work right now; nothing was written. Protocols answer with a temporary failure. */
public class StoreBusyException extends IOException {
    public StoreBusyException(String message) {
        super(message);
    }
}
