package dev.ims.portal.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ims.model.json.Json;
import dev.ims.portal.account.Access;
import dev.ims.portal.web.HttpError;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's live updates as Server-Sent Events ({@code text/event-stream}), staff only: after every change the index
 * applies, each open stream gets one {@code fleet} event, {@code {"total", "counts", "items": [changed meters, at most
 * {@value #MAX_ITEMS}], "more": true when more changed}}, the items as {@code GET /api/v1/fleet} lists them; an idle
 * stream gets a comment line every {@link FleetOptions#heartbeat()}. At most {@link FleetOptions#maxStreams()} streams are
 * open at once in this process (more: 503 with {@code Retry-After}); a stream whose client does not keep up (its write
 * queue full) is closed, and the browser's {@code EventSource} opens a new one.
 */
public final class FleetEvents {

    private static final Logger LOG = LoggerFactory.getLogger(FleetEvents.class);
    static final int MAX_ITEMS = 200;
    /** What a browser waits before reconnecting a lost stream, in ms (the {@code retry} field). */
    static final int RETRY_MILLIS = 3000;

    private final FleetIndex index;
    private final Clock clock;
    private final FleetOptions options;
    private final Set<HttpServerResponse> streams = ConcurrentHashMap.newKeySet();
    private final AtomicInteger opened = new AtomicInteger();
    private Vertx vertx;
    private long timer = -1;

    public FleetEvents(FleetIndex index, Clock clock, FleetOptions options) {
        this.index = index;
        this.clock = clock;
        this.options = options;
        index.onChange(this::changed);
    }

    public FleetEvents start(Vertx vertx) {
        this.vertx = vertx;
        timer = vertx.setPeriodic(options.heartbeat().toMillis(), t -> send(": keep-alive\n\n"));
        return this;
    }

    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        for (HttpServerResponse r : streams) {
            try {
                r.end();
            } catch (RuntimeException e) {
                // already closed
            }
        }
        streams.clear();
    }

    /** Streams open now. */
    public int open() {
        return streams.size();
    }

    /** {@code GET …/events}: opens a stream for staff; 503 when {@link FleetOptions#maxStreams()} are open. */
    public void handle(RoutingContext ctx) {
        Access.staff(ctx);
        if (opened.incrementAndGet() > options.maxStreams()) {
            opened.decrementAndGet();
            throw new HttpError(503, "too many live fleet streams are open (" + options.maxStreams() + "); the page works without, reload it"
                    + " to see changes", Duration.ofSeconds(30));
        }
        HttpServerResponse r = ctx.response();
        r.setChunked(true).putHeader("Content-Type", "text/event-stream; charset=utf-8").putHeader("Cache-Control", "no-store")
                .putHeader("X-Accel-Buffering", "no");
        streams.add(r);
        r.closeHandler(v -> closed(r));
        r.exceptionHandler(e -> closed(r));
        r.write("retry: " + RETRY_MILLIS + "\n\n");
        r.write(event("hello", Map.of("total", index.size(), "counts", index.counts())));
    }

    private void closed(HttpServerResponse r) {
        if (streams.remove(r)) {
            opened.decrementAndGet();
        }
    }

    private void changed(List<FleetEntry> changed) {
        if (streams.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("total", index.size());
        body.put("counts", index.counts());
        body.put("items", changed.stream().limit(MAX_ITEMS).map(e -> e.view(now)).toList());
        body.put("more", changed.size() > MAX_ITEMS);
        send(event("fleet", body));
    }

    private void send(String text) {
        for (HttpServerResponse r : streams) {
            try {
                if (r.writeQueueFull()) {
                    LOG.debug("Closing a fleet stream whose client does not keep up");
                    closed(r);
                    r.reset();
                    continue;
                }
                r.write(text);
            } catch (RuntimeException e) {
                // Closed between the close handler's run and this write: forget it, the others still get the event.
                closed(r);
            }
        }
    }

    private static String event(String name, Object body) {
        try {
            return "event: " + name + "\ndata: " + Json.mapper().writeValueAsString(body) + "\n\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
