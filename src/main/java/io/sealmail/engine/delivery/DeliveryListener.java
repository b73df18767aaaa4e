package io.sealmail.engine.delivery;

/** Observes delivery attempts (the engine's metrics). Called on delivery threads; must not block. */
public interface DeliveryListener {
    /** One recipient's attempt ended: {@code delivered}, {@code deferred} or {@code bounced}. */
    void attempted(String result);

    DeliveryListener NONE = result -> {
    };
}
