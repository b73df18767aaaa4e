package io.sealmail.engine;

/**
 * Fired as a user event down every open connection's pipeline when the engine stops. A protocol session
 * finishes what it is doing (a delivery in flight completes and gets its reply), then says goodbye
 * (SMTP 421 4.3.2, IMAP BYE) and closes.
 */
public enum EngineShutdown {
    REQUESTED
}
