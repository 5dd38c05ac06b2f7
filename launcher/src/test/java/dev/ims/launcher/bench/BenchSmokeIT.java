package dev.ims.launcher.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.embedded.broker.BrokerSecurity;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.model.security.BrokerRights;
import dev.ims.model.security.InMemoryDirectory;
import dev.ims.model.topic.Topics;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.model.config.ImsSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short bench run for correctness only: everything published is stored, once. Its speed is not judged here. */
class BenchSmokeIT {

    @TempDir
    Path dir;

    @Test
    void shortRun_losesNothing_duplicatesNothing_andPrintsEveryFigure() throws Exception {
        BenchIdentities identities = BenchIdentities.random();
        InMemoryDirectory services = new InMemoryDirectory();
        try (EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(new BrokerSecurity(
                        new BrokerRights(Topics.defaults(), ImsSettings.DEFAULT_INGEST_GROUP), services, identities.meters())));
                EmbeddedStore store = EmbeddedStore.start(EmbeddedStoreOptions.onDisk(0, dir.resolve("store")))) {
            ImsSettings settings = ImsSettings.load(Map.of("TIME_ZONE", "UTC"), Map.of()).withMqttUrl(broker.url())
                    .withMongoUri(store.connectionString());
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            Bench.Result r = new Bench(settings, new Bench.Options(2, 2, 20, 20), identities, services, new PrintStream(text, true, StandardCharsets.UTF_8)).run();
            assertThat(r.published()).isPositive();
            assertThat(r.stored()).isEqualTo(r.published());
            assertThat(r.lost()).isZero();
            assertThat(r.duplicated()).isZero();
            assertThat(r.brokerRate()).isPositive();
            assertThat(r.storeRate()).isPositive();
            assertThat(text.toString(StandardCharsets.UTF_8)).contains("broker alone", "store alone", "full load", "half load", "p99", "lost 0, duplicated 0");
        }
    }
}
