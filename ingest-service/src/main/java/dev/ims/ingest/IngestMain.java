package dev.ims.ingest;

import dev.ims.model.config.ConfigException;
import dev.ims.model.config.ImsOptions;
import dev.ims.model.config.LogConfig;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.security.ServiceCredentials;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The ingest service alone, against a real broker and a real MongoDB. It connects under its own broker identity
 * ({@link ServiceCredentials#require}): {@code MQTT_USERNAME}/{@code MQTT_PASSWORD} (the username equal to the client
 * ID), or the identity file {@code IMS_DATA_DIR/identities/<client ID>.json}. Without one it exits with status 2 before
 * connecting to anything, saying what to set. Its second session, which takes the backlog ({@code {prefix}/+/backlog}),
 * has an identity of its own, {@code <client ID>-backlog}: {@code MQTT_BACKLOG_PASSWORD} beside {@code MQTT_USERNAME}, or
 * the identity file {@code IMS_DATA_DIR/identities/<client ID>-backlog.json}; without one it starts with a warning and
 * takes the backlog through its first session.
 */
@Command(name = "ingest-service", mixinStandardHelpOptions = true,
        description = {"Stores meter readings from an MQTT broker in MongoDB. Needs MQTT_URL and MONGO_URI, and its own broker "
                + "identity: MQTT_USERNAME (equal to the client ID) and MQTT_PASSWORD, or the identity file "
                + "IMS_DATA_DIR/identities/<client ID>.json; for its backlog session <client ID>-backlog: MQTT_BACKLOG_PASSWORD or "
                + "IMS_DATA_DIR/identities/<client ID>-backlog.json."})
public final class IngestMain implements Callable<Integer> {

    static {
        LogConfig.use("logback-ingest.xml");
    }

    @Mixin
    ImsOptions options;

    @Option(names = "--client-id", description = "MQTT client ID, unique per instance, and the name of its broker identity "
            + "(default: {group}-{hostname}).")
    String clientId;

    @Option(names = "--batch-size", description = "Readings per database batch (default ${DEFAULT-VALUE}).")
    int batchSize = IngestSettings.DEFAULT_BATCH_SIZE;

    @Option(names = "--metrics-port", description = "Port of GET /metrics (Prometheus), 0 for none (default ${DEFAULT-VALUE}).")
    int metricsPort = 9464;

    public static void main(String[] args) {
        System.exit(new CommandLine(new IngestMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ImsSettings ims = options.settings(System.getenv());
        if (ims.mqttUrl().isEmpty() || ims.mongoUri().isEmpty()) {
            System.err.println("ingest-service needs MQTT_URL and MONGO_URI (or --mqtt-url / --mongo-uri). "
                    + "For the all-in-one local stack with embedded broker and store, run ./ims instead.");
            return 2;
        }
        IngestSettings settings = new IngestSettings(ims,
                clientId != null ? clientId : IngestSettings.defaultClientId(ims.ingestGroup()),
                batchSize, IngestSettings.DEFAULT_MAX_BATCH_DELAY, IngestSettings.DEFAULT_RECEIVE_MAXIMUM, true,
                IngestLimits.from(System.getenv()));
        try {
            // Checked before anything is started: a broker that admits identities only would refuse the ingest anyway.
            ServiceCredentials.require(ims, settings.clientId());
            settings = settings.withBacklog(IngestSettings.backlogCredential(ims, settings.clientId(), System.getenv()).orElse(null));
        } catch (ConfigException e) {
            System.err.println("ingest-service cannot start: " + e.getMessage());
            return 2;
        }
        io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry =
                new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.jvm.JvmGcMetrics().bindTo(registry);
        IngestService service = new IngestService(settings).metrics(registry);
        service.start().toCompletableFuture().get();
        MetricsServer metrics = metricsPort > 0 ? new MetricsServer(metricsPort, registry, service) : null;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.stop().toCompletableFuture().join();
            if (metrics != null) {
                metrics.close();
            }
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
