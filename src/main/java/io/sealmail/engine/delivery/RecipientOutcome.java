package io.sealmail.engine.delivery;

/** What one remote said about one recipient of one transaction. */
record RecipientOutcome(String recipient, RemoteReply reply) {
}
