package io.sealmail.store;

import java.time.Instant;
import java.util.List;

/** One entry of the outbound queue. */
public record QueuedMessage(String id, Instant queuedAt, String returnPath, List<String> recipients, long size) {
}
