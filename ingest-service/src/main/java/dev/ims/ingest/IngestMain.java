package dev.ims.ingest;

import dev.ims.model.config.ImsOptions;
import dev.ims.model.config.LogConfig;
import dev.ims.model.config.ImsSettings;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The ingest service alone, against a real broker and a real MongoDB. */
@Command(name = "ingest-service", mixinStandardHelpOptions = true,
        description = "Stores meter readings from an MQTT broker in MongoDB. Needs MQTT_URL and MONGO_URI.")
public final class IngestMain implements Callable<Integer> {

    static {
        LogConfig.use("logback-ingest.xml");
    }

    @Mixin
    ImsOptions options;

    @Option(names = "--client-id", description = "MQTT client ID, unique per instance (default: {group}-{hostname}).")
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
