package io.sealmail.engine.auth;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The hashing pool's queue under a flood: clean addresses first, failing addresses bounded to their share, and
 * through {@link LoginGate} a bystander's Argon2id check overtaking a queue full of an attacker's.
 */
class PasswordCheckQueueTest {

    private static PasswordCheckQueue.Check check(boolean suspect, List<String> ran, String name) {
        return new PasswordCheckQueue.Check(suspect, () -> ran.add(name));
    }

    @Test
    void cleanChecksGoFirstThenArrivalOrder() throws Exception {
        List<String> ran = new ArrayList<>();
        PasswordCheckQueue q = new PasswordCheckQueue(10, 5);
        assertThat(q.offer(check(true, ran, "s1"))).isTrue();
        assertThat(q.offer(check(true, ran, "s2"))).isTrue();
        assertThat(q.offer(check(false, ran, "c1"))).isTrue();
        assertThat(q.offer(check(true, ran, "s3"))).isTrue();
        assertThat(q.offer(check(false, ran, "c2"))).isTrue();
        while (!q.isEmpty()) {
            q.take().run();
        }
        assertThat(ran).containsExactly("c1", "c2", "s1", "s2", "s3");
    }

    @Test
    void failingAddressesFillOnlyTheirShareAndTheRestStaysForOthers() {
        List<String> ran = new ArrayList<>();
        PasswordCheckQueue q = new PasswordCheckQueue(4, 2);
        assertThat(q.offer(check(true, ran, "s1"))).isTrue();
        assertThat(q.offer(check(true, ran, "s2"))).isTrue();
        assertThat(q.offer(check(true, ran, "s3"))).as("past the suspect share").isFalse();
        assertThat(q.offer(check(false, ran, "c1"))).isTrue();
        assertThat(q.offer(check(false, ran, "c2"))).isTrue();
        assertThat(q.offer(check(false, ran, "c3"))).as("past the whole capacity").isFalse();
        q.poll().run();
        assertThat(ran).containsExactly("c1");
        assertThat(q.offer(check(true, ran, "s3"))).as("the suspect share is still full").isFalse();
        assertThat(q.offer(() -> ran.add("plain"))).as("a plain task counts as clean").isTrue();
        assertThatThrownBy(() -> new PasswordCheckQueue(4, 4)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * One hashing thread, busy; an attacker's wrong passwords fill the suspect share, more are answered BUSY; then a
     * bystander from another address logs in: its check is the next one hashed, and it succeeds.
     */
    @Test
    void aBystandersHashOvertakesAFloodOfWrongPasswords() throws Exception {
        InetAddress attacker = InetAddress.getByName("127.0.4.66");
        InetAddress bystander = InetAddress.getByName("127.0.4.67");
        CountDownLatch hashing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> hashed = new CopyOnWriteArrayList<>();
        AccountDirectory accounts = new AccountDirectory() {
            @Override
            public Optional<String> authenticate(String username, char[] password) {
                if (username.equals("first")) {
                    hashing.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS); // holds the one hashing thread until the queue is set up
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                hashed.add(username + ":" + new String(password));
                return new String(password).equals("right") ? Optional.of(username) : Optional.empty();
            }

            @Override
            public Optional<String> resolveRecipient(String address) {
                return Optional.empty();
            }

            @Override
            public boolean isLocalDomain(String domain) {
                return false;
            }

            @Override
            public boolean maySendAs(String account, String address) {
                return false;
            }
        };
        AuthThrottle throttle = new AuthThrottle(3, 1000, Duration.ofMinutes(15), Clock.systemUTC(), 100);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new PasswordCheckQueue(8, 6));
        java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            LoginGate gate = new LoginGate(accounts, throttle, pool, Duration.ZERO);
            List<LoginGate.Outcome> attackerOutcomes = new CopyOnWriteArrayList<>();
            gate.check(attacker, "first", "wrong".toCharArray(), timer, r -> attackerOutcomes.add(r.outcome()));
            assertThat(hashing.await(30, TimeUnit.SECONDS)).isTrue();
            throttle.recordFailure(attacker); // the attacker has failed before: its checks are suspect from now on
            for (int i = 0; i < 10; i++) {
                gate.check(attacker, "victim", ("wrong" + i).toCharArray(), timer, r -> attackerOutcomes.add(r.outcome()));
            }
            // 6 queued (the suspect share of 8), 4 answered BUSY without hashing.
            assertThat(attackerOutcomes).containsExactly(LoginGate.Outcome.BUSY, LoginGate.Outcome.BUSY,
                    LoginGate.Outcome.BUSY, LoginGate.Outcome.BUSY);
            List<LoginGate.Result> bystanderResult = new CopyOnWriteArrayList<>();
            gate.check(bystander, "victim", "right".toCharArray(), timer, bystanderResult::add);
            release.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> hashed.size() == 8);
            assertThat(hashed.get(0)).isEqualTo("first:wrong");
            assertThat(hashed.get(1)).as("the bystander's check overtook the 6 queued wrong passwords").isEqualTo("victim:right");
            assertThat(bystanderResult).singleElement().extracting(LoginGate.Result::outcome).isEqualTo(LoginGate.Outcome.SUCCESS);
        } finally {
            pool.shutdownNow();
            timer.shutdownNow();
        }
    }

    @Test
    void aRejectedCheckIsBusyNotAnException() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new PasswordCheckQueue(2, 1));
        try {
            CountDownLatch release = new CountDownLatch(1);
            pool.execute(() -> {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            pool.execute(new PasswordCheckQueue.Check(true, () -> { }));
            assertThatThrownBy(() -> pool.execute(new PasswordCheckQueue.Check(true, () -> { })))
                    .isInstanceOf(RejectedExecutionException.class);
            pool.execute(new PasswordCheckQueue.Check(false, () -> { }));
            release.countDown();
        } finally {
            pool.shutdownNow();
        }
    }
}
