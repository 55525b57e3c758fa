package io.creditproxy.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.function.Supplier;

/** Small helpers for proxy tests: a tenant-side submit and polling with a deadline (never a timed sleep). */
public final class ProxyCalls {

    /** Never a real key: what dev and test send to the sandbox. */
    public static final String OPERATOR_KEY = "sandbox-key-id:sandbox-key-secret";

    private ProxyCalls() {
    }

    public static Response submit(String key, String model, String body) {
        return given().header("Authorization", "Bearer " + key).contentType(ContentType.JSON).body(body)
                .when().post("/" + model);
    }

    public static Response get(String key, String url) {
        return given().header("Authorization", "Bearer " + key).when().get(url);
    }

    public static <T> T eventually(Duration timeout, Supplier<T> attempt, java.util.function.Predicate<T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = attempt.get();
        while (!done.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout + "; last value: " + last);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            last = attempt.get();
        }
        return last;
    }
}
