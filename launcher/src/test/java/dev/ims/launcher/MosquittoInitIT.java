package dev.ims.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.ims.client.dynsec.DynsecAccounts;
import dev.ims.embedded.FreePorts;
import dev.ims.embedded.testing.MosquittoProcess;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.MqttEndpoint;
import dev.ims.model.security.BrokerRights;
import dev.ims.model.security.Credential;
import dev.ims.model.security.Secrets;
import dev.ims.model.security.ServiceCredentials;
import dev.ims.model.topic.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./ims mosquitto-init} on a real Mosquitto: the file it writes is what the broker runs on, the identities it
 * leaves work with exactly their rights, its admin identity enrols meters, and nobody else gets in.
 */
class MosquittoInitIT {

    @TempDir
    Path dir;

    @Test
    void initialisedMosquitto_admitsTheWrittenIdentitiesWithTheirRights_andItsAdminEnrolsMeters_andRefusesAnonymous() throws Exception {
        MosquittoProcess.requireOrSkip();
        Path data = dir.resolve("data");
        Path conf = dir.resolve("conf");
        StringWriter printed = new StringWriter();
        assertThat(init(data, printed, conf.toString(), "--ingest", "ims-ingest-1", "--ingest", "ims-ingest-2")).as(printed.toString()).isZero();
        for (String name : List.of("ims-ingest-1", "ims-ingest-1-backlog", "ims-ingest-2", "ims-ingest-2-backlog", "ims-portal", "ims-monitor", "ims-admin")) {
            Path file = ServiceCredentials.file(data, name);
            assertThat(file).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        assertThat(Files.readString(conf.resolve("dynamic-security.json"))).doesNotContain(
                ServiceCredentials.load(ServiceCredentials.file(data, "ims-ingest-1")).orElseThrow().password());

        try (MosquittoProcess mosquitto = MosquittoProcess.startWithDynsecFile(Path.of("..", "mosquitto.conf"), FreePorts.resolve(0),
                dir.resolve("mosquitto"), conf.resolve("dynamic-security.json"))) {
            Credential ingest = ServiceCredentials.load(ServiceCredentials.file(data, "ims-ingest-1")).orElseThrow();
            Credential portal = ServiceCredentials.load(ServiceCredentials.file(data, "ims-portal")).orElseThrow();
            Credential admin = ServiceCredentials.load(ServiceCredentials.file(data, "ims-admin")).orElseThrow();

            Mqtt5BlockingClient ingestClient = connect(mosquitto, ingest);
            AtomicInteger readings = new AtomicInteger();
            ingestClient.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> readings.incrementAndGet());
            ingestClient.subscribeWith().topicFilter("$share/ims-ingest/meters/+/reading").qos(MqttQos.AT_LEAST_ONCE).send();
            assertThatThrownBy(() -> ingestClient.subscribeWith().topicFilter("#").send()).as("the ingest has no wider right").isNotNull();
            // The ingest's backlog session: an identity of its own, with the ingest's rights.
            Mqtt5BlockingClient backlogClient = connect(mosquitto,
                    ServiceCredentials.load(ServiceCredentials.file(data, "ims-ingest-1-backlog")).orElseThrow());
            AtomicInteger backlog = new AtomicInteger();
            backlogClient.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> backlog.incrementAndGet());
            backlogClient.subscribeWith().topicFilter("$share/ims-ingest/meters/+/backlog").qos(MqttQos.AT_LEAST_ONCE).send();

            // The admin identity enrols a meter as the portal does at enrolment.
            String secret = Secrets.newSecret();
            try (DynsecAccounts accounts = new DynsecAccounts(ImsSettings.load(Map.of(), Map.of()), MqttEndpoint.parse(mosquitto.url()), admin,
                    new BrokerRights(Topics.defaults(), ImsSettings.DEFAULT_INGEST_GROUP))) {
                accounts.register("init-meter-1", secret).toCompletableFuture().get(15, TimeUnit.SECONDS);
            }
            Mqtt5BlockingClient meter = connect(mosquitto, new Credential("init-meter-1", secret));
            meter.publishWith().topic("meters/init-meter-1/reading").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("{}".getBytes(StandardCharsets.UTF_8)).send();
            await().atMost(Duration.ofSeconds(10)).until(() -> readings.get() == 1);
            meter.publishWith().topic("meters/init-meter-1/backlog").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("{}".getBytes(StandardCharsets.UTF_8)).send();
            await().atMost(Duration.ofSeconds(10)).until(() -> backlog.get() == 1);

            Mqtt5BlockingClient portalClient = connect(mosquitto, portal);
            portalClient.publishWith().topic("meters/init-meter-1/command").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("{}".getBytes(StandardCharsets.UTF_8)).send();

            // The portal's broker monitor: the broker's $SYS figures, and nothing else.
            Mqtt5BlockingClient monitor = connect(mosquitto, ServiceCredentials.load(ServiceCredentials.file(data, "ims-monitor")).orElseThrow());
            AtomicInteger figures = new AtomicInteger();
            monitor.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> figures.incrementAndGet());
            monitor.subscribeWith().topicFilter("$SYS/#").send();
            await().atMost(Duration.ofSeconds(10)).until(() -> figures.get() > 0);
            assertThatThrownBy(() -> monitor.subscribeWith().topicFilter("meters/+/reading").send()).as("the monitor reads no readings")
                    .isNotNull();
            monitor.disconnect();

