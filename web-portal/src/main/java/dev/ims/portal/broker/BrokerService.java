package dev.ims.portal.broker;

import static dev.ims.model.storage.StoreSchema.SERVICES;

import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.log.LogSafe;
import dev.ims.portal.web.Mongo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker and pipeline at a glance: the broker's figures from the {@link BrokerMonitor} (absent when no monitoring
 * identity is configured), each ingest instance's from its heartbeat, and the last hour of both, sampled every
 * {@link PipelineHistory#interval()} on a Vert.x timer (one small read of the {@code services} collection per sample).
 */
public final class BrokerService {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerService.class);

    private final MongoDatabase db;
    private final BrokerMonitor monitor;
    private final PipelineHistory history;
    private final Clock clock;
    private Vertx vertx;
    private long timer = -1;

    /** @param monitor the broker monitor, or null: the broker's figures are not read */
    public BrokerService(MongoDatabase db, BrokerMonitor monitor, PipelineHistory history, Clock clock) {
        this.db = db;
        this.monitor = monitor;
        this.history = history;
        this.clock = clock;
    }

    /** The state of everything, now. */
    public record Snapshot(Instant at, boolean monitored, boolean monitorConnected, String monitorIdentity, long malformed,
            BrokerFigures broker, List<IngestFigures> ingest, PipelineHistory history) {}

    public Optional<BrokerMonitor> monitor() {
        return Optional.ofNullable(monitor);
    }

    public PipelineHistory history() {
        return history;
    }

    /** The broker's figures now ({@link BrokerFigures#NONE} without a monitor). */
    public BrokerFigures figures() {
        return monitor == null ? BrokerFigures.NONE : monitor.figures();
    }

    /** Samples now and every interval until {@link #stop()}. */
    public BrokerService start(Vertx vertx) {
        this.vertx = vertx;
        sample();
        timer = vertx.setPeriodic(history.interval().toMillis(), t -> sample());
        return this;
    }

    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    /** Records one sample of the broker and the ingest instances. */
    public Future<Void> sample() {
        return ingest().onSuccess(instances -> {
            Instant now = clock.instant();
            history.record(now, monitor == null ? null : monitor.figures(), instances);
        }).onFailure(e -> {
            // The store away: the broker's sample is still worth keeping.
            history.record(clock.instant(), monitor == null ? null : monitor.figures(), List.of());
            LOG.debug("Ingest figures not sampled: {}", LogSafe.of(e.toString()));
        }).mapEmpty();
    }

    /** Every ingest instance's latest figures, from the heartbeats. */
    public Future<List<IngestFigures>> ingest() {
        return Mongo.list(db.getCollection(SERVICES).find()).map(docs -> {
            Instant now = clock.instant();
            List<IngestFigures> out = new ArrayList<>();
            for (Document d : docs) {
                if (IngestFigures.isIngest(d)) {
                    out.add(IngestFigures.of(d, now));
                }
            }
            out.sort(java.util.Comparator.comparing(IngestFigures::instance));
            return out;
        });
    }

    public Future<Snapshot> snapshot() {
        return ingest().map(instances -> new Snapshot(clock.instant(), monitor != null, monitor != null && monitor.connected(),
                monitor == null ? null : monitor.identity(), monitor == null ? 0 : monitor.malformed(), figures(), instances, history));
    }

    public void close() {
        stop();
        if (monitor != null) {
            monitor.close();
        }
    }
}
