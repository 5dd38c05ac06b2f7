package dev.ims.embedded.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mongodb.MongoWriteException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import dev.ims.embedded.FreePorts;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bson.Document;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Unique indexes compared by value: a store file written by the stock H2 backend (keys in serialized order) is rebuilt
 * once at open, every lookup by {@code _id} and by a unique field still finds its document, uniqueness still holds
 * (ints, longs and doubles of one value are one key, as in MongoDB), and the next open rebuilds nothing.
 */
class IndexOrderIT {

    @TempDir
    Path dir;

    @Test
    void aStoreWrittenInSerializedOrder_isRebuiltOnce_andEveryKeyIsStillFoundAndUnique() throws Exception {
        Path data = java.nio.file.Files.createDirectories(dir.resolve("store"));
        Path file = data.resolve(EmbeddedStoreOptions.FILE_NAME);
        int n = 3000;
        // Written as before this change: the stock backend, its own order.
        H2Backend stockBackend = new H2Backend(new MVStore.Builder().fileName(file.toString()).open());
        MongoServer stock = new MongoServer(stockBackend);
        int stockPort = FreePorts.resolve(0);
        stock.bind(new InetSocketAddress("127.0.0.1", stockPort));
        try (MongoClient c = MongoClients.create("mongodb://127.0.0.1:" + stockPort)) {
            MongoCollection<Document> buckets = c.getDatabase("ims").getCollection("buckets");
            Mono.from(buckets.createIndex(Indexes.ascending("serial"), new IndexOptions().unique(true))).block();
            List<Document> docs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                docs.add(new Document("_id", "IMS-" + (i * 7919 % n) + "/2026-11-29T" + (i % 24)).append("serial", (long) i).append("i", i));
            }
            Mono.from(buckets.insertMany(docs)).block();
        } finally {
            stock.shutdownNow();
            stockBackend.close();
        }

        for (int open = 1; open <= 2; open++) {
            try (EmbeddedStore store = EmbeddedStore.start(EmbeddedStoreOptions.onDisk(FreePorts.resolve(0), data));
                    MongoClient c = MongoClients.create(store.connectionString())) {
                MongoCollection<Document> buckets = c.getDatabase("ims").getCollection("buckets");
                for (int i = 0; i < n; i += 37) {
                    String id = "IMS-" + (i * 7919 % n) + "/2026-11-29T" + (i % 24);
                    assertThat(Mono.from(buckets.find(Filters.eq("_id", id)).first()).block()).as(id).isNotNull().extracting(d -> d.get("i"))
                            .isEqualTo(i);
                    // The unique index on serial (stored as long) answers for an int and a double of the same value.
                    assertThat(Mono.from(buckets.find(Filters.eq("serial", i)).first()).block()).as("serial " + i).isNotNull();
                    assertThat(Mono.from(buckets.find(Filters.eq("serial", (double) i)).first()).block()).as("serial " + i + ".0").isNotNull();
                }
                List<Object> ids = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    ids.add("IMS-" + (i * 7919 % n) + "/2026-11-29T" + (i % 24));
                }
                assertThat(Flux.from(buckets.find(Filters.in("_id", ids))).collectList().block()).hasSize(50);
                String existing = "IMS-" + (5 * 7919 % n) + "/2026-11-29T5";
                assertThatThrownBy(() -> Mono.from(buckets.insertOne(new Document("_id", existing).append("serial", -1L))).block())
                        .isInstanceOf(MongoWriteException.class).hasMessageContaining("duplicate key");
                assertThatThrownBy(() -> Mono.from(buckets.insertOne(new Document("_id", "other").append("serial", 42))).block())
                        .as("serial 42 as an int is the stored long 42").isInstanceOf(MongoWriteException.class).hasMessageContaining("duplicate key");
                Mono.from(buckets.insertOne(new Document("_id", "new-" + open).append("serial", 100_000L + open))).block();
                assertThat(Mono.from(buckets.countDocuments()).block()).isEqualTo(n + open);
                Mono.from(buckets.updateOne(Filters.eq("_id", "new-" + open), new Document("$set", new Document("seen", open)))).block();
                assertThat(Mono.from(buckets.find(Filters.eq("_id", "new-" + open)).first()).block().get("seen")).isEqualTo(open);
            }
            MVStore raw = new MVStore.Builder().fileName(file.toString()).readOnly().open();
            try {
                Set<String> ordered = raw.<String, String>openMap(IndexOrderedH2Database.ORDER_MAP).keySet();
                assertThat(ordered).as("index maps recorded in value order").anyMatch(m -> m.endsWith("buckets._index__id_"))
                        .anyMatch(m -> m.endsWith("buckets._index_serial_1"));
            } finally {
                raw.close();
            }
        }
    }
}
