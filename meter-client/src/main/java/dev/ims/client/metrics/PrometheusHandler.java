package dev.ims.client.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * {@code GET /metrics} in the Prometheus text format on the JDK's HTTP server, for the processes that serve their own
 * (a standalone ingest, the Pi bridge): the body comes from {@code scrape} (e.g. a Micrometer registry's), anything
 * but GET answers 405.
 */
public final class PrometheusHandler implements HttpHandler {

    private final Supplier<String> scrape;

    public PrometheusHandler(Supplier<String> scrape) {
        this.scrape = scrape;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        int status;
        if (!"GET".equals(exchange.getRequestMethod())) {
            status = 405;
            body = "GET only\n".getBytes(StandardCharsets.UTF_8);
        } else {
            status = 200;
            body = scrape.get().getBytes(StandardCharsets.UTF_8);
        }
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
