package io.creditproxy.billing;

import java.util.UUID;

/** What is needed to ask fal about a job that is not settled yet. */
public record OpenJob(UUID id, String unit, String statusUrl, String responseUrl) {
}
