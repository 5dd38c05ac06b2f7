package dev.ims.portal.meter;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.portal.store.MeterDocs;
import dev.ims.portal.store.MeterRepository;
import dev.ims.portal.store.ReadingRepository;
import dev.ims.portal.store.StoredReading;
import dev.ims.portal.usage.UsageService;
import dev.ims.portal.web.Csv;
import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.Mongo;
import dev.ims.portal.web.Params;
import dev.ims.portal.web.Responses;
import dev.ims.portal.web.Pages;
import dev.ims.portal.account.Access;
import dev.ims.portal.account.Principal;
import dev.ims.portal.alarm.Alarm;
import dev.ims.portal.alarm.AlarmService;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/** Meters, readings, usage, gaps and rejected payloads: the JSON API and the consumer pages. */
public final class MeterRoutes {

    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;
    /** Usage ranges are bounded so one request cannot make the portal price decades of hours. */
    private static final int MAX_DAYS = 3 * 366;
    private static final int MAX_MONTHS = 36;

    private final MongoDatabase db;
    private final UsageService usage;
    private final Pages pages;
    private final ZoneId zone;
    private final ReadingRepository readingStore;
    private final MeterRepository meterStore;

    private final AlarmService alarms;
    /** The staff home page's fleet view (model entries added to the page's); null: the table of every meter document. */
    private java.util.function.Function<RoutingContext, Future<Map<String, Object>>> staffHome;

    public MeterRoutes(MongoDatabase db, UsageService usage, Pages pages, ZoneId zone, AlarmService alarms) {
        this.alarms = alarms;
        this.db = db;
        this.usage = usage;
        this.pages = pages;
        this.zone = zone;
        this.readingStore = new ReadingRepository(db, new UsageCalendar(zone));
        this.meterStore = new MeterRepository(db);
    }

    /** Staff see the fleet view {@code home} models on {@code /} instead of a table of every meter document. */
    public MeterRoutes withStaffHome(java.util.function.Function<RoutingContext, Future<Map<String, Object>>> home) {
        this.staffHome = home;
        return this;
    }

    public void register(Router router) {
        router.get("/api/v1/meters").handler(ctx -> {
            boolean staff = Access.principal(ctx).isStaff();
            reply(ctx, meters(ctx).map(l -> l.stream().map(m -> MeterView.of(m, staff)).toList()));
        });
        router.get("/api/v1/meters/:id").handler(ctx -> {
            boolean staff = Access.principal(ctx).isStaff();
            reply(ctx, meter(ctx).map(m -> MeterView.of(m, staff)));
        });
        router.get("/api/v1/meters/:id/readings").handler(this::readings);
        router.get("/api/v1/meters/:id/usage").handler(this::usage);
        router.get("/api/v1/meters/:id/usage.csv").handler(this::usageCsv);
        router.get("/api/v1/meters/:id/readings.csv").handler(this::readingsCsv);
        router.get("/api/v1/meters/:id/peaks").handler(this::peaks);
        router.get("/api/v1/meters/:id/gaps").handler(this::gaps);
        router.get("/api/v1/rejected").handler(this::rejected);
        router.get("/").handler(this::indexPage);
    }

    /** The meters the principal may see: staff the fleet, a consumer the meters linked to them. */
    private Future<List<Document>> meters(RoutingContext ctx) {
        Principal p = Access.principal(ctx);
        // A decommissioned meter is gone for its consumer; staff keep seeing it, marked.
        return p.isStaff() ? meterStore.all() : meterStore.ownedBy(p.username());
    }

    /**
     * The meter of the path when the principal may see it, else a 404: a consumer cannot even learn
     * whether another account's meter exists.
     */
    public Future<Document> meter(RoutingContext ctx) {
        String id = Params.meterId(ctx.pathParam("id"));
        Principal p = Access.principal(ctx);
        return meterStore.byId(id).map(d -> {
            if (d == null || !maySee(p, d)) {
                throw HttpError.notFound("no meter " + id + " on this account");
            }
            return d;
        });
    }

