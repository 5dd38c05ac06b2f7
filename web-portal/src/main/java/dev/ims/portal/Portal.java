package dev.ims.portal;

import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.portal.health.HealthRoutes;
import dev.ims.portal.meter.MeterRoutes;
import dev.ims.portal.usage.UsageService;
import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.Responses;
import dev.ims.portal.web.Templates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The portal's HTTP server. Only wires: each feature registers its own routes. */
public final class Portal {

    private static final Logger LOG = LoggerFactory.getLogger(Portal.class);

    private final PortalSettings settings;
    private final MongoDatabase db;
    private final Vertx vertx;
    private HttpServer server;

    public Portal(PortalSettings settings, MongoDatabase db, Vertx vertx) {
        this.settings = settings;
        this.db = db;
        this.vertx = vertx;
    }

    /** Listens on {@code HTTP_PORT} (0: any free port); fails when the port cannot be bound. */
    public Future<Integer> start() {
        Clock clock = Clock.systemUTC();
        Router router = Router.router(vertx);
        Templates templates = new Templates();
        UsageService usage = new UsageService(db, settings.tariff(), settings.ims().timeZone(), clock);
        new HealthRoutes(db, clock).register(router);
        new MeterRoutes(db, usage, templates, settings.ims().timeZone()).register(router);
        router.route("/static/*").handler(StaticHandler.create("webroot"));
        router.route().handler(ctx -> ctx.fail(HttpError.notFound("no such page or endpoint: " + ctx.request().path())));
        router.route().failureHandler(Responses::failure);
        return vertx.createHttpServer()
                .requestHandler(router)
                .listen(settings.ims().httpPort())
                .map(s -> {
                    server = s;
                    LOG.info("Portal listening on port {}", s.actualPort());
                    return s.actualPort();
                });
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
