package io.creditproxy.support;

import io.quarkus.test.common.http.TestHTTPResourceManager;
import java.net.URI;

/**
 * The management interface of the test application (metrics and health; its own port, bound to loopback, random
 * in tests so that parallel runs never clash).
 */
public final class Management {

    private Management() {
    }

    /** e.g. {@code url("/q/metrics")} → {@code http://127.0.0.1:41234/q/metrics} */
    public static String url(String path) {
        // Quarkus gives the management root, e.g. http://127.0.0.1:41234/q
        return URI.create(TestHTTPResourceManager.getManagementUri()).resolve(path).toString();
    }
}
