package dev.ims.ingest;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import dev.ims.embedded.FreePorts;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.embedded.testing.MosquittoProcess;
import dev.ims.model.config.ImsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The backlog contract on a real Mosquitto with the project's mosquitto.conf (dynamic security; both sessions of the
 * ingest under their own identities, each with Mosquitto's in-flight window of its own).
 */
class MosquittoBacklogIT extends IngestBacklogContract {

    private static final String INGEST = "backlog-mosquitto";
    private static MosquittoProcess mosquitto;
    private static EmbeddedStore store;
    private static MongoClient mongo;

    @BeforeAll
    static void stack() throws Exception {
        MosquittoProcess.requireOrSkip();
        Path dir = Files.createTempDirectory("backlog-mosquitto");
        mosquitto = MosquittoProcess.start(Path.of("..", "mosquitto.conf"), FreePorts.resolve(0), dir.resolve("mosquitto"));
        store = EmbeddedStore.start(EmbeddedStoreOptions.inMemory());
        ImsSettings ims = ImsSettings.load(Map.of("TIME_ZONE", "Europe/Berlin"), Map.of())
                .withMqttUrl(mosquitto.url()).withMongoUri(store.connectionString())
                .withMqttCredential(mosquitto.ingest(INGEST));
        ingest = new IngestService(IngestSettings.of(ims, INGEST).withBacklog(mosquitto.ingest(IngestSettings.backlogIdentity(INGEST))));
        ingest.start().toCompletableFuture().get();
        mongo = MongoClients.create(store.connectionString());
        db = mongo.getDatabase("ims");
        meters = new MeterClients(mosquitto.port(), mosquitto::meter);
    }

    @AfterAll
    static void stop() throws Exception {
        if (meters != null) {
            meters.close();
        }
        if (ingest != null) {
            ingest.close();
        }
        if (mongo != null) {
            mongo.close();
        }
        if (store != null) {
            store.close();
        }
        if (mosquitto != null) {
            mosquitto.close();
        }
    }
}
