package dev.ims.portal.broker;

import dev.ims.portal.account.Access;
import dev.ims.portal.chart.Sparkline;
import dev.ims.portal.web.Pages;
import dev.ims.portal.web.Responses;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Staff only: {@code GET /api/v1/broker} (the broker's figures, each ingest instance's, and the last hour of both) and
 * the {@code /staff/broker} page showing the same with sparklines, which reloads itself every
 * {@value #PAGE_REFRESH_SECONDS} s (no script needed).
 */
public final class BrokerRoutes {

    static final int PAGE_REFRESH_SECONDS = 10;

    private final BrokerService service;
    private final Pages pages;

    public BrokerRoutes(BrokerService service, Pages pages) {
        this.service = service;
        this.pages = pages;
    }

    public void register(Router router) {
        router.get("/api/v1/broker").handler(ctx -> {
            Access.staff(ctx);
            service.snapshot().onSuccess(s -> Responses.json(ctx, json(s))).onFailure(ctx::fail);
        });
        router.get("/staff/broker").handler(this::page);
    }

    /** The API's body: see docs/openapi.yaml ({@code BrokerState}). */
    static Map<String, Object> json(BrokerService.Snapshot s) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("at", s.at().toString());
        Map<String, Object> monitor = new LinkedHashMap<>();
        monitor.put("configured", s.monitored());
        monitor.put("connected", s.monitorConnected());
        monitor.put("identity", s.monitorIdentity());
        monitor.put("malformedFigures", s.malformed());
        body.put("monitor", monitor);
        BrokerFigures f = s.broker();
        Map<String, Object> broker = new LinkedHashMap<>();
        broker.put("updatedAt", text(f.updatedAt()));
        broker.put("version", f.version());
        broker.put("uptimeSeconds", f.uptimeSeconds());
        broker.put("clientsConnected", f.clientsConnected());
        broker.put("messagesReceivedPerSecond", f.receivedPerSecond());
        broker.put("messagesSentPerSecond", f.sentPerSecond());
        broker.put("messagesReceived", f.messagesReceived());
        broker.put("messagesSent", f.messagesSent());
        broker.put("messagesDropped", f.messagesDropped());
        broker.put("messagesStored", f.messagesStored());
        broker.put("retainedMessages", f.retainedMessages());
        broker.put("subscriptions", f.subscriptions());
        body.put("broker", broker);
        List<Map<String, Object>> ingest = new ArrayList<>();
        for (IngestFigures i : s.ingest()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("instance", i.instance());
            m.put("alive", i.alive());
            m.put("heartbeat", text(i.heartbeat()));
            m.put("broker", i.broker());
            m.put("database", i.database());
            m.put("ratePerSecond", i.ratePerSecond());
            m.put("lagSeconds", i.lagSeconds());
            m.put("queued", i.queued());
            m.put("rejectedPerMinute", i.rejectedPerMinute());
            m.put("batchSizeMean", i.batchSizeMean());
            m.put("batchSizeMax", i.batchSizeMax());
            m.put("writeLatencyMeanMs", i.writeLatencyMeanMs());
            m.put("writeLatencyMaxMs", i.writeLatencyMaxMs());
            ingest.add(m);
        }
        body.put("ingest", ingest);
        Map<String, Object> history = new LinkedHashMap<>();
        history.put("intervalSeconds", s.history().interval().toSeconds());
        List<Map<String, Object>> brokerHistory = new ArrayList<>();
        for (PipelineHistory.BrokerSample b : s.history().broker()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("at", b.at().toString());
            m.put("clientsConnected", b.clientsConnected());
            m.put("messagesReceivedPerSecond", b.receivedPerSecond());
            m.put("messagesSentPerSecond", b.sentPerSecond());
            m.put("messagesDropped", b.messagesDropped());
            m.put("messagesStored", b.messagesStored());
            brokerHistory.add(m);
        }
        history.put("broker", brokerHistory);
        Map<String, Object> ingestHistory = new LinkedHashMap<>();
        s.history().ingest().forEach((instance, samples) -> {
            List<Map<String, Object>> list = new ArrayList<>();
            for (PipelineHistory.IngestSample i : samples) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("at", i.at().toString());
                m.put("ratePerSecond", i.ratePerSecond());
                m.put("lagSeconds", i.lagSeconds());
                m.put("rejectedPerMinute", i.rejectedPerMinute());
                m.put("writeLatencyMeanMs", i.writeLatencyMeanMs());
                list.add(m);
            }
            ingestHistory.put(instance, list);
        });
        history.put("ingest", ingestHistory);
        body.put("history", history);
        return body;
    }

    private void page(RoutingContext ctx) {
        Access.staff(ctx);
        service.snapshot().onSuccess(s -> {
            Map<String, Object> model = new HashMap<>();
            model.put("s", s);
            model.put("refresh", PAGE_REFRESH_SECONDS);
            List<PipelineHistory.BrokerSample> b = s.history().broker();
            List<Map<String, Object>> brokerCharts = new ArrayList<>();
            brokerCharts.add(chart("Messages in per second", "msg/s", b, PipelineHistory.BrokerSample::receivedPerSecond));
            brokerCharts.add(chart("Messages out per second", "msg/s", b, PipelineHistory.BrokerSample::sentPerSecond));
            brokerCharts.add(chart("Clients connected", "", b, x -> asDouble(x.clientsConnected())));
            brokerCharts.add(chart("Messages dropped (total)", "", b, x -> asDouble(x.messagesDropped())));
            brokerCharts.add(chart("Messages stored", "", b, x -> asDouble(x.messagesStored())));
            model.put("brokerCharts", brokerCharts);
            Map<String, List<PipelineHistory.IngestSample>> ih = s.history().ingest();
            List<Map<String, Object>> ingest = new ArrayList<>();
            for (IngestFigures i : s.ingest()) {
                List<PipelineHistory.IngestSample> samples = ih.getOrDefault(i.instance(), List.of());
                Map<String, Object> row = new HashMap<>();
                row.put("f", i);
                row.put("rate", chart("Readings per second, " + i.instance(), "/s", samples, PipelineHistory.IngestSample::ratePerSecond).get("svg"));
                row.put("lag", chart("Lag, " + i.instance(), "s", samples, PipelineHistory.IngestSample::lagSeconds).get("svg"));
                row.put("latency", chart("Write latency, " + i.instance(), "ms", samples, PipelineHistory.IngestSample::writeLatencyMeanMs)
                        .get("svg"));
                ingest.add(row);
            }
            model.put("ingest", ingest);
            pages.render(ctx, "broker.ftlh", model);
        }).onFailure(ctx::fail);
    }

    private static <T> Map<String, Object> chart(String title, String unit, List<T> samples, Function<T, Double> value) {
        List<Double> values = new ArrayList<>(samples.size());
        for (T t : samples) {
            values.add(value.apply(t));
        }
        return Map.of("title", title, "svg", new Sparkline(title, unit, values).svg());
    }

    private static Double asDouble(Long v) {
        return v == null ? null : v.doubleValue();
    }

    private static String text(Instant at) {
        return at == null ? null : at.toString();
    }
}