    /** Whether {@code p} may see meter {@code meterId}: staff always, a consumer when it is theirs. */
    public Future<Boolean> visible(dev.ims.portal.account.Principal p, String meterId) {
        if (p.isStaff()) {
            return Future.succeededFuture(true);
        }
        return meterStore.byId(meterId).map(d -> d != null && maySee(p, d));
    }

    /** Staff see every meter; a consumer a meter that is theirs and not decommissioned. */
    private static boolean maySee(Principal p, Document meter) {
        return p.isStaff() || p.username().equals(meter.getString(OWNER)) && !MeterDocs.isDecommissioned(meter);
    }

    private void readings(RoutingContext ctx) {
        Instant from = Params.instant("from", ctx.request().getParam("from"), zone);
        Instant to = Params.instant("to", ctx.request().getParam("to"), zone);
        int limit = Params.limit(ctx.request().getParam("limit"), DEFAULT_LIMIT, MAX_LIMIT);
        reply(ctx, meter(ctx).compose(m -> readingStore.newest(m.getString(ID), from, to, limit))
                .map(l -> l.stream().map(r -> Responses.plain(r.document())).toList()));
    }

    private void usage(RoutingContext ctx) {
        reply(ctx, usageEntries(ctx));
    }

    private static final List<String> USAGE_COLUMNS = List.of("period", "kwh", "cost", "currency", "energyCost", "standingCharge",
            "vat", "fromKwh", "toKwh", "complete");

    private void usageCsv(RoutingContext ctx) {
        String period = ctx.request().getParam("period", "day");
        usageEntries(ctx).onSuccess(entries -> Csv.send(ctx, ctx.pathParam("id") + "-usage-" + period + ".csv", USAGE_COLUMNS,
                entries.stream().map(e -> List.<Object>of(e.period(), e.kwh(), e.cost(), e.currency(), e.energyCost(),
                        e.standingCharge(), e.vat(), e.fromKwh(), e.toKwh(), e.complete())).toList())).onFailure(ctx::fail);
    }

    private static final List<String> READING_COLUMNS = List.of(METER_ID, SEQ, TS, ENERGY_KWH, POWER_W, VOLTAGE_V, CURRENT_A, STATUS,
            FAULT, RELAY);

    /** Every reading of the range, oldest first, streamed a day of hour buckets at a time. */
    private void readingsCsv(RoutingContext ctx) {
        Instant from = Params.instant("from", ctx.request().getParam("from"), zone);
        Instant to = Params.instant("to", ctx.request().getParam("to"), zone, true);
        meter(ctx).compose(m -> readingStore.stream(m.getString(ID), from, to).map(cursor -> Map.entry(m.getString(ID), cursor)))
                .onFailure(ctx::fail)
                .onSuccess(e -> Csv.stream(ctx, e.getKey() + "-readings.csv", READING_COLUMNS,
                        () -> e.getValue().next().map(chunk -> chunk.stream().map(MeterRoutes::readingRow).toList())));
    }

    private static List<Object> readingRow(StoredReading r) {
        Document d = r.document();
        List<Object> row = new ArrayList<>(READING_COLUMNS.size());
        for (String c : READING_COLUMNS) {
            Object v = d.get(c);
            row.add(v instanceof Date date ? date.toInstant().toString() : v);
        }
        return row;
    }

    private void peaks(RoutingContext ctx) {
        LocalDate today = usage.today();
        LocalDate from = Params.day("from", ctx.request().getParam("from"), zone);
        LocalDate to = Params.day("to", ctx.request().getParam("to"), zone);
        YearMonth last = YearMonth.from(to != null ? to : today);
        YearMonth first = from != null ? YearMonth.from(from) : last.minusMonths(11);
        if (first.isAfter(last)) {
            throw HttpError.badRequest("from must not be after to");
        }
        reply(ctx, meter(ctx).compose(m -> usage.peaks(m, first, last)).map(l -> l.stream()
                .map(p -> Map.of("month", p.month(), "kw", p.kw(), "start", p.start().toString())).toList()));
    }

