package io.creditproxy.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The group commit under the reservations, against the real PostgreSQL: batching, a bad item alone, retries. */
@QuarkusTest
class GroupCommitTest {

    @Inject
    DataSource dataSource;

    private final List<GroupCommit<Integer, Integer>> started = new ArrayList<>();

    @BeforeEach
    void table() throws SQLException {
        execute("DROP TABLE IF EXISTS group_commit_probe; CREATE TABLE group_commit_probe (id integer PRIMARY KEY, tx bigint NOT NULL)");
    }

    @AfterEach
    void stop() throws SQLException {
        started.forEach(GroupCommit::stop);
        execute("DROP TABLE IF EXISTS group_commit_probe");
    }

    /** Inserts each id with its transaction id; answers the number of items in its batch. */
    private List<Integer> insert(Connection c, List<Integer> batch) throws SQLException {
        List<Integer> sizes = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement("INSERT INTO group_commit_probe VALUES (?, txid_current())")) {
            for (int id : batch) {
                p.setInt(1, id);
                p.executeUpdate();
                sizes.add(batch.size());
            }
        }
        return sizes;
    }

    private GroupCommit<Integer, Integer> lanes(GroupCommit.Work<Integer, Integer> work) {
        GroupCommit<Integer, Integer> g = new GroupCommit<>("probe", dataSource, 2, 64, id -> id, work);
        started.add(g);
        return g;
    }

    @Test
    void waitingItemsShareTransactionsAndAnOffendingItemFailsAlone() throws Exception {
        GroupCommit<Integer, Integer> g = lanes(this::insert);
        ExecutorService pool = Executors.newFixedThreadPool(40);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            // ids 0..199, with 7 written twice: one of the two must fail, alone
            int id = i == 199 ? 7 : i;
            results.add(pool.submit(() -> {
                go.await();
                return g.submitAndWait(id, 30_000);
            }));
        }
        go.countDown();
        int failed = 0;
        for (Future<Integer> f : results) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                failed++;
                assertThat(e.getCause()).hasMessageContaining("duplicate key");
            }
        }
        pool.shutdown();
        assertThat(failed).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM group_commit_probe")).isEqualTo(199);
        // 40 callers at once on 2 lanes: fewer transactions than rows
        assertThat(count("SELECT count(DISTINCT tx) FROM group_commit_probe")).isLessThan(199);
    }

    @Test
    void aTransientFailureRetriesTheBatchAndAnOtherFailureIsTheCallers() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        GroupCommit<Integer, Integer> g = lanes((c, batch) -> {
            if (attempts.incrementAndGet() == 1) {
                insert(c, batch); // written, then rolled back
                throw new SQLException("could not serialize access", "40001");
            }
            return insert(c, batch);
        });
        assertThat(g.submitAndWait(1, 30_000)).isEqualTo(1);
        assertThat(attempts.get()).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM group_commit_probe")).isEqualTo(1);

        GroupCommit<Integer, Integer> broken = lanes((c, batch) -> {
            throw new IllegalArgumentException("bad item");
        });
        assertThatThrownBy(() -> broken.submitAndWait(2, 30_000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad item");
        assertThat(count("SELECT count(*) FROM group_commit_probe")).isEqualTo(1);
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
