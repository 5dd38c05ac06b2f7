package dev.ims.portal.meter;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.portal.store.MeterDocs;
import dev.ims.portal.web.Responses;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MeterViewTest {

    private static final Instant T = Instant.parse("2026-11-29T10:15:30Z");

    private static Date at(long seconds) {
        return Date.from(T.plusSeconds(seconds));
    }

    /** A meter document with every field the ingest and the portal write today. */
    private static Document stored() {
        Document latest = new Document(SEQ, 41L).append(TS, at(0)).append(ENERGY_KWH, 1234.5).append(POWER_W, 800.0)
                .append(VOLTAGE_V, 230.1).append(CURRENT_A, 3.5).append(STATUS, "OK").append(FAULT, "TAMPER").append(RELAY, "ON")
                .append(RECEIVED_AT, at(1)).append(EXPORT_KWH, 12.0).append(EXPORT_POWER_W, 0.0)
                .append(CIRCUITS, List.of(new Document(CIRCUIT_ID, "water-heater").append(POWER_W, 500.0).append(ENERGY_KWH, 40.0)))
                .append(EXTRA, new Document("firmware", "1.2"));
        return new Document(ID, "IMS-0001")
                .append(FIRST_SEEN, at(-86_400)).append(LAST_SEEN, at(1))
                .append("firstReadingTs", at(-86_000)).append("lastReadingTs", at(0))
                .append(LAST_SEQ, 41L).append(REV, 17L).append(LATEST, latest)
                .append(CONNECTION_LAST, new Document(TS, at(-3_600)).append(STATE, "ONLINE"))
                .append(CONNECTION, "ONLINE").append(CONNECTION_TS, at(-7_200))
                .append(SOURCE, new Document(AT, at(-60)).append(STATE, "SILENT").append(LAST_DATA, at(-600))
                        .append(COUNTERS, new Document("telegrams.valid", 12L)))
                .append(CIRCUITS, new Document(AT, at(-3_600)).append(LIST, List.of(new Document(CIRCUIT_ID, "water-heater")
                        .append(NAME, "Water heater").append(KIND, "WATER_HEATER").append(CRITICAL, false).append(SWITCHABLE, true))))
                .append(CLAIM_VERIFIER, "pbkdf2:secret")
                .append(OWNER, "alice")
                .append(DO_NOT_DISCONNECT, new Document(BY, "staff1").append(AT, at(-100)).append(REASON, "medical"))
                .append(DO_NOT_DISCONNECT_LOG, List.of(new Document(ACTION, "SET").append(BY, "staff1").append(AT, at(-100))
                        .append(REASON, "medical")));
    }

    /** The view as the portal built it before the explicit list: the document less a deny-list (the oracle). */
    private static Map<String, Object> denyListView(Document d, boolean staff) {
        Map<String, Object> raw = Responses.plain(d);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("meterId", raw.remove(ID));
        out.put("state", MeterDocs.connectionState(d));
        if (raw.remove(CONNECTION_LAST) instanceof Map<?, ?> last && last.get(STATE) != null) {
            out.put("stateSince", last.get(TS));
        }
        for (String gone : List.of(CONNECTION, CONNECTION_TS, CLAIM_VERIFIER, REV, DO_NOT_DISCONNECT, DO_NOT_DISCONNECT_LOG)) {
            raw.remove(gone);
        }
        out.putAll(raw);
        if (raw.get(LATEST) instanceof Map<?, ?> latest) {
            out.put(FAULT, latest.get(FAULT));
        }
        Instant noData = MeterDocs.noDataSince(d);
        if (noData != null) {
            out.put("noDataSince", noData.toString());
        }
        if (staff && d.get(DO_NOT_DISCONNECT) instanceof Document flag) {
            out.put(DO_NOT_DISCONNECT, Responses.plain(flag));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void view_ofEveryFieldStoredToday_publishesWhatTheDenyListPublished(boolean staff) {
        Document d = stored();
        assertThat(MeterView.of(d, staff)).isEqualTo(denyListView(d, staff));
    }

    @Test
    void view_ofAFreshMeter_publishesWhatTheDenyListPublished() {
        Document d = new Document(ID, "IMS-0002").append(FIRST_SEEN, at(0))
                .append(CONNECTION_LAST, new Document(TS, at(0)).append(STATE, "ONLINE"));
        assertThat(MeterView.of(d, true)).isEqualTo(denyListView(d, true)).containsOnlyKeys("meterId", "state", "stateSince", FIRST_SEEN);
    }

    @Test
    void view_listsTheDocumentedFields_withDatesAsIsoStrings() {
        Map<String, Object> v = MeterView.of(stored(), false);
        assertThat(v).containsOnlyKeys("meterId", "state", "stateSince", FIRST_SEEN, LAST_SEEN, "firstReadingTs", "lastReadingTs",
                LAST_SEQ, LATEST, CIRCUITS, SOURCE, OWNER, FAULT, "noDataSince");
        assertThat(v).containsEntry("meterId", "IMS-0001").containsEntry("state", "ONLINE")
                .containsEntry("stateSince", T.minusSeconds(3_600).toString()).containsEntry(LAST_SEEN, T.plusSeconds(1).toString())
                .containsEntry(FAULT, "TAMPER").containsEntry("noDataSince", T.minusSeconds(600).toString());
    }

    @Test
    void view_neverPublishesInternalFields_norTheFlagToConsumers() {
        Map<String, Object> consumer = MeterView.of(stored(), false);
        Map<String, Object> staff = MeterView.of(stored(), true);
        assertThat(consumer).doesNotContainKeys(REV, CLAIM_VERIFIER, CONNECTION, CONNECTION_TS, CONNECTION_LAST, DO_NOT_DISCONNECT,
                DO_NOT_DISCONNECT_LOG, ID);
        assertThat(staff).doesNotContainKeys(REV, CLAIM_VERIFIER, DO_NOT_DISCONNECT_LOG)
                .containsEntry(DO_NOT_DISCONNECT, Map.of(BY, "staff1", AT, T.minusSeconds(100).toString(), REASON, "medical"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> sub(Map<String, Object> view, String field) {
        return (Map<String, Object>) view.get(field);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void view_ofADocumentWithANewUnknownField_doesNotPublishIt(boolean staff) {
        Document d = stored().append("ingestSecret", "s3cr3t").append("futureCounter", 7L);
        d.get(LATEST, Document.class).append("rawFrame", "deadbeef");
        d.get(SOURCE, Document.class).append("bridgeHost", "10.0.0.7");
        d.get(DO_NOT_DISCONNECT, Document.class).append("phone", "+44 1234");
        d.append(DECOMMISSIONED, new Document(AT, at(5)).append(BY, "staff2").append(REASON, "replaced").append("ticket", "T-9"));

        Map<String, Object> v = MeterView.of(d, staff);

        assertThat(v).doesNotContainKeys("ingestSecret", "futureCounter");
        assertThat(sub(v, LATEST)).doesNotContainKey("rawFrame").containsKeys(SEQ, ENERGY_KWH, EXTRA);
        assertThat(sub(v, SOURCE)).doesNotContainKey("bridgeHost").containsKeys(AT, STATE, LAST_DATA, COUNTERS);
        assertThat(sub(v, DECOMMISSIONED)).containsOnlyKeys(AT, BY, REASON);
        if (staff) {
            assertThat(sub(v, DO_NOT_DISCONNECT)).containsOnlyKeys(BY, AT, REASON);
        }
        assertThat(v.toString()).doesNotContain("s3cr3t", "deadbeef", "10.0.0.7", "+44 1234", "T-9");
    }
}
