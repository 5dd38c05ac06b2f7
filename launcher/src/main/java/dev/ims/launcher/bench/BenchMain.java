package dev.ims.launcher.bench;

import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.BrokerSecurity;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.model.security.BrokerRights;
import dev.ims.model.security.InMemoryDirectory;
import dev.ims.model.topic.Topics;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.model.config.ImsOptions;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.LogConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./ims bench}: prints the figures; asserts nothing. Against fresh embedded parts unless MQTT_URL / MONGO_URI are set. */
@Command(name = "ims bench", mixinStandardHelpOptions = true,
        description = "Measures the broker alone, the store alone, the pipeline end to end at full and half load, and the fleet's memory.")
public final class BenchMain implements Callable<Integer> {

    static {
        LogConfig.use("logback-launcher.xml");
    }

    @Mixin
    ImsOptions options;

    @Option(names = "--seconds", description = "Length of each timed phase (default ${DEFAULT-VALUE}).")
    int seconds = 20;

    @Option(names = "--connections", description = "Publishing MQTT connections (default ${DEFAULT-VALUE}).")
    int connections = 16;

    @Option(names = "--meters", description = "Simulated meters publishing (default ${DEFAULT-VALUE}).")
    int meters = 1600;

    @Option(names = "--window", description = "QoS 1 publishes in flight per connection (default ${DEFAULT-VALUE}).")
    int window = 100;

    @Option(names = "--fleet-meters", description = "Connected meters for the memory phase, 0 to skip (default ${DEFAULT-VALUE}).")
    int fleetMeters = 5000;

    @Option(names = "--fleet-heap", description = "Heap of the memory phase's JVM (default ${DEFAULT-VALUE}).")
    String fleetHeap = "1g";

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ImsSettings settings = options.settings(System.getenv());
        Path dir = Files.createTempDirectory("ims-bench");
        EmbeddedBroker broker = null;
        EmbeddedStore store = null;
        if (settings.mqttUrl().isPresent()) {
            // Every client of a real broker needs an account there; the bench's thousands of meters have one only on
            // a broker it starts itself (BenchIdentities).
            System.err.println("ims bench: MQTT_URL is set, but the bench creates its meters' identities only on the embedded broker it"
                    + " starts itself; unset MQTT_URL (MONGO_URI may point at a real MongoDB).");
            return 2;
        }
        BenchIdentities identities = BenchIdentities.random();
        InMemoryDirectory services = new InMemoryDirectory();
        try {
            if (settings.mqttUrl().isEmpty()) {
                broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(new BrokerSecurity(
                        new BrokerRights(new Topics(settings.topicPrefix()), settings.ingestGroup()), services, identities.meters())));
                settings = settings.withMqttUrl(broker.url());
            }
            if (settings.mongoUri().isEmpty()) {
                store = EmbeddedStore.start(EmbeddedStoreOptions.onDisk(0, dir.resolve("store")));
                settings = settings.withMongoUri(store.connectionString());
            }
            System.out.printf("IMS bench: %d s per phase, %d connections, %d meters, window %d; %d cores, max heap %d MB, Java %s%n",
                    seconds, connections, meters, window, Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"));
            System.out.printf("  broker %s, store %s%n", broker != null ? "embedded HiveMQ CE" : settings.mqttUrl().get(),
                    store != null ? "embedded mongo-java-server (H2, commit per write)" : ImsSettings.hideCredentials(settings.mongoUri().get()));
            Bench.Result r = new Bench(settings, new Bench.Options(seconds, connections, meters, window), identities, services, System.out)
                    .run();
            double smaller = Math.min(r.brokerRate(), r.storeRate());
            System.out.printf("  end to end / smaller raw limit: %.0f %%%n", 100 * r.pipelineRate() / smaller);
            if (fleetMeters > 0) {
                fleetMemory(settings, identities);
            }
            return r.lost() == 0 && r.duplicated() == 0 ? 0 : 1;
        } finally {
            if (store != null) {
                store.close();
            }
            if (broker != null) {
                broker.close();
            }
        }
    }

    /** A child JVM with the heap under test connects the meters and reports the heap they hold. */
    private void fleetMemory(ImsSettings settings, BenchIdentities identities) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx" + fleetHeap, "-cp", System.getProperty("java.class.path"),
                FleetMemoryProbe.class.getName(), Integer.toString(fleetMeters))).redirectErrorStream(true);
        pb.environment().put("MQTT_URL", settings.mqttUrl().orElseThrow());
        pb.environment().put(BenchIdentities.KEY_VARIABLE, identities.key());
        Process p = pb.start();
        String result = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("FLEET ")) {
                    result = line;
                }
            }
        }
        p.waitFor(30, TimeUnit.MINUTES);
        if (result == null) {
            System.out.printf("  fleet memory: the probe JVM (-Xmx%s) did not connect %,d meters (exit %d)%n", fleetHeap, fleetMeters, p.exitValue());
            return;
        }
        String[] f = result.split(" ");
        long n = Long.parseLong(f[1]);
        long used = Long.parseLong(f[2]);
        long max = Long.parseLong(f[3]);
        double perMeter = (double) used / n;
        System.out.printf("  fleet memory: %,d connected meters in one JVM (-Xmx%s) hold %,d MB of heap, %.1f KB each: %,.0f would fit%n",
                n, fleetHeap, used >> 20, perMeter / 1024, max / perMeter);
    }
}
