package io.sealmail.engine.delivery;

import java.io.IOException;

/** The remote broke the protocol (malformed or oversized reply, unexpected data, closed mid-reply): defer. */
class SmtpProtocolException extends IOException {
    SmtpProtocolException(String message) {
        super(message);
    }
}
