package dev.ims.ingest;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics} in the Prometheus text format for an ingest running on its own (the all-in-one
 * stack serves its metrics through the portal instead), and {@code GET /health}: the ingest's own view,
 * 200 while it can write to the database, 503 {@code "database":"DOWN"} while it cannot (for a container
 * health check or a load balancer). Counts and timings only, no data; keep the port inside the network
 * all the same.
 */
final class MetricsServer implements AutoCloseable {

    private final HttpServer server;

    MetricsServer(int port, PrometheusMeterRegistry registry) throws IOException {
        this(port, registry, null);
    }

    /** @param ingest whose view {@code /health} reports, or null for none */
    MetricsServer(int port, PrometheusMeterRegistry registry, IngestService ingest) throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 0);
        if (ingest != null) {
            server.createContext("/health", exchange -> {
                boolean db = ingest.databaseUp();
                boolean broker = ingest.brokerUp();
                byte[] body = ("{\"status\":\"" + (db && broker ? "UP" : db ? "DEGRADED" : "DOWN") + "\",\"database\":\""
                        + (db ? "UP" : "DOWN") + "\",\"broker\":\"" + (broker ? "UP" : "DOWN") + "\"}\n").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(db ? 200 : 503, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
        }
        server.createContext("/metrics", new dev.ims.client.metrics.PrometheusHandler(registry::scrape));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