            Mqtt5BlockingClient anonymous = Mqtt5Client.builder().identifier("anonymous-" + System.nanoTime()).serverHost("127.0.0.1")
                    .serverPort(mosquitto.port()).buildBlocking();
            assertThatThrownBy(anonymous::connect).as("no anonymous client").isNotNull();
            List.of(ingestClient, backlogClient, meter, portalClient).forEach(Mqtt5BlockingClient::disconnect);
        }

        // Running it again would throw the meters' accounts away: refused without --force, the file unchanged.
        String before = Files.readString(conf.resolve("dynamic-security.json"));
        StringWriter again = new StringWriter();
        assertThat(init(data, again, conf.toString())).isNotZero();
        assertThat(again.toString()).contains("--force");
        assertThat(Files.readString(conf.resolve("dynamic-security.json"))).isEqualTo(before);
    }

    /**
     * An installation from before the backlog topic and the broker monitor (a meter enrolled, the ingest without its
     * backlog identity): {@code --upgrade} keeps every account and password, gives each role today's rights and adds the
     * missing identities, and Mosquitto runs on the result: the old meter publishes on backlog to the new backlog session,
     * the monitor reads $SYS.
     */
    @Test
    void upgrade_ofAnOlderInstallation_keepsItsAccounts_andGivesTodaysRights() throws Exception {
        MosquittoProcess.requireOrSkip();
        Path data = dir.resolve("data");
        Path conf = dir.resolve("conf");
        StringWriter printed = new StringWriter();
        assertThat(init(data, printed, conf.toString(), "--ingest", "ims-ingest-1")).as(printed.toString()).isZero();
        Credential admin = ServiceCredentials.load(ServiceCredentials.file(data, "ims-admin")).orElseThrow();
        String secret = Secrets.newSecret();
        Path first = dir.resolve("mosquitto-1");
        try (MosquittoProcess mosquitto = MosquittoProcess.startWithDynsecFile(Path.of("..", "mosquitto.conf"), FreePorts.resolve(0), first,
                conf.resolve("dynamic-security.json"));
                DynsecAccounts accounts = new DynsecAccounts(ImsSettings.load(Map.of(), Map.of()), MqttEndpoint.parse(mosquitto.url()), admin,
                        new BrokerRights(Topics.defaults(), ImsSettings.DEFAULT_INGEST_GROUP))) {
            accounts.register("old-meter", secret).toCompletableFuture().get(15, TimeUnit.SECONDS);
        }
        // What the previous version wrote: no backlog rights, no monitor, no backlog identity.
        Path old = first.resolve("dynamic-security.json");
        com.fasterxml.jackson.databind.node.ObjectNode file = (com.fasterxml.jackson.databind.node.ObjectNode) dev.ims.model.json.Json.mapper()
                .readTree(old.toFile());
        assertThat(file.toString()).as("Mosquitto kept the enrolled meter in its file").contains("meter-old-meter");
        file.withArray("roles").forEach(r -> ((com.fasterxml.jackson.databind.node.ArrayNode) r.get("acls"))
                .removeIf(a -> a.path("topic").asText().endsWith("/backlog") || a.path("topic").asText().startsWith("$SYS")));
        file.withArray("roles").removeIf(r -> r.path("rolename").asText().equals("ims-monitor"));
        file.withArray("clients").removeIf(c -> List.of("ims-monitor", "ims-ingest-1-backlog").contains(c.path("username").asText()));
        Files.writeString(old, file.toPrettyString());
        Files.delete(ServiceCredentials.file(data, "ims-ingest-1-backlog"));
        Files.delete(ServiceCredentials.file(data, "ims-monitor"));

        StringWriter upgraded = new StringWriter();
        assertThat(init(data, upgraded, first.toString(), "--upgrade", "--ingest", "ims-ingest-1")).as(upgraded.toString()).isZero();
        assertThat(upgraded.toString()).contains("rights of 1 meter(s)", "identities added: ims-ingest-1-backlog, ims-monitor");
        try (var files = Files.list(first)) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".bak"))).as("the previous file kept").hasSize(1);
        }

        try (MosquittoProcess mosquitto = MosquittoProcess.startWithDynsecFile(Path.of("..", "mosquitto.conf"), FreePorts.resolve(0),
                dir.resolve("mosquitto-2"), old)) {
            Mqtt5BlockingClient backlogClient = connect(mosquitto,
                    ServiceCredentials.load(ServiceCredentials.file(data, "ims-ingest-1-backlog")).orElseThrow());
            AtomicInteger backlog = new AtomicInteger();
            backlogClient.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> backlog.incrementAndGet());
            backlogClient.subscribeWith().topicFilter("$share/ims-ingest/meters/+/backlog").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5BlockingClient meter = connect(mosquitto, new Credential("old-meter", secret));
            meter.publishWith().topic("meters/old-meter/backlog").qos(MqttQos.AT_LEAST_ONCE).payload("{}".getBytes(StandardCharsets.UTF_8)).send();
            await().atMost(Duration.ofSeconds(10)).until(() -> backlog.get() == 1);
            Mqtt5BlockingClient monitor = connect(mosquitto, ServiceCredentials.load(ServiceCredentials.file(data, "ims-monitor")).orElseThrow());
            AtomicInteger figures = new AtomicInteger();
            monitor.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> figures.incrementAndGet());
            monitor.subscribeWith().topicFilter("$SYS/#").send();
            await().atMost(Duration.ofSeconds(10)).until(() -> figures.get() > 0);
            connect(mosquitto, admin).disconnect(); // the admin's password is the one it had
            List.of(backlogClient, meter, monitor).forEach(Mqtt5BlockingClient::disconnect);
        }

        StringWriter again = new StringWriter();
        assertThat(init(data, again, first.toString(), "--upgrade", "--ingest", "ims-ingest-1")).as(again.toString()).isZero();
        assertThat(again.toString()).contains("unchanged");
        try (var files = Files.list(first)) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".bak"))).as("nothing to do, nothing written").hasSize(1);
        }

        StringWriter missing = new StringWriter();
        assertThat(init(data, missing, dir.resolve("nowhere").toString(), "--upgrade")).isNotZero();
        assertThat(missing.toString()).contains("does not exist");
    }

    private static int init(Path data, StringWriter out, String... args) {
        MosquittoInitMain main = new MosquittoInitMain();
        main.environment = Map.of("IMS_DATA_DIR", data.toString());
        CommandLine cl = new CommandLine(main);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        return cl.execute(args);
    }

    private static Mqtt5BlockingClient connect(MosquittoProcess mosquitto, Credential c) {
        Mqtt5BlockingClient client = Mqtt5Client.builder().identifier(c.username()).serverHost("127.0.0.1").serverPort(mosquitto.port())
                .simpleAuth().username(c.username()).password(c.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildBlocking();
        client.connect();
        return client;
    }
}
