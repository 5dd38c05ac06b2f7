package dev.ims.portal.device;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ims.model.json.Json;
import dev.ims.model.log.LogSafe;
import dev.ims.model.meter.MeterIds;
import dev.ims.model.security.Secrets;
import dev.ims.portal.account.Access;
import dev.ims.portal.web.JsonBodies;
import dev.ims.portal.account.LoginThrottle;
import dev.ims.portal.account.Principal;
import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.Params;
import dev.ims.portal.web.Responses;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enrolment and decommissioning over HTTP.
 * <ul>
 *   <li>{@code POST /api/v1/enrolments}: a meter enrols itself with the fleet provisioning key
 *       ({@code Authorization: Bearer <key>}; no session, no CSRF) and {@code {"meterId"?, "secret", "claimVerifier"}}.
 *       {@code 201} enrolled now, {@code 200} the same meter with the same secret again, each with
 *       {@code {"meterId", "username", "commandKeys"}} ({@code commandKeys}: the portal's public command key set, the
 *       content of {@code command-keys.json}; null when the portal has none). {@code 401} a missing or wrong key
 *       (counted per client address: too many and {@code 429} with {@code Retry-After}), {@code 400} an invalid body,
 *       {@code 409} the meter is enrolled with another secret, {@code 410} it was decommissioned. Every enrolment is
 *       counted in {@code ims_enrolments_total{result}}.
 *   <li>{@code POST /api/v1/meters/{id}/decommission} (staff; JSON {@code {"reason"}}) and the meter page's form
 *       {@code POST /meters/{id}/decommission}: {@code 200} with the device ({@link DeviceRegistry#view}).
 * </ul>
 */
public final class DeviceRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceRoutes.class);

    /** 10 failed attempts per address, then 1 min, 2 min, … up to an hour between tries. */
    public static final LoginThrottle.Policy DEFAULT_FAILURES =
            new LoginThrottle.Policy(10, Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofHours(1));

    private final DeviceRegistry devices;
    private final String provisioningKey;
    private final Path commandKeySetFile;
    private final MeterRegistry registry;
    private final LoginThrottle failures;

    public DeviceRoutes(DeviceRegistry devices, String provisioningKey, Path commandKeySetFile, MeterRegistry registry,
            LoginThrottle.Policy failures, Clock clock) {
        this.devices = devices;
        this.provisioningKey = provisioningKey;
        this.commandKeySetFile = commandKeySetFile;
        this.registry = registry;
        this.failures = new LoginThrottle(failures, clock);
    }

    /** Before the session check: a meter has no session, only the provisioning key. */
    public void registerEnrolment(Router router) {
        router.post("/api/v1/enrolments").handler(this::enrol);
    }

    /** After the session check: staff only. */
    public void register(Router router) {
        router.post("/api/v1/meters/:id/decommission").handler(ctx -> {
            Principal p = Access.staff(ctx);
            String id = Params.meterId(ctx.pathParam("id"));
            JsonNode body = JsonBodies.object(ctx);
            String reason = Params.reason(body.get("reason") != null && body.get("reason").isTextual() ? body.get("reason").asText() : null);
            decommission(ctx, id, p, reason).onSuccess(view -> Responses.json(ctx, view)).onFailure(ctx::fail);
        });
        router.post("/meters/:id/decommission").handler(ctx -> {
            Principal p = Access.staff(ctx);
            String id = Params.meterId(ctx.pathParam("id"));
            String reason = Params.reason(ctx.request().getFormAttribute("reason"));
            decommission(ctx, id, p, reason).onSuccess(view -> Responses.redirect(ctx, "/meters/" + id)).onFailure(ctx::fail);
        });
    }

    private Future<Map<String, Object>> decommission(RoutingContext ctx, String id, Principal p, String reason) {
        return on(ctx, devices.decommission(id, p.username(), reason)).recover(e -> Future.failedFuture(http(e)));
    }

    private void enrol(RoutingContext ctx) {
        String address = address(ctx);
        LoginThrottle.Decision d = failures.reserve("enrol:" + address);
        if (!d.allowed()) {
            count("throttled");
            LOG.debug("Enrolment from {} refused for {} s: too many failures", LogSafe.of(address), d.retryAfter().toSeconds());
            throw HttpError.tooMany("too many failed enrolments", d.retryAfter());
        }
        String auth = ctx.request().getHeader("Authorization");
        String key = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
        if (!Secrets.same(provisioningKey, key)) {
            d.permit().keep();
            count("unauthorized");
            LOG.info("Enrolment from {} refused: {} provisioning key", LogSafe.of(address), key == null ? "no" : "a wrong");
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            throw new HttpError(401, "a valid fleet provisioning key is required: Authorization: Bearer <key>");
        }
        // The right key: this attempt does not count (earlier wrong ones still do).
        d.permit().release();
        String meterId;
        String secret;
        String claimVerifier;
        try {
            JsonNode body = JsonBodies.object(ctx);
            JsonNode id = body.get("meterId");
            if (id != null && !id.isNull() && !id.isTextual()) {
                throw HttpError.badRequest("meterId must be a string when given");
            }
            meterId = id == null || id.isNull() ? MeterIds.newId() : id.asText();
            secret = JsonBodies.text(body, "secret");
            claimVerifier = JsonBodies.text(body, "claimVerifier");
        } catch (HttpError e) {
            count("invalid");
            throw e;
        }
        on(ctx, devices.enrol(meterId, secret, claimVerifier, DeviceRegistry.BY_PROVISIONING_KEY))
                .compose(e -> commandKeys(ctx).map(keys -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("meterId", e.meterId());
                    out.put("username", e.meterId());
                    out.put("commandKeys", keys);
                    count(e.created() ? "created" : "repeated");
                    ctx.response().putHeader("Cache-Control", "no-store");
                    if (e.created()) {
                        ctx.response().putHeader("Location", "/api/v1/meters/" + e.meterId());
                    }
                    Responses.json(ctx, e.created() ? 201 : 200, out);
                    return e;
                }))
                .onFailure(e -> {
                    Throwable t = http(e);
                    int status = t instanceof HttpError h ? h.status() : 500;
                    count(switch (status) {
                        case 400 -> "invalid";
                        case 409 -> "conflict";
                        case 410 -> "decommissioned";
                        default -> "error";
                    });
                    if (status >= 400 && status < 500) {
                        LOG.info("Enrolment of {} from {} refused: {}", LogSafe.of(meterId), LogSafe.of(address), LogSafe.of(t.getMessage()));
                    }
                    ctx.fail(t);
                });
    }

    /** The command key set file's JSON, or null when there is none. */
    private Future<JsonNode> commandKeys(RoutingContext ctx) {
        String file = commandKeySetFile.toString();
        return ctx.vertx().fileSystem().exists(file).compose(exists -> !exists ? Future.succeededFuture(null)
                : ctx.vertx().fileSystem().readFile(file).map(b -> {
                    try {
                        return Json.mapper().readTree(b.getBytes());
                    } catch (IOException e) {
                        throw new IllegalStateException("command key set " + file + " is not JSON", e);
                    }
                }));
    }

    private void count(String result) {
        Counter.builder("ims.enrolments").tag("result", result).description("enrolment requests by result").register(registry).increment();
    }

    private static <T> Future<T> on(RoutingContext ctx, CompletionStage<T> stage) {
        return Future.fromCompletionStage(stage, ctx.vertx().getOrCreateContext());
    }

    /** The register's refusals as HTTP errors; anything else unwrapped but unchanged (a 500 from the failure handler). */
    static Throwable http(Throwable e) {
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof HttpError h) {
            return h;
        }
        if (t instanceof DeviceException d) {
            return new HttpError(switch (d.kind()) {
                case INVALID -> 400;
                case ALREADY_ENROLLED -> 409;
                case DECOMMISSIONED -> 410;
                case NOT_FOUND -> 404;
            }, d.getMessage());
        }
        return t;
    }

    private static String address(RoutingContext ctx) {
        io.vertx.core.net.SocketAddress a = ctx.request().remoteAddress();
        return a == null || a.hostAddress() == null ? "unknown" : a.hostAddress();
    }
}
