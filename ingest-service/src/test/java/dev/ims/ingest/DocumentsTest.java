package dev.ims.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.WriteModel;
import dev.ims.model.reading.Reading;
import dev.ims.model.storage.StoreSchema;
import dev.ims.model.usage.UsageCalendar;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.codecs.configuration.CodecRegistry;
import org.junit.jupiter.api.Test;

class DocumentsTest {

    private static final UsageCalendar BERLIN = new UsageCalendar(ZoneId.of("Europe/Berlin"));
    private static final CodecRegistry CODECS = com.mongodb.MongoClientSettings.getDefaultCodecRegistry();

    /** Readings every 15 minutes from local midnight to the next local midnight. */
    private static List<Reading> dayOfReadings(String localMidnightUtc, String nextMidnightUtc) {
        List<Reading> out = new ArrayList<>();
        Instant t = Instant.parse(localMidnightUtc);
        long seq = 0;
        while (t.isBefore(Instant.parse(nextMidnightUtc))) {
            out.add(Reading.of("m-1", seq, t, 100 + seq * 0.1, null, null, null, null, null));
            seq++;
            t = t.plus(Duration.ofMinutes(15));
        }
        return out;
    }

    private static List<String> ids(List<WriteModel<Document>> models) {
        return models.stream().map(m -> ((UpdateOneModel<Document>) m).getFilter()
                .toBsonDocument(BsonDocument.class, CODECS).getString("_id").getValue()).toList();
    }

    @Test
    void hourlyRollups_acrossSpringForward_make23Buckets_allOnTheSameLocalDay() {
        List<Reading> day = dayOfReadings("2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z");
        assertThat(ids(Documents.rollups(day, BERLIN, StoreSchema.HOURLY))).hasSize(23).allMatch(id -> id.startsWith("m-1|"));
        assertThat(ids(Documents.rollups(day, BERLIN, StoreSchema.DAILY))).containsExactly("m-1|2026-03-29");
    }

    @Test
    void hourlyRollups_acrossFallBack_make25Buckets_keepingTheRepeatedHourApart() {
        List<Reading> day = dayOfReadings("2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z");
        assertThat(ids(Documents.rollups(day, BERLIN, StoreSchema.HOURLY))).hasSize(25).doesNotHaveDuplicates();
        assertThat(ids(Documents.rollups(day, BERLIN, StoreSchema.DAILY))).containsExactly("m-1|2026-10-25");
    }

    @Test
    void quarterRollups_makeFourBucketsAnHour_100OnTheFallBackDay() {
        List<Reading> day = dayOfReadings("2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z");
        assertThat(ids(Documents.rollups(day, BERLIN, StoreSchema.QUARTER))).hasSize(100).doesNotHaveDuplicates()
                .contains("m-1|q|2026-10-25T00:45:00Z", "m-1|q|2026-10-25T01:00:00Z");
    }

    @Test
    void quarterRollups_inAHalfHourZone_startAtLocalQuarters() {
        List<Reading> rs = List.of(Reading.of("m-1", 0, Instant.parse("2026-11-24T10:07:00Z"), 1.0, null, null, null, null, null),
                Reading.of("m-1", 1, Instant.parse("2026-11-24T10:14:59Z"), 1.1, null, null, null, null, null),
                Reading.of("m-1", 2, Instant.parse("2026-11-24T10:15:00Z"), 1.2, null, null, null, null, null));
        // India is UTC+05:30: 10:07Z is 15:37 local, in the 15:30 quarter (10:00Z).
        assertThat(ids(Documents.rollups(rs, new dev.ims.model.usage.UsageCalendar(java.time.ZoneId.of("Asia/Kolkata")), StoreSchema.QUARTER)))
                .containsExactly("m-1|q|2026-11-24T10:00:00Z", "m-1|q|2026-11-24T10:15:00Z");
    }

    @Test
    void dailyRollup_keepsTheMinAndMaxRegister_whateverTheOrder() {
        List<Reading> day = new ArrayList<>(dayOfReadings("2026-11-23T23:00:00Z", "2026-11-24T23:00:00Z"));
        java.util.Collections.reverse(day);
        UpdateOneModel<Document> update = (UpdateOneModel<Document>) Documents.rollups(day, BERLIN, StoreSchema.DAILY).get(0);
        BsonDocument u = ((org.bson.conversions.Bson) update.getUpdate()).toBsonDocument(BsonDocument.class, CODECS);
        assertThat(u.getDocument("$min").getDouble(StoreSchema.MIN_KWH).getValue()).isEqualTo(100.0);
        assertThat(u.getDocument("$max").getDouble(StoreSchema.MAX_KWH).getValue()).isEqualTo(100 + 95 * 0.1);
    }

