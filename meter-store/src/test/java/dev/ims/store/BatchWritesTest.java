package dev.ims.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.WriteModel;
import dev.ims.model.reading.Reading;
import dev.ims.model.storage.StoreSchema;
import dev.ims.model.usage.UsageCalendar;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.codecs.configuration.CodecRegistry;
import org.junit.jupiter.api.Test;

/** The writes of a batch, without a store: which documents they touch (across clock changes) and the ranges they carry. */
class BatchWritesTest {

    private static final UsageCalendar BERLIN = new UsageCalendar(ZoneId.of("Europe/Berlin"));
    private static final CodecRegistry CODECS = com.mongodb.MongoClientSettings.getDefaultCodecRegistry();
    private static final Instant T = Instant.parse("2026-06-21T10:00:00Z");

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

    @Test
    void aDayAcrossSpringForward_makes23HourBuckets_andOneDayWith23Hours() {
        BatchWrites w = BatchWrites.of(dayOfReadings("2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"), BERLIN, T);
        assertThat(ids(w.buckets())).hasSize(23).doesNotHaveDuplicates().allMatch(id -> id.startsWith("m-1|"));
        assertThat(ids(w.days())).containsExactly("m-1|2026-03-29");
        assertThat(spans(w.days().get(0), StoreLayout.HOURS)).hasSize(23);
    }

    @Test
    void aDayAcrossFallBack_keepsTheRepeatedHourApart_25Hours_100Quarters() {
        BatchWrites w = BatchWrites.of(dayOfReadings("2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z"), BERLIN, T);
        assertThat(ids(w.buckets())).hasSize(25).doesNotHaveDuplicates();
        assertThat(ids(w.days())).containsExactly("m-1|2026-10-25");
        assertThat(spans(w.days().get(0), StoreLayout.HOURS)).hasSize(25).contains("2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z");
        assertThat(spans(w.days().get(0), StoreLayout.QUARTERS)).hasSize(100).contains("2026-10-25T00:45:00Z", "2026-10-25T01:00:00Z");
    }

    @Test
    void quarters_inAHalfHourZone_startAtLocalQuarters() {
        List<Reading> rs = List.of(Reading.of("m-1", 0, Instant.parse("2026-11-24T10:07:00Z"), 1.0, null, null, null, null, null),
                Reading.of("m-1", 1, Instant.parse("2026-11-24T10:14:59Z"), 1.1, null, null, null, null, null),
                Reading.of("m-1", 2, Instant.parse("2026-11-24T10:15:00Z"), 1.2, null, null, null, null, null));
        // India is UTC+05:30: 10:07Z is 15:37 local, in the 15:30 quarter (10:00Z).
        BatchWrites w = BatchWrites.of(rs, new UsageCalendar(ZoneId.of("Asia/Kolkata")), T);
        assertThat(spans(w.days().get(0), StoreLayout.QUARTERS)).containsExactly("2026-11-24T10:00:00Z", "2026-11-24T10:15:00Z");
    }

    @Test
    void aDay_keepsTheMinAndMaxRegister_whateverTheOrder() {
        List<Reading> day = new ArrayList<>(dayOfReadings("2026-11-23T23:00:00Z", "2026-11-24T23:00:00Z"));
        Collections.reverse(day);
        BsonDocument u = update(BatchWrites.of(day, BERLIN, T).days().get(0));
        assertThat(u.getDocument("$min").getDouble(StoreSchema.MIN_KWH).getValue()).isEqualTo(100.0);
        assertThat(u.getDocument("$max").getDouble(StoreSchema.MAX_KWH).getValue()).isEqualTo(100 + 95 * 0.1);
    }

