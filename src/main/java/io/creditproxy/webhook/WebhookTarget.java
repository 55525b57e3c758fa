package io.creditproxy.webhook;

import java.net.InetAddress;
import java.net.URI;

/**
 * A webhook URL that passed {@link WebhookUrlGuard}, with the address it was checked against. The sender connects
 * to exactly that address, so a DNS answer that changes between the check and the connect cannot redirect it.
 */
public record WebhookTarget(URI uri, String host, int port, boolean tls, InetAddress address) {
}
