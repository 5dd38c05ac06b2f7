package dev.ims.portal.health;

import static dev.ims.model.storage.StoreSchema.SERVICES;

import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.portal.web.Mongo;
import dev.ims.portal.web.Responses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.TimeoutException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/**
 * {@code GET /health}: 200 while the database answers the portal and every live ingest instance can
 * write to it, else 503. The broker's state, the ingest's view of the database ({@code ingestDatabase})
 * and the counters come from the ingest instances' heartbeats; a heartbeat older than {@link #STALE}
 * counts as unknown.
 */
public final class HealthRoutes {

    static final Duration STALE = Duration.ofSeconds(15);
    private static final String[] COUNTERS = {"received", "stored", "duplicates", "rejected"};

    private final MongoDatabase db;
    private final Clock clock;

    public HealthRoutes(MongoDatabase db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** The database counts as down when it has not answered within this; the driver alone would wait 30 s. */
    static final Duration DATABASE_TIMEOUT = Duration.ofSeconds(3);

    private static <T> Future<T> within(RoutingContext ctx, Future<T> f) {
        Promise<T> p = Promise.promise();
        long timer = ctx.vertx().setTimer(DATABASE_TIMEOUT.toMillis(),
                t -> p.tryFail(new TimeoutException("no answer within " + DATABASE_TIMEOUT.toSeconds() + " s")));
        f.onComplete(r -> {
            ctx.vertx().cancelTimer(timer);
            if (r.succeeded()) {
                p.tryComplete(r.result());
            } else {
                p.tryFail(r.cause());
            }
        });
        return p.future();
    }

    public void register(Router router) {
        router.get("/health").handler(this::health);
    }

    private void health(RoutingContext ctx) {
        Future<Document> ping = within(ctx, Mongo.first(db.runCommand(new Document("ping", 1))));
        Future<List<Document>> services = within(ctx, Mongo.list(db.getCollection(SERVICES).find()));
        Future.all(ping, services).onComplete(done -> {
            Map<String, Object> body = new LinkedHashMap<>();
            boolean dbUp = ping.succeeded();
            String broker = "UNKNOWN";
            Map<String, Long> counters = new LinkedHashMap<>();
            for (String c : COUNTERS) {
                counters.put(c, 0L);
            }
            int ingests = 0;
            String ingestDatabase = "UNKNOWN";
            if (services.succeeded()) {
                Instant now = clock.instant();
                for (Document s : services.result()) {
                    for (String c : COUNTERS) {
                        counters.merge(c, s.get(c) instanceof Number n ? n.longValue() : 0L, Long::sum);
                    }
                    Date beat = s.getDate("heartbeat");
                    if (beat != null && beat.toInstant().isAfter(now.minus(STALE))) {
                        ingests++;
                        if ("DOWN".equals(s.getString("database"))) {
                            ingestDatabase = "DOWN";
                        } else if (!"DOWN".equals(ingestDatabase)) {
                            ingestDatabase = "UP";
                        }
                        if ("UP".equals(s.getString("broker"))) {
                            broker = "UP";
                        } else if (!"UP".equals(broker)) {
                            broker = "DOWN";
                        }
                    }
                }
            }
            // An ingest that cannot write stops the pipeline as surely as a database the portal cannot reach.
            dbUp = dbUp && !"DOWN".equals(ingestDatabase);
            body.put("status", dbUp && "UP".equals(broker) ? "UP" : dbUp ? "DEGRADED" : "DOWN");
            body.put("database", dbUp ? "UP" : "DOWN");
            body.put("ingestDatabase", ingestDatabase);
            body.put("broker", broker);
            body.put("ingestInstances", ingests);
            body.put("counters", counters);
            Responses.json(ctx, dbUp ? 200 : 503, body);
        });
    }
}
