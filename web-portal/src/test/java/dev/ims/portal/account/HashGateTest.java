package dev.ims.portal.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ims.portal.web.HttpError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HashGateTest {

    final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void pastTheRunningAndWaitingSlots_answers503AtOnce_withRetryAfter() throws Exception {
        HashGate gate = new HashGate(vertx, 2, 1, Duration.ofSeconds(30));
        CountDownLatch release = new CountDownLatch(1);
        List<Future<Integer>> jobs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int n = i;
            jobs.add(gate.run(() -> {
                release.await(30, TimeUnit.SECONDS);
                return n;
            }));
        }
        assertThat(jobs.get(3).failed()).as("no slot and no waiting place").isTrue();
        assertThat(jobs.get(3).cause()).isInstanceOfSatisfying(HttpError.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.retryAfter()).isPositive();
        });
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> jobs.subList(0, 3).stream().allMatch(Future::succeeded));
        assertThat(jobs.get(2).result()).as("the waiting job ran once a slot was free").isEqualTo(2);
        assertThat(gate.maxRunningSeen()).isEqualTo(2);
    }

    @Test
    void aWaitingJob_whoseWaitRunsOut_answers503_andNeverRuns() throws Exception {
        HashGate gate = new HashGate(vertx, 1, 5, Duration.ofMillis(200));
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        Future<Integer> blocking = gate.run(() -> {
            release.await(30, TimeUnit.SECONDS);
            return 1;
        });
        Future<Integer> waiting = gate.run(() -> ran.incrementAndGet());
        await().atMost(Duration.ofSeconds(10)).until(waiting::failed);
        assertThat(((HttpError) waiting.cause()).status()).isEqualTo(503);
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(blocking::succeeded);
        assertThat(ran).hasValue(0);
        assertThat(gate.run(() -> 7).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).as("the slot came back").isEqualTo(7);
    }

    @Test
    void manyParallelJobs_runAtMostTheCapAtOnce() throws Exception {
        HashGate gate = new HashGate(vertx, 3, 1000, Duration.ofSeconds(30));
        AtomicInteger now = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Future<Integer>> jobs = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            jobs.add(gate.run(() -> {
                most.accumulateAndGet(now.incrementAndGet(), Math::max);
                Thread.sleep(5); // stands in for a password hash's CPU time
                now.decrementAndGet();
                return 1;
            }));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> jobs.stream().allMatch(Future::succeeded));
        assertThat(most.get()).isBetween(1, 3);
        assertThat(gate.maxRunningSeen()).isEqualTo(3);
    }

    @Test
    void aFailingJob_givesItsSlotBack() throws Exception {
        HashGate gate = new HashGate(vertx, 1, 0, Duration.ZERO);
        Future<Integer> failing = gate.run(() -> {
            throw new IllegalStateException("boom");
        });
        await().atMost(Duration.ofSeconds(10)).until(failing::failed);
        assertThat(gate.run(() -> 2).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)).isEqualTo(2);
    }
}