    private Future<List<UsageService.Entry>> usageEntries(RoutingContext ctx) {
        String period = ctx.request().getParam("period", "day");
        LocalDate today = usage.today();
        LocalDate from = Params.day("from", ctx.request().getParam("from"), zone);
        LocalDate to = Params.day("to", ctx.request().getParam("to"), zone);
        if (from != null && to != null && from.isAfter(to)) {
            throw HttpError.badRequest("from must not be after to");
        }
        LocalDate last = to != null ? to : today;
        switch (period) {
            case "day" -> {
                LocalDate first = from != null ? from : last.minusDays(29);
                if (first.plusDays(MAX_DAYS).isBefore(last)) {
                    throw HttpError.badRequest("a daily range covers at most " + MAX_DAYS + " days");
                }
                return meter(ctx).compose(m -> usage.daily(m, first, last));
            }
            case "month" -> {
                YearMonth first = YearMonth.from(from != null ? from : last.minusMonths(11));
                if (first.plusMonths(MAX_MONTHS).isBefore(YearMonth.from(last))) {
                    throw HttpError.badRequest("a monthly range covers at most " + MAX_MONTHS + " months");
                }
                return meter(ctx).compose(m -> usage.monthly(m, first, YearMonth.from(last)));
            }
            default -> throw HttpError.badRequest("period must be day or month");
        }
    }

    /** Missing {@code seq} ranges, from the first seq a meter produces (0) to the last one stored. */
    /** At most this many gaps are listed, oldest first; {@code X-Gaps-Truncated: true} says there are more. */
    static final int MAX_GAPS = 10_000;

    /**
     * Missing seq ranges of a meter over its whole history, from the seq flags of its day documents (a few hundred bytes
     * a day, read a year at a time).
     */
    private void gaps(RoutingContext ctx) {
        meter(ctx).compose(m -> usage.repository().gaps(m.getString(ID), MAX_GAPS))
                .onSuccess(g -> {
                    if (g.truncated()) {
                        ctx.response().putHeader("X-Gaps-Truncated", "true");
                    }
                    Responses.json(ctx, g.gaps().stream()
                            .map(gap -> Map.of("fromSeq", gap.fromSeq(), "toSeq", gap.toSeq(), "count", gap.count())).toList());
                })
                .onFailure(ctx::fail);
    }

    private void rejected(RoutingContext ctx) {
        Access.staff(ctx);
        int limit = Params.limit(ctx.request().getParam("limit"), 50, MAX_LIMIT);
        reply(ctx, Mongo.list(db.getCollection(REJECTED).find().sort(Sorts.descending(RECEIVED_AT)).limit(limit))
                .map(l -> l.stream().map(RejectedView::of).toList()));
    }

    /** Consumers: their meters. Staff: alarms and the fleet view ({@link #withStaffHome}). */
    private void indexPage(RoutingContext ctx) {
        boolean staff = Access.principal(ctx).isStaff();
        Future<List<Alarm>> fleetAlarms = staff ? alarms.alarms() : Future.succeededFuture(List.of());
        boolean fleetView = staff && staffHome != null;
        Future<Map<String, Object>> fleet = fleetView ? staffHome.apply(ctx) : Future.succeededFuture(Map.of());
        Future.all(fleetView ? Future.succeededFuture(List.<Document>of()) : meters(ctx), fleetAlarms, fleet).onSuccess(v -> {
            List<Document> list = v.resultAt(0);
            Map<String, Object> model = new HashMap<>(fleet.result());
            model.put("meters", list.stream().map(MeterView::of).toList());
            model.put("alarms", fleetAlarms.result());
            Map<String, Long> states = new java.util.TreeMap<>();
            for (Document m : list) {
                states.merge(MeterDocs.connectionState(m), 1L, Long::sum);
            }
            model.put("states", states);
            pages.render(ctx, "index.ftlh", model);
        }).onFailure(ctx::fail);
    }

    private static void reply(RoutingContext ctx, Future<?> result) {
        result.onSuccess(body -> Responses.json(ctx, body)).onFailure(ctx::fail);
    }
}
