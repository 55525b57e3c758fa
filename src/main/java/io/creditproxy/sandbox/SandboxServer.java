package io.creditproxy.sandbox;

import jakarta.enterprise.context.ApplicationScoped;

/** The fal simulator. (Stub: implemented in the sandbox work.) */
@ApplicationScoped
public class SandboxServer {

    /** e.g. http://127.0.0.1:8089 ; the sandbox answers fal's paths under it. */
    public String baseUrl() {
        throw new UnsupportedOperationException("not yet");
    }
}