    @Test
    void export_keepsItsRange_onlyOverReadingsThatCarryIt_inTheDayAndTheHour() {
        List<Reading> rs = List.of(
                Reading.of("m-1", 1, T, 10.0, 0.0, null, null, null, null).withExport(5.5, 900.0),
                Reading.of("m-1", 2, T.plusSeconds(600), 10.0, 0.0, null, null, null, null),
                Reading.of("m-1", 3, T.plusSeconds(1200), 10.0, 0.0, null, null, null, null).withExport(5.8, 1800.0));
        BsonDocument u = update(BatchWrites.of(rs, BERLIN, T).days().get(0));
        String hour = StoreLayout.HOURS + "." + StoreLayout.spanKey(T) + ".";
        assertThat(u.getDocument("$min").getDouble(StoreSchema.MIN_EXPORT_KWH).getValue()).isEqualTo(5.5);
        assertThat(u.getDocument("$max").getDouble(StoreSchema.MAX_EXPORT_KWH).getValue()).isEqualTo(5.8);
        assertThat(u.getDocument("$min").getDouble(hour + StoreSchema.MIN_EXPORT_KWH).getValue()).isEqualTo(5.5);
        assertThat(u.getDocument("$max").getDouble(hour + StoreSchema.MAX_EXPORT_KWH).getValue()).isEqualTo(5.8);
    }

    @Test
    void withoutExport_noExportFieldsAnywhere() {
        BsonDocument u = update(BatchWrites.of(dayOfReadings("2026-11-23T23:00:00Z", "2026-11-24T23:00:00Z"), BERLIN, T).days().get(0));
        assertThat(u.getDocument("$min").keySet()).noneMatch(k -> k.endsWith(StoreSchema.MIN_EXPORT_KWH));
        assertThat(u.getDocument("$max").keySet()).noneMatch(k -> k.endsWith(StoreSchema.MAX_EXPORT_KWH));
    }

    @Test
    void bucketsOfAndRollupsOf_splitABatchsWrites_intoWhatOfWritesTogether() {
        List<Reading> readings = dayOfReadings("2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z");
        BatchWrites all = BatchWrites.of(readings, BERLIN, T);
        BatchWrites buckets = BatchWrites.bucketsOf(readings, BERLIN, T);
        BatchWrites rollups = BatchWrites.rollupsOf(readings, BERLIN, r -> T);
        assertThat(buckets.days()).isEmpty();
        assertThat(buckets.meters()).isEmpty();
        assertThat(rollups.buckets()).isEmpty();
        assertThat(buckets.buckets().stream().map(BatchWritesTest::update).toList())
                .isEqualTo(all.buckets().stream().map(BatchWritesTest::update).toList()).hasSize(23);
        assertThat(rollups.days().stream().map(BatchWritesTest::update).toList())
                .isEqualTo(all.days().stream().map(BatchWritesTest::update).toList()).hasSize(1);
        assertThat(rollups.meters().stream().map(BatchWritesTest::update).toList())
                .isEqualTo(all.meters().stream().map(BatchWritesTest::update).toList()).hasSize(1);
    }

    private static List<String> ids(List<WriteModel<Document>> models) {
        return models.stream().map(m -> ((UpdateOneModel<Document>) m).getFilter()
                .toBsonDocument(BsonDocument.class, CODECS).getString("_id").getValue()).toList();
    }

    /** The span keys ({@code h.<key>.minKwh}) a day's update writes under {@code kind}. */
    private static Set<String> spans(WriteModel<Document> day, String kind) {
        Set<String> out = new TreeSet<>();
        for (String k : update(day).getDocument("$min").keySet()) {
            if (k.startsWith(kind + ".") && k.endsWith("." + StoreSchema.MIN_KWH) && !k.contains("." + StoreSchema.CIRCUITS + ".")) {
                out.add(k.substring(kind.length() + 1, k.length() - StoreSchema.MIN_KWH.length() - 1));
            }
        }
        return out;
    }

    private static BsonDocument update(WriteModel<Document> model) {
        return ((org.bson.conversions.Bson) ((UpdateOneModel<Document>) model).getUpdate()).toBsonDocument(BsonDocument.class, CODECS);
    }
}
