package dev.ims.client.enrol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ims.model.command.CommandKeySet;
import dev.ims.model.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The portal's enrolment resource as far as a meter sees it, on a free loopback port: it records each request and
 * answers with the next queued {@link Answer}, then with its standing one. Not the portal: that side is tested
 * end to end by the launcher.
 */
final class FakePortal implements AutoCloseable {

    /** What the meter sent. */
    record Request(String authorization, JsonNode body) {
        String secret() {
            return body.path("secret").asText(null);
        }
    }

    interface Answer {
        void answer(HttpExchange exchange, Request request) throws IOException;
    }

    /** The connection drops after the request arrived: the meter never hears the answer. */
    static final Answer LOST = (exchange, request) -> {
        throw new IOException("answer lost");
    };

    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Deque<Answer> queued = new ConcurrentLinkedDeque<>();
    private final Answer standing;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    FakePortal(Answer standing) throws IOException {
        this.standing = standing;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(EnrolmentClient.PATH, exchange -> {
            try (exchange) {
                Request r = new Request(exchange.getRequestHeaders().getFirst("Authorization"),
                        Json.mapper().readTree(exchange.getRequestBody().readAllBytes()));
                requests.add(r);
                Answer a = queued.poll();
                (a != null ? a : standing).answer(exchange, r);
            }
        });
        server.setExecutor(threads);
        server.start();
    }

    /** Answers {@code a} to the next request (before the standing answer). */
    FakePortal then(Answer a) {
        queued.add(a);
        return this;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** {@code status} with {@code {"meterId","username","commandKeys"}} (the meter ID echoed). */
    static Answer enrolled(int status, CommandKeySet keys) {
        JsonNode keyJson = json(keys);
        return (exchange, request) -> {
            ObjectNode body = Json.mapper().createObjectNode();
            String id = request.body().path("meterId").asText();
            body.put("meterId", id).put("username", id).set("commandKeys", keyJson);
            send(exchange, status, Json.bytes(body));
        };
    }

    /** {@code status} with the contract's error body. */
    static Answer error(int status, String error, String message) {
        return (exchange, request) -> send(exchange, status,
                Json.bytes(Json.mapper().createObjectNode().put("error", error).put("message", message)));
    }

    static JsonNode json(CommandKeySet keys) {
        try {
            Path tmp = Files.createTempFile("keys", ".json");
            try {
                keys.write(tmp);
                return Json.mapper().readTree(Files.readAllBytes(tmp));
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
