package dev.ims.portal;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.json.Json;
import dev.ims.model.meter.ClaimCodes;
import dev.ims.model.security.BrokerAccounts;
import dev.ims.model.security.Identity;
import dev.ims.model.security.Secrets;
import dev.ims.portal.device.DeviceRegistry;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

/**
 * Enrolment with the fleet provisioning key, the register as the broker's directory of meters, claims of
 * enrolled meters only, and decommissioning, over real HTTP on the portal PortalIT starts.
 */
class DevicesIT {

    static final String CODE = "K7QMD-2XHRT";
    static String verifier;

    @BeforeAll
    static void start() throws Exception {
        PortalIT.start();
        verifier = ClaimCodes.verifier(CODE, ClaimCodes.DEFAULT_ITERATIONS);
    }

    // ---- enrolment

    @Test
    void enrolment_withTheProvisioningKey_is201_withUsernameAndTheCommandKeySet_andStoresOnlyTheSecretsVerifier() throws Exception {
        String meter = meterId();
        String secret = Secrets.newSecret();
        HttpResponse<String> r = enrol(key(), body(meter, secret, verifier));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode body = Json.mapper().readTree(r.body());
        assertThat(body.get("meterId").asText()).isEqualTo(meter);
        assertThat(body.get("username").asText()).isEqualTo(meter);
        JsonNode keySet = Json.mapper().readTree(Files.readAllBytes(dev.ims.model.command.CommandKeys.defaultKeySetFile(PortalIT.dataDir)));
        assertThat(keySet.get("keys")).isNotEmpty();
        assertThat(body.get("commandKeys")).isEqualTo(keySet);

        Document device = device(meter);
        assertThat(device.getString(DEVICE_STATE)).isEqualTo(DEVICE_ACTIVE);
        assertThat(device.getString(SECRET_VERIFIER)).isEqualTo(Secrets.verifier(secret));
        assertThat(device.getString(ENROLLED_BY)).isEqualTo(DeviceRegistry.BY_PROVISIONING_KEY);
        assertThat(device.getDate(ENROLLED_AT)).isNotNull();
        assertThat(device.toJson()).doesNotContain(secret);
        assertThat(meterDoc(meter).getString(CLAIM_VERIFIER)).isEqualTo(verifier);
    }

    @Test
    void sameMeterWithTheSameSecretAgain_is200_withTheSameAnswer() throws Exception {
        String meter = meterId();
        String secret = Secrets.newSecret();
        HttpResponse<String> first = enrol(key(), body(meter, secret, verifier));
        HttpResponse<String> again = enrol(key(), body(meter, secret, verifier));
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(Json.mapper().readTree(again.body())).isEqualTo(Json.mapper().readTree(first.body()));
    }

