package dev.ims.portal.tariff;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The tariff book is read once and kept: a save or removal through the portal is seen at once, another instance's within
 * the cache's life; a life of zero reads the store every time.
 */
class TariffsCacheIT {

    static EmbeddedStore store;
    static MongoClient client;
    static MongoDatabase db;
    static TariffBook example;

    @BeforeAll
    static void start() throws Exception {
        store = EmbeddedStore.start(EmbeddedStoreOptions.inMemory());
        client = MongoClients.create(store.connectionString());
        db = client.getDatabase("tariff-cache");
        example = TariffCodec.readBook(Files.readAllBytes(Path.of("..", "docs", "tariff-example.json")));
    }

    @AfterAll
    static void stop() {
        client.close();
        store.close();
    }

    static TariffBook book(Tariffs t) throws Exception {
        return t.book().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @org.junit.jupiter.api.BeforeEach
    void clean() {
        Mono.from(db.getCollection(TARIFFS).drop()).block();
    }

    @Test
    void withALifeOfZero_aVersionWrittenBehindThePortalsBack_isSeenAtOnce() throws Exception {
        TariffVersion first = example.versions().get(0);
        TariffBook configured = new TariffBook(java.util.List.of(first));
        Tariffs portal = new Tariffs(db, configured, Duration.ZERO, () -> 0L);
        assertThat(book(portal)).isEqualTo(configured);
        Tariffs other = new Tariffs(db, configured, Duration.ZERO);
        other.save(example.versions().get(1)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(book(portal).versions()).hasSize(2); // the clock stands still: no life would ever end
    }

    @Test
    void theBookIsCachedDroppedOnSaveAndReadAgainAfterItsLife() throws Exception {
        TariffVersion first = example.versions().get(0);
        TariffVersion second = example.versions().get(1);
        TariffBook configured = new TariffBook(java.util.List.of(first));
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
        Tariffs portal = new Tariffs(db, configured, Duration.ofSeconds(30), clock::get);
        assertThat(book(portal)).isEqualTo(configured);

        // Another portal instance saves a version: this one keeps its cached book for a while...
        Tariffs other = new Tariffs(db, configured, Duration.ofSeconds(30), clock::get);
        other.save(second).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(book(other).versions()).hasSize(2); // the saving instance sees it at once
        clock.addAndGet(Duration.ofSeconds(29).toNanos());
        assertThat(book(portal)).isEqualTo(configured);
        // ...and reads the store again once the cache's life is over.
        clock.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(book(portal).versions()).hasSize(2);

        // A removal through this instance is seen by it at once (no stale cache after its own write).
        portal.remove(second.validFrom()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(book(portal).versions()).extracting(TariffVersion::validFrom).containsExactly(first.validFrom());
        assertThat(Mono.from(db.getCollection(TARIFFS).countDocuments(new Document(ID, second.validFrom().toString()))).block())
                .isZero();
    }
}
