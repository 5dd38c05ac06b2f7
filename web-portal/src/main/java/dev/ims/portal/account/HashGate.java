package dev.ims.portal.account;

import dev.ims.portal.web.HttpError;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;

/**
 * Bounds how many password hashes (and claim-code checks) run at once. A bcrypt check at cost 12 takes about
 * 250 ms of one core, so unbounded parallel log-ins would take every core and every worker thread. At most
 * {@code running} jobs run on worker threads; up to {@code waiting} more wait at most {@code maxWait} for a
 * turn; anything beyond fails at once with a 503 carrying a Retry-After, as does a job whose wait ran out.
 * Nothing queues without bound. Results return on the caller's Vert.x context. Thread-safe.
 */
public final class HashGate {

    /** How long a 503 asks the client to wait before retrying. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    private final Vertx vertx;
    private final int running;
    private final int waiting;
    private final Duration maxWait;
    private final Deque<Waiter> queue = new ArrayDeque<>();
    private int busy;
    private int maxBusySeen;

    public HashGate(Vertx vertx, int running, int waiting, Duration maxWait) {
        if (running < 1 || waiting < 0 || maxWait.isNegative()) {
            throw new IllegalArgumentException("need running >= 1, waiting >= 0, maxWait >= 0");
        }
        this.vertx = vertx;
        this.running = running;
        this.waiting = waiting;
        this.maxWait = maxWait;
    }

    /** Runs {@code job} on a worker thread when a slot is free soon enough; else a failed future with a 503. */
    public <T> Future<T> run(Callable<T> job) {
        Context context = vertx.getOrCreateContext();
        Promise<T> result = Promise.promise();
        Waiter w;
        synchronized (this) {
            if (busy < running) {
                busy++;
                maxBusySeen = Math.max(maxBusySeen, busy);
                w = null;
            } else if (queue.size() < waiting && !maxWait.isZero()) {
                w = new Waiter(context, () -> start(context, job, result), () -> result.tryFail(busy()));
                queue.addLast(w);
                long id = vertx.setTimer(Math.max(1, maxWait.toMillis()), t -> expire(w));
                w.timer = id;
                return result.future();
            } else {
                return Future.failedFuture(busy());
            }
        }
        start(context, job, result);
        return result.future();
    }

    /** The most jobs that ever ran at once (for tests: never above {@code running}). */
    public synchronized int maxRunningSeen() {
        return maxBusySeen;
    }

    private <T> void start(Context context, Callable<T> job, Promise<T> result) {
        context.executeBlocking(job, false).onComplete(ar -> {
            finished();
            if (ar.succeeded()) {
                result.tryComplete(ar.result());
            } else {
                result.tryFail(ar.cause());
            }
        });
    }

    private void finished() {
        Waiter next;
        synchronized (this) {
            next = queue.pollFirst();
            if (next == null) {
                busy--;
                return;
            }
            // The slot passes straight to the next waiter: busy stays the same.
        }
        vertx.cancelTimer(next.timer);
        next.context.runOnContext(v -> next.start.run());
    }

    private void expire(Waiter w) {
        boolean removed;
        synchronized (this) {
            removed = queue.remove(w);
        }
        if (removed) {
            w.context.runOnContext(v -> w.refuse.run());
        }
    }

    private static HttpError busy() {
        return new HttpError(503, "the server is busy checking passwords; try again in a moment", RETRY_AFTER);
    }

    private static final class Waiter {
        final Context context;
        final Runnable start;
        final Runnable refuse;
        long timer;

        Waiter(Context context, Runnable start, Runnable refuse) {
            this.context = context;
            this.start = start;
            this.refuse = refuse;
        }
    }
}