    @Test
    void withoutMeterId_thePortalAssignsOne() throws Exception {
        HttpResponse<String> r = enrol(key(), Json.mapper().writeValueAsString(Map.of("secret", Secrets.newSecret(), "claimVerifier", verifier)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String meter = Json.mapper().readTree(r.body()).get("meterId").asText();
        assertThat(meter).startsWith("IMS-");
        assertThat(device(meter)).isNotNull();
    }

    @ParameterizedTest(name = "key {0}")
    @ValueSource(strings = {"", "wrong-key-wrong-key-wrong-key"})
    void missingOrWrongProvisioningKey_is401_andNothingIsStored(String key) throws Exception {
        String meter = meterId();
        HttpResponse<String> r = enrol(key.isEmpty() ? null : key, body(meter, Secrets.newSecret(), verifier));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(Json.mapper().readTree(r.body()).has("error")).isTrue();
        assertThat(device(meter)).isNull();
    }

    @Test
    void anotherSecretForAnEnrolledMeter_is409_andTheFirstSecretStays() throws Exception {
        String meter = meterId();
        String secret = Secrets.newSecret();
        assertThat(enrol(key(), body(meter, secret, verifier)).statusCode()).isEqualTo(201);
        HttpResponse<String> r = enrol(key(), body(meter, Secrets.newSecret(), verifier));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
        assertThat(device(meter).getString(SECRET_VERIFIER)).isEqualTo(Secrets.verifier(secret));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bad id!", "ab", "ims-portal", "ims-ingest-7", "short-secret", "bad-verifier", "not-json"})
    void invalidOrReservedMeterIdOrBadSecretOrVerifier_is400(String kind) throws Exception {
        String meter = meterId();
        String body = switch (kind) {
            case "short-secret" -> body(meter, "too-short", verifier);
            case "bad-verifier" -> body(meter, Secrets.newSecret(), ClaimCodes.verifier(CODE, 1000));
            case "not-json" -> "{";
            default -> body(kind, Secrets.newSecret(), verifier);
        };
        HttpResponse<String> r = enrol(key(), body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(Json.mapper().readTree(r.body()).has("error")).isTrue();
        assertThat(device(kind)).isNull();
        assertThat(device(meter)).isNull();
    }

    @Test
    void decommissionedMeter_is410() throws Exception {
        String meter = meterId();
        String secret = Secrets.newSecret();
        assertThat(enrol(key(), body(meter, secret, verifier)).statusCode()).isEqualTo(201);
        assertThat(decommission(meter, "{\"reason\":\"meter replaced\"}", PortalIT.staffToken).statusCode()).isEqualTo(200);
        HttpResponse<String> r = enrol(key(), body(meter, secret, verifier));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(410);
    }

    // ---- the broker's directory

    @Test
    void authenticateAndLookup_proveAnActiveMeter_withItsSecret_orByNameForACertificate_andNothingElse_norAfterDecommission() throws Exception {
        DeviceRegistry devices = PortalIT.portal.devices();
        String meter = meterId();
        String secret = Secrets.newSecret();
        assertThat(enrol(key(), body(meter, secret, verifier)).statusCode()).isEqualTo(201);
        assertThat(auth(devices, meter, secret)).contains(Identity.meter(meter));
        assertThat(auth(devices, meter, Secrets.newSecret())).isEmpty();
        assertThat(auth(devices, meter, null)).isEmpty();
        assertThat(auth(devices, meterId(), secret)).isEmpty();
        assertThat(auth(devices, "ims-portal", secret)).isEmpty();
        // By name alone (a client certificate proved it): the active device, nobody else.
        assertThat(lookup(devices, meter)).contains(Identity.meter(meter));
        assertThat(lookup(devices, meterId())).isEmpty();
        assertThat(lookup(devices, "ims-portal")).isEmpty();
        devices.decommission(meter, "test", "gone").toCompletableFuture().get();
        assertThat(auth(devices, meter, secret)).isEmpty();
        assertThat(lookup(devices, meter)).isEmpty();
    }

    // ---- claims

    @Test
    void claim_ofAnUnenrolledMeter_isRefused_andOfAnEnrolledOneAccepted() throws Exception {
        String consumer = PortalIT.login(AccountsIT.Browser.signUp("dev" + UUID.randomUUID().toString().substring(0, 6)).username,
                AccountsIT.Browser.PASSWORD);
        String unenrolled = meterId();
        // A verifier on the meter document alone (as older ingests took it from MQTT) is not enough.
        PortalIT.insert(METERS, new Document(ID, unenrolled).append(CLAIM_VERIFIER, verifier));
        HttpResponse<String> refused = PortalIT.post("/api/v1/meters/" + unenrolled + "/claim", "{\"claimCode\":\"" + CODE + "\"}", consumer);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);

        String meter = meterId();
        assertThat(enrol(key(), body(meter, Secrets.newSecret(), verifier)).statusCode()).isEqualTo(201);
        HttpResponse<String> accepted = PortalIT.post("/api/v1/meters/" + meter + "/claim", "{\"claimCode\":\"" + CODE + "\"}", consumer);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
    }

    // ---- decommissioning

    @Test
    void decommission_hidesTheMeterFromItsConsumer_keepsItForStaffMarked_keepsItsHistory_refusesRelay_andRevokesIt() throws Exception {
        String consumer = PortalIT.login(AccountsIT.Browser.signUp("dec" + UUID.randomUUID().toString().substring(0, 6)).username,
                AccountsIT.Browser.PASSWORD);
        String meter = meterId();
        assertThat(enrol(key(), body(meter, Secrets.newSecret(), verifier)).statusCode()).isEqualTo(201);
        assertThat(PortalIT.post("/api/v1/meters/" + meter + "/claim", "{\"claimCode\":\"" + CODE + "\"}", consumer).statusCode()).isEqualTo(200);
        StoreSeed.store(PortalIT.db, List.of(StoreSeed.reading(meter, 0, Instant.now(), 1.0)));
        assertThat(PortalIT.getText("/api/v1/meters/" + meter, 200, consumer)).contains(meter);

        assertThat(decommission(meter, "{}", PortalIT.staffToken).statusCode()).isEqualTo(400);
        assertThat(decommission(meter, "{\"reason\":\"stolen\"}", consumer).statusCode()).isEqualTo(403);
        HttpResponse<String> r = decommission(meter, "{\"reason\":\"meter stolen\"}", PortalIT.staffToken);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode state = Json.mapper().readTree(r.body());
        assertThat(state.get("state").asText()).isEqualTo(DEVICE_DECOMMISSIONED);
        assertThat(state.get("decommissioned").get("reason").asText()).isEqualTo("meter stolen");
        assertThat(state.get("decommissioned").get("by").asText()).isEqualTo("admin");

        // The consumer: as for a meter they do not own.
        assertThat(PortalIT.getText("/api/v1/meters", 200, consumer)).doesNotContain(meter);
        PortalIT.getText("/api/v1/meters/" + meter, 404, consumer);
        PortalIT.getText("/api/v1/meters/" + meter + "/readings", 404, consumer);
        PortalIT.getText("/meters/" + meter, 404, consumer);
        assertThat(PortalIT.getText("/api/v1/me", 200, consumer)).doesNotContain(meter);
        // Staff: still there, marked.
        JsonNode staffView = Json.mapper().readTree(PortalIT.getText("/api/v1/meters/" + meter, 200, PortalIT.staffToken));
        assertThat(staffView.get("decommissioned").get("reason").asText()).isEqualTo("meter stolen");
        assertThat(PortalIT.getText("/meters/" + meter, 200, PortalIT.staffToken)).contains("notice-decommissioned");
        // History kept.
        assertThat(PortalIT.get("/api/v1/meters/" + meter + "/readings", 200)).extracting(n -> n.get("seq").asLong()).containsExactly(0L);
        // No commands.
        HttpResponse<String> relay = PortalIT.post("/api/v1/meters/" + meter + "/relay", "{\"relay\":\"OFF\",\"reason\":\"after decommission\"}",
                PortalIT.staffToken);
        assertThat(relay.statusCode()).as(relay.body()).isEqualTo(409);
        // The portal's sweep told the broker (store-backed here) and marked it.
        await().atMost(Duration.ofSeconds(10)).until(() -> device(meter).getBoolean(REVOKED_ON_BROKER, false));
    }

    @Test
    void staffForm_onTheMeterPage_decommissionsWithTheFormsCsrfToken() throws Exception {
        String meter = meterId();
        assertThat(enrol(key(), body(meter, Secrets.newSecret(), verifier)).statusCode()).isEqualTo(201);
        AccountsIT.Browser staff = new AccountsIT.Browser();
        assertThat(staff.postForm("/login", "/login", Map.of("username", "admin", "password", PortalIT.ADMIN_PASSWORD)).statusCode()).isEqualTo(303);
        assertThat(staff.post("/meters/" + meter + "/decommission", Map.of("reason", "no token")).statusCode()).isEqualTo(403);
        assertThat(device(meter).getString(DEVICE_STATE)).isEqualTo(DEVICE_ACTIVE);
        HttpResponse<String> r = staff.postForm("/meters/" + meter, "/meters/" + meter + "/decommission", Map.of("reason", "replaced by a new meter"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
        assertThat(device(meter).getString(DEVICE_STATE)).isEqualTo(DEVICE_DECOMMISSIONED);
    }

    @Test
    void sweep_revokesEveryDecommissionedDevice_retriesAFailedRevoke_andCarriesOutADecommissionWrittenElsewhere() throws Exception {
        MongoDatabase db = PortalIT.mongo.getDatabase("devices-sweep");
        Mono.from(db.drop()).block();
        RecordingAccounts accounts = new RecordingAccounts(1);
        DeviceRegistry portalSide = new DeviceRegistry(db, accounts).startSweep(PortalIT.vertx, Duration.ofMillis(200));
        // The CLI: another register on the same store, without a sweep.
        DeviceRegistry cli = new DeviceRegistry(db, BrokerAccounts.STORE_BACKED);
        try {
            String secret = Secrets.newSecret();
            assertThat(portalSide.enrol("IMS-SWEEP-1", secret, verifier, "cli:test").toCompletableFuture().get().created()).isTrue();
            assertThat(accounts.registered).containsExactly("IMS-SWEEP-1");
            cli.provision("IMS-SWEEP-2", "cli:test").toCompletableFuture().get();
            portalSide.decommission("IMS-SWEEP-1", "admin", "retired").toCompletableFuture().get();
            cli.decommission("IMS-SWEEP-2", "cli:test", "retired elsewhere").toCompletableFuture().get();
            await().atMost(Duration.ofSeconds(10)).until(() -> portalSide.pendingRevocations().toCompletableFuture().get().isEmpty());
            // IMS-SWEEP-1's first revoke failed and was tried again.
            assertThat(accounts.revoked.stream().filter("IMS-SWEEP-1"::equals).count()).isEqualTo(2);
            assertThat(accounts.revoked).contains("IMS-SWEEP-2");
            Document d = Mono.from(db.getCollection(DEVICES).find(Filters.eq(ID, "IMS-SWEEP-2")).first()).block();
            assertThat(d.getBoolean(REVOKED_ON_BROKER)).isTrue();
            assertThat(d.get(DECOMMISSIONED, Document.class).getString("by")).isEqualTo("cli:test");
        } finally {
            portalSide.stopSweep();
        }
    }

    /** Records the calls; the first {@code failures} revokes fail. */
    static final class RecordingAccounts implements BrokerAccounts {
        final List<String> registered = new CopyOnWriteArrayList<>();
        final List<String> revoked = new CopyOnWriteArrayList<>();
        final AtomicInteger failuresLeft;

        RecordingAccounts(int failures) {
            this.failuresLeft = new AtomicInteger(failures);
        }

        @Override
        public CompletionStage<Void> register(String meterId, String secret) {
            registered.add(meterId);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> revoke(String meterId) {
            revoked.add(meterId);
            return failuresLeft.getAndDecrement() > 0 ? CompletableFuture.failedFuture(new IllegalStateException("broker unreachable"))
                    : CompletableFuture.completedFuture(null);
        }
    }

    // ---- helpers

    private static String meterId() {
        return "IMS-DEV-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String key() {
        return PortalIT.portal.provisioningKey();
    }

    private static String body(String meterId, String secret, String claimVerifier) throws Exception {
        return Json.mapper().writeValueAsString(Map.of("meterId", meterId, "secret", secret, "claimVerifier", claimVerifier));
    }

    private static HttpResponse<String> enrol(String key, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PortalIT.port + "/api/v1/enrolments"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return PortalIT.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> decommission(String meter, String json, String token) throws Exception {
        return PortalIT.post("/api/v1/meters/" + meter + "/decommission", json, token);
    }

    private static Optional<Identity> lookup(DeviceRegistry devices, String name) throws Exception {
        return devices.lookup(name).toCompletableFuture().get();
    }

    private static Optional<Identity> auth(DeviceRegistry devices, String user, String password) throws Exception {
        return devices.authenticate(user, password).toCompletableFuture().get();
    }

    private static Document device(String meter) {
        return Mono.from(PortalIT.db.getCollection(DEVICES).find(Filters.eq(ID, meter)).first()).block();
    }

    private static Document meterDoc(String meter) {
        return Mono.from(PortalIT.db.getCollection(METERS).find(Filters.eq(ID, meter)).first()).block();
    }
}
