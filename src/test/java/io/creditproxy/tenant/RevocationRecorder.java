package io.creditproxy.tenant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test observer of {@link KeyRevoked}, the way the proxy's cache will observe it: after commit. */
@ApplicationScoped
public class RevocationRecorder {

    private final List<KeyRevoked> seen = new CopyOnWriteArrayList<>();

    void on(@Observes(during = TransactionPhase.AFTER_SUCCESS) KeyRevoked event) {
        seen.add(event);
    }

    public List<KeyRevoked> seen() {
        return seen;
    }
}
