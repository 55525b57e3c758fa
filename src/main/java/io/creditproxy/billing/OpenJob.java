package io.creditproxy.billing;

import java.util.UUID;

/**
 * What is needed to ask fal about a job that is not settled yet; {@code upstreamId} is the fal account that took it
 * (its key is the only one fal answers about the request with; null: FAL_KEY).
 */
public record OpenJob(UUID id, String unit, String statusUrl, String responseUrl, Long upstreamId) {
}
