package dev.ims.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.security.Credential;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class EmbeddedStackIT {

    @TempDir
    Path dir;

    @Test
    void sharedSubscription_receivesQos1Publish_andPersistentSessionSurvivesBrokerRestart() {
        Path brokerDir = dir.resolve("broker");
        BrokerIdentities identities = new BrokerIdentities();
        Credential ingest = identities.ingest("ims-ingest-stack");
        Credential meter = identities.meter("IMS-STACK-1");
        EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, brokerDir).withSecurity(identities.security()));
        int port = broker.port();
        List<String> received = new CopyOnWriteArrayList<>();
        Mqtt5BlockingClient sub = client(ingest, port);
        sub.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
        sub.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> received.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)));
        sub.subscribeWith().topicFilter("$share/ims-ingest/meters/+/reading").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient pub = client(meter, port);
        pub.connect();
        pub.publishWith().topic("meters/IMS-STACK-1/reading").qos(MqttQos.AT_LEAST_ONCE).payload("one".getBytes()).send();
        await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("one"));

        sub.disconnect();
        pub.publishWith().topic("meters/IMS-STACK-1/reading").qos(MqttQos.AT_LEAST_ONCE).payload("while-away".getBytes()).send();
        pub.disconnect();
        broker.close();

        EmbeddedBroker restarted = EmbeddedBroker.start(EmbeddedBrokerOptions.of(port, brokerDir).withSecurity(identities.security()));
        try {
            Mqtt5BlockingClient again = client(ingest, port);
            again.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> received.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)));
            again.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
            await().atMost(Duration.ofSeconds(15)).until(() -> received.contains("while-away"));
            again.disconnect();
        } finally {
            restarted.close();
        }
    }

    @Test
    void store_enforcesUniqueIndex_upsertsWithMinMax_andKeepsDataAcrossRestart() {
        Path storeDir = dir.resolve("store");
        EmbeddedStore store = EmbeddedStore.start(EmbeddedStoreOptions.onDisk(0, storeDir));
        try (MongoClient client = MongoClients.create(store.connectionString())) {
            MongoCollection<Document> readings = client.getDatabase("t").getCollection("readings");
            Mono.from(readings.createIndex(Indexes.ascending("meterId", "seq"), new IndexOptions().unique(true))).block();
            Mono.from(readings.insertOne(new Document("meterId", "m").append("seq", 1))).block();
            assertThatThrownBy(() -> Mono.from(readings.insertMany(List.of(
                                    new Document("meterId", "m").append("seq", 1),
                                    new Document("meterId", "m").append("seq", 2)),
                            new InsertManyOptions().ordered(false)))
                            .block())
                    .isInstanceOfSatisfying(MongoBulkWriteException.class, e -> {
                        assertThat(e.getWriteErrors()).singleElement().satisfies(w -> assertThat(w.getCode()).isEqualTo(11000));
                    });
            assertThat(Mono.from(readings.countDocuments()).block()).isEqualTo(2);

            MongoCollection<Document> daily = client.getDatabase("t").getCollection("daily");
            for (double kwh : new double[] {5.0, 3.0, 9.0, 3.0}) {
                Mono.from(daily.updateOne(new Document("_id", "m|2026-11-24"),
                        Updates.combine(Updates.min("minKwh", kwh), Updates.max("maxKwh", kwh)),
                        new UpdateOptions().upsert(true))).block();
            }
            Document day = Mono.from(daily.find().first()).block();
            assertThat(day.getDouble("minKwh")).isEqualTo(3.0);
            assertThat(day.getDouble("maxKwh")).isEqualTo(9.0);
        }
        store.close();

        EmbeddedStore reopened = EmbeddedStore.start(EmbeddedStoreOptions.onDisk(0, storeDir));
        try (MongoClient client = MongoClients.create(reopened.connectionString())) {
            List<Document> docs = Flux.from(client.getDatabase("t").getCollection("readings").find()).collectList().block();
            assertThat(docs).hasSize(2);
        } finally {
            reopened.close();
        }
    }

    private static Mqtt5BlockingClient client(Credential c, int port) {
        return Mqtt5Client.builder().identifier(c.username()).serverHost("127.0.0.1").serverPort(port)
                .simpleAuth().username(c.username()).password(c.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
    }
}
