package io.creditproxy.fal;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/** fal's answer, fully read. */
public record UpstreamResponse(int status, MultiMap headers, Buffer body) {

    public String bodyText() {
        return body == null ? "" : body.toString();
    }

    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }
}
