package io.sealmail.engine.imap;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SessionExecutorTest {

    @Test
    void aTaskThatThrowsDoesNotStopTheSessionsLaterTasks() {
        List<Runnable> pool = new ArrayList<>();
        SessionExecutor executor = new SessionExecutor(pool::add);
        List<String> ran = new ArrayList<>();
        executor.submit(() -> ran.add("first"));
        executor.submit(() -> {
            throw new StackOverflowError();
        });
        executor.submit(() -> {
            throw new IllegalStateException("bug");
        });
        executor.submit(() -> ran.add("after"));
        assertThat(pool).hasSize(1);
        pool.remove(0).run();
        assertThat(ran).containsExactly("first", "after");
        assertThat(executor.pending()).isZero();
        executor.submit(() -> ran.add("later"));
        assertThat(pool).as("the executor is not stuck as running").hasSize(1);
        pool.remove(0).run();
        assertThat(ran).containsExactly("first", "after", "later");
    }
}