    @Test
    void rollup_withExport_keepsTheExportRange_onlyOverReadingsThatCarryIt() {
        Instant t = Instant.parse("2026-06-21T10:00:00Z");
        List<Reading> rs = List.of(
                Reading.of("m-1", 1, t, 10.0, 0.0, null, null, null, null).withExport(5.5, 900.0),
                Reading.of("m-1", 2, t.plusSeconds(600), 10.0, 0.0, null, null, null, null),
                Reading.of("m-1", 3, t.plusSeconds(1200), 10.0, 0.0, null, null, null, null).withExport(5.8, 1800.0));
        BsonDocument u = update(Documents.rollups(rs, BERLIN, StoreSchema.HOURLY).get(0));
        assertThat(u.getDocument("$min").getDouble(StoreSchema.MIN_EXPORT_KWH).getValue()).isEqualTo(5.5);
        assertThat(u.getDocument("$max").getDouble(StoreSchema.MAX_EXPORT_KWH).getValue()).isEqualTo(5.8);
    }

    @Test
    void rollup_withoutExport_hasNoExportFields() {
        List<Reading> day = dayOfReadings("2026-11-23T23:00:00Z", "2026-11-24T23:00:00Z");
        BsonDocument u = update(Documents.rollups(day, BERLIN, StoreSchema.DAILY).get(0));
        assertThat(u.getDocument("$min").containsKey(StoreSchema.MIN_EXPORT_KWH)).isFalse();
        assertThat(u.getDocument("$max").containsKey(StoreSchema.MAX_EXPORT_KWH)).isFalse();
    }

    @Test
    void readingDocument_carriesExportOnlyWhenPresent_andReadsBack() {
        Instant t = Instant.parse("2026-06-21T10:00:00Z");
        Reading plain = Reading.of("m-1", 1, t, 10.0, 250.0, null, null, null, null);
        Reading exporting = plain.withExport(5.5, 1200.0);
        assertThat(Documents.reading(plain, t)).doesNotContainKeys(StoreSchema.EXPORT_KWH, StoreSchema.EXPORT_POWER_W);
        Document d = Documents.reading(exporting, t);
        assertThat(d.get(StoreSchema.EXPORT_KWH)).isEqualTo(5.5);
        assertThat(d.get(StoreSchema.EXPORT_POWER_W)).isEqualTo(1200.0);
        assertThat(d).doesNotContainKey(StoreSchema.EXTRA);
        assertThat(Documents.readingFrom(d)).isEqualTo(exporting);
    }

    @Test
    void sameReading_tellsAnExportDifference() {
        Instant t = Instant.parse("2026-06-21T10:00:00Z");
        Reading plain = Reading.of("m-1", 1, t, 10.0, 0.0, null, null, null, null);
        Reading exporting = plain.withExport(5.5, 1200.0);
        Document stored = Documents.reading(exporting, t);
        assertThat(Documents.sameReading(stored, exporting)).isTrue();
        assertThat(Documents.sameReading(stored, plain.withExport(5.6, 1200.0))).isFalse();
        assertThat(Documents.sameReading(stored, plain.withExport(5.5, 1100.0))).isFalse();
        assertThat(Documents.sameReading(stored, plain)).isFalse();
        assertThat(Documents.sameReading(Documents.reading(plain, t), exporting)).isFalse();
        assertThat(Documents.sameReading(Documents.reading(plain, t), plain)).isTrue();
    }

    private static BsonDocument update(WriteModel<Document> model) {
        return ((org.bson.conversions.Bson) ((UpdateOneModel<Document>) model).getUpdate()).toBsonDocument(BsonDocument.class, CODECS);
    }

    @Test
    void rejectedPayload_isCutToTheLimit_andInvalidUtf8IsReplaced() {
        byte[] big = "x".repeat(5000).getBytes(StandardCharsets.UTF_8);
        assertThat(Documents.boundedText(big, 2048)).hasSize(2049).endsWith("…");
        assertThat(Documents.boundedText(new byte[] {'a', (byte) 0xFF, 'b'}, 2048)).isEqualTo("a\uFFFDb");
    }
}
