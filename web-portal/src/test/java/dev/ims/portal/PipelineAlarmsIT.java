package dev.ims.portal;

import static dev.ims.model.storage.StoreSchema.SERVICES;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The pipeline's alarms and figures from the ingest instances' heartbeat documents, as the ingest writes them, on the
 * module's shared portal (no broker there, so no broker monitor: the ingest side works without it).
 */
class PipelineAlarmsIT {

    @BeforeAll
    static void start() throws Exception {
        PortalIT.start();
    }

    @BeforeEach
    void clean() {
        for (String c : List.of(SERVICES, dev.ims.model.storage.StoreSchema.ALARMS, dev.ims.model.storage.StoreSchema.ALARM_HISTORY)) {
            Mono.from(PortalIT.db.getCollection(c).drop()).block();
        }
    }

    private static void heartbeat(String id, Instant at, double lagSeconds, long queued) {
        PortalIT.insert(SERVICES, new Document("_id", id).append("kind", "ingest").append("broker", "UP").append("database", "UP")
                .append("received", 100L).append("stored", 100L - queued).append("duplicates", 0L).append("rejected", 0L)
                .append("pipeline", new Document("ratePerSecond", 12.5).append("rejectedPerMinute", 0.0).append("lagSeconds", lagSeconds)
                        .append("queued", queued).append("batchSizeMean", 40.0).append("batchSizeMax", 200.0)
                        .append("writeLatencyMeanMs", 7.5).append("writeLatencyMaxMs", 30.0))
                .append("heartbeat", Date.from(at)));
    }

    private static List<String> alarmsOf(String kind) throws Exception {
        PortalIT.sweep();
        List<String> out = new java.util.ArrayList<>();
        for (JsonNode a : PortalIT.get("/api/v1/alarms", 200)) {
            if (a.get("kind").asText().equals(kind)) {
                out.add(a.get("detail").asText());
            }
        }
        return out;
    }

    @Test
    void anIngestInstanceGoneSilent_raisesAnAlarm_butOneRetiredDaysAgoDoesNot() throws Exception {
        Instant now = Instant.now();
        heartbeat("ingest-live", now, 0.0, 0);
        heartbeat("ingest-gone", now.minus(Duration.ofMinutes(2)), 0.0, 0);
        heartbeat("ingest-retired", now.minus(Duration.ofDays(3)), 0.0, 0);
        List<String> silent = alarmsOf("INGEST_SILENT");
        assertThat(silent).hasSize(1);
        assertThat(silent.get(0)).startsWith("ingest ingest-gone has not reported since " + now.minus(Duration.ofMinutes(2)).truncatedTo(
                java.time.temporal.ChronoUnit.MILLIS));
        assertThat(alarmsOf("NO_INGEST")).isEmpty();
    }

    @Test
    void lagBeyondTheThreshold_raisesAnAlarm_andLagBelowItDoesNot() throws Exception {
        Instant now = Instant.now();
        heartbeat("ingest-quick", now, 59.0, 3);
        assertThat(alarmsOf("INGEST_LAG")).isEmpty();
        heartbeat("ingest-slow", now, 125.0, 5000);
        assertThat(alarmsOf("INGEST_LAG")).containsExactly(
                "ingest ingest-slow has readings waiting 125 s to be stored (5000 queued; alarm above 60 s)");
    }

    @Test
    void theBrokerCall_showsEachInstancesFigures_andNoMonitorWithoutAnIdentity() throws Exception {
        heartbeat("ingest-a", Instant.now(), 1.5, 20);
        heartbeat("ingest-b", Instant.now().minus(Duration.ofMinutes(5)), 0.0, 0);
        JsonNode b = PortalIT.get("/api/v1/broker", 200);
        assertThat(b.at("/monitor/configured").asBoolean()).isFalse();
        assertThat(b.at("/broker/clientsConnected").isNull()).isTrue();
        assertThat(b.get("ingest")).hasSize(2);
        JsonNode a = b.get("ingest").get(0);
        assertThat(a.get("instance").asText()).isEqualTo("ingest-a");
        assertThat(a.get("alive").asBoolean()).isTrue();
        assertThat(a.get("ratePerSecond").asDouble()).isEqualTo(12.5);
        assertThat(a.get("lagSeconds").asDouble()).isEqualTo(1.5);
        assertThat(a.get("queued").asLong()).isEqualTo(20);
        assertThat(a.get("batchSizeMean").asDouble()).isEqualTo(40.0);
        assertThat(a.get("writeLatencyMeanMs").asDouble()).isEqualTo(7.5);
        assertThat(b.get("ingest").get(1).get("alive").asBoolean()).isFalse();
        String page = PortalIT.getText("/staff/broker", 200, PortalIT.staffToken);
        assertThat(page).contains("data-instance=\"ingest-a\"").contains("The broker monitor is not configured").contains("<strong>silent</strong>");
    }
}
