package io.creditproxy.sandbox;

/** A snapshot of what the simulator has served since it started or was last reset. */
public record SandboxCounters(long submits, long accepted, long unauthorized, long statusPolls, long streams,
                              long results, long cancels, long webhookAttempts, long webhooksDelivered,
                              long webhooksFailed) {
}
