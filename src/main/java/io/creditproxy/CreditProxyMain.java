package io.creditproxy;

import io.creditproxy.observability.SecretRedactor;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import org.jboss.logging.Logger;

/**
 * The entry point: Quarkus' usual one, plus a last line on standard error when the start fails. Production logs go
 * through an asynchronous console handler, whose last records can be lost when the JVM exits right after a failed
 * start (Quarkus waits 200 ms for it, not always enough on a loaded machine); that line is written synchronously, so
 * the reason (e.g. "FAL_UPSTREAM=fal needs FAL_KEY ...") is always the last thing a failed start prints.
 */
@QuarkusMain
public class CreditProxyMain {

    public static void main(String... args) {
        Quarkus.run(Application.class, CreditProxyMain::exit, args);
    }

    /** Quarkus' default exit (System.exit), after saying why a start failed. */
    static void exit(int code, Throwable failure) {
        if (failure != null) {
            // Quarkus leaves the failure to a custom exit handler: the same record it would log, with the stack trace,
            // then a moment for the asynchronous console handler to write it
            Logger.getLogger(CreditProxyMain.class).error("Failed to start application", failure);
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.err.println(startFailure(failure));
            System.err.flush();
        }
        System.exit(code);
    }

    /** One line: the innermost cause's message (Quarkus wraps the check's own exception), masked like the log. */
    static String startFailure(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getName() : root.getMessage();
        return "credit-proxy did not start: " + SecretRedactor.maskPatterns(message);
    }

    /** Runs until Quarkus is asked to stop. */
    public static class Application implements QuarkusApplication {
        @Override
        public int run(String... args) {
            Quarkus.waitForExit();
            return 0;
        }
    }
}
