package io.creditproxy.webhook;

import io.creditproxy.common.ApiException;

/**
 * A webhook URL the proxy will not call: 422 {@code invalid_webhook}. {@link #permanent()} tells the delivery worker
 * whether trying again later can help (a malformed URL never becomes valid; a host's DNS answer may change).
 */
public class InvalidWebhookException extends ApiException {

    private final boolean permanent;

    InvalidWebhookException(String message, boolean permanent) {
        super(422, "invalid_webhook", message);
        this.permanent = permanent;
    }

    public boolean permanent() {
        return permanent;
    }
}
