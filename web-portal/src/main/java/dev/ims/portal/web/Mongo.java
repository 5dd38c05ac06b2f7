package dev.ims.portal.web;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Adapts the driver's {@link Publisher}s to Vert.x {@link Future}s completed on the caller's context, so
 * handlers stay on their event loop and never block.
 */
public final class Mongo {

    private Mongo() {}

    public static <T> Future<List<T>> list(Publisher<T> publisher) {
        Context context = Vertx.currentContext();
        Promise<List<T>> promise = Promise.promise();
        publisher.subscribe(new Subscriber<T>() {
            private final List<T> items = new ArrayList<>();

            @Override
            public void onSubscribe(Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(T t) {
                items.add(t);
            }

            @Override
            public void onError(Throwable t) {
                run(context, () -> promise.tryFail(t));
            }

            @Override
            public void onComplete() {
                run(context, () -> promise.tryComplete(items));
            }
        });
        return promise.future();
    }

    /**
     * Folds a publisher's items into {@code state} one at a time, asking for {@code chunk} items at a
     * time, so a long result is never held in memory as a whole.
     */
    public static <T, S> Future<S> fold(Publisher<T> publisher, S state, java.util.function.BiConsumer<S, T> step, int chunk) {
        Context context = Vertx.currentContext();
        Promise<S> promise = Promise.promise();
        publisher.subscribe(new Subscriber<T>() {
            private Subscription subscription;
            private long left;

            @Override
            public void onSubscribe(Subscription s) {
                subscription = s;
                left = chunk;
                s.request(chunk);
            }

            @Override
            public void onNext(T t) {
                try {
                    step.accept(state, t);
                } catch (RuntimeException e) {
                    subscription.cancel();
                    run(context, () -> promise.tryFail(e));
                    return;
                }
                if (--left == 0) {
                    left = chunk;
                    subscription.request(chunk);
                }
            }

            @Override
            public void onError(Throwable t) {
                run(context, () -> promise.tryFail(t));
            }

            @Override
            public void onComplete() {
                run(context, () -> promise.tryComplete(state));
            }
        });
        return promise.future();
    }

    /** The first item, or null. */
    public static <T> Future<T> first(Publisher<T> publisher) {
        return list(publisher).map(l -> l.isEmpty() ? null : l.get(0));
    }

    private static void run(Context context, Runnable r) {
        if (context == null) {
            r.run();
        } else {
            context.runOnContext(v -> r.run());
        }
    }
}
