package dev.ims.launcher.bench;

import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.BrokerSecurity;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.launcher.LocalStack;
import dev.ims.model.security.BrokerRights;
import dev.ims.model.security.InMemoryDirectory;
import dev.ims.model.topic.Topics;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.model.config.ImsOptions;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.LogConfig;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.client.dynsec.DynsecAccounts;
import dev.ims.model.security.BrokerAccounts;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.portal.PortalSettings;
import dev.ims.portal.device.BrokerAccountsChoice;
import java.io.BufferedReader;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
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
import picocli.CommandLine.Spec;

/**
 * {@code ./ims bench}: prints the figures beside issue 13's targets; asserts nothing (the exit code says whether a
 * reading was lost or duplicated, or an answer was wrong). Against fresh embedded parts unless MQTT_URL / MONGO_URI
 * are set.
 */
@Command(name = "ims bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write phases (default): the broker alone, the store alone, then the pipeline end to end for each profile"
                + " (backlog: few meters sending history a minute apart; field: many meters, one reading each per round) with"
                + " lost/duplicated counted in the store, and the fleet's memory.",
                "Read phase (--read): loads 20 meters x 30 days of 15-minute readings and one meter with a year of 1-minute"
                + " readings straight into the store (through the ingest's write code), starts the portal over it and measures"
                + " its answers over HTTP: usage, dashboard, a day of readings (JSON, CSV), the gap report, and 20 concurrent"
                + " signed-in users.",
                "Fleet phase (--fleet): seeds 10 000 meters with varied states into the store (through the ingest's write code),"
                + " starts the portal over it and measures the staff's fleet page and fleet API with 10 staff at once.",
                "Local-stack phase (--local): ./ims's own stack with a fleet of new meters publishing their history, timed until"
                + " it is stored, and a live meter's readings through the portal's API meanwhile.",
                "Broker: the embedded HiveMQ CE, or --mqtt-url (Mosquitto with the dynamic-security plugin: the bench creates"
                + " its meters there as the admin identity, MQTT_ADMIN_USERNAME/MQTT_ADMIN_PASSWORD or the identity file"
                + " ./ims mosquitto-init writes). Store: the embedded one, or --mongo-uri.",
                "Exit code: 0 all stored once and every answer right, 1 otherwise, 2 bad options."})
public final class BenchMain implements Callable<Integer> {

    static {
        LogConfig.use("logback-launcher.xml");
    }

    @Mixin
    ImsOptions options;

    @Option(names = "--read", description = "Run the read phase instead of the write phases.")
    boolean read;

    @Option(names = "--local", description = "Run the local-stack phase instead of the write phases: ./ims's own stack with a fleet"
            + " of new meters publishing their history (the backfill), timed until it is stored, and a live meter's readings"
            + " through the API meanwhile. Embedded parts only.")
    boolean local;

    @Option(names = "--local-meters", description = "Local-stack phase: new meters (default ${DEFAULT-VALUE}, as ./ims).")
    int localMeters = LocalStack.DEFAULT_FLEET_SIZE;

    @Option(names = "--local-days", description = "Local-stack phase: days of history each (default ${DEFAULT-VALUE}, as ./ims).")
    int localDays = LocalStack.DEFAULT_HISTORY_DAYS;

    @Option(names = "--profile", paramLabel = "backlog|field|both", description = "Write phases: the end-to-end profiles (default ${DEFAULT-VALUE}).")
    String profile = "both";

    @Option(names = "--seconds", description = "Length of each timed phase, the read phase's concurrent ones included (default ${DEFAULT-VALUE}).")
    int seconds = 20;

    @Option(names = "--connections", description = "Write phases: publisher threads (default ${DEFAULT-VALUE}).")
    int connections = 16;

    @Option(names = "--meters", description = "Field profile: simulated meters, each on its own MQTT connection (default ${DEFAULT-VALUE}).")
    int meters = 1600;

    @Option(names = "--backlog-meters", description = "Backlog profile: simulated meters (default ${DEFAULT-VALUE}).")
    int backlogMeters = 32;

    @Option(names = "--window", description = "Write phases: QoS 1 publishes in flight per publisher thread (default ${DEFAULT-VALUE}).")
    int window = 100;

    @Option(names = "--no-half-load", description = "Field profile: skip the run at half the full-load rate (the latency of a pipeline"
            + " with room), which runs by default.")
    boolean noHalfLoad;

    @Option(names = "--fleet-meters", description = "Write phases: connected meters for the memory phase, 0 to skip (default ${DEFAULT-VALUE};"
            + " embedded broker only).")
    int fleetMeters = 5000;

    @Option(names = "--fleet-heap", description = "Heap of the memory phase's JVM (default ${DEFAULT-VALUE}).")
    String fleetHeap = "1g";

    @Option(names = "--reuse-store", paramLabel = "DIR", description = "Read phase: keep the embedded store in DIR and load its data only"
            + " when DIR does not hold it yet (the load of a year takes minutes; later runs start at once).")
    Path reuseStore;

    @Option(names = "--repetitions", description = "Read phase: requests per single-user figure (default ${DEFAULT-VALUE}).")
    int repetitions = 100;

    @Option(names = "--users", description = "Read phase: concurrent signed-in users (default ${DEFAULT-VALUE}).")
    int users = 20;

    @Option(names = "--fleet", description = "Run the fleet phase instead of the write phases: seeds --fleet-size meters with varied states"
            + " into the store (through the ingest's write code; an existing fleet is measured as it is), starts the portal over it and"
            + " measures the staff's fleet page and GET /api/v1/fleet (search, filter, sort, deep page) with --fleet-users staff at once.")
    boolean fleet;

    @Option(names = "--fleet-size", description = "Fleet phase: meters (default ${DEFAULT-VALUE}).")
    int fleetSize = 10_000;

    @Option(names = "--fleet-users", description = "Fleet phase: staff signed in at once (default ${DEFAULT-VALUE}).")
    int fleetUsers = 10;

    @Option(names = "--fleet-seconds", description = "Fleet phase: seconds per measured call (default ${DEFAULT-VALUE}).")
    int fleetSeconds = 10;

    @Option(names = "--read-meters", description = "Read phase: meters with 15-minute readings (default ${DEFAULT-VALUE}).")
    int readMeters = 20;

    @Option(names = "--read-days", description = "Read phase: days of those meters' readings (default ${DEFAULT-VALUE}).")
    int readDays = 30;

    @Option(names = "--year-days", description = "Read phase: days of the 1-minute meter's readings (default ${DEFAULT-VALUE}: 525 600 readings).")
    int yearDays = 365;

    @Spec
    CommandLine.Model.CommandSpec spec;

    /** The environment the settings come from; tests replace it. */
    Map<String, String> environment = System.getenv();

    /** Where the figures go; tests replace it. */
    PrintStream out = System.out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        validate();
        ImsSettings settings = options.settings(environment);
        Path dir = Files.createTempDirectory("ims-bench");
        try {
            return read ? readPhase(settings, dir) : local ? localPhase(settings, dir) : fleet ? fleetPhase(settings, dir) : writePhases(settings, dir);
        } finally {
            deleteTree(dir);
        }
    }

    private void validate() {
        List<String> problems = new ArrayList<>();
        if (!Set.of("backlog", "field", "both").contains(profile)) {
            problems.add("--profile must be backlog, field or both, not '" + profile + "'");
        }
        if (seconds < 1 || connections < 1 || meters < 1 || backlogMeters < 1 || window < 1) {
            problems.add("--seconds, --connections, --meters, --backlog-meters and --window must be at least 1");
        }
        if (repetitions < 1 || users < 1 || readMeters < 1 || readDays < 1 || yearDays < 1) {
            problems.add("--repetitions, --users, --read-meters, --read-days and --year-days must be at least 1");
        }
        if ((read ? 1 : 0) + (local ? 1 : 0) + (fleet ? 1 : 0) > 1) {
            problems.add("--read, --local and --fleet are separate phases: one at a time");
        }
        if (fleetSize < 1 || fleetUsers < 1 || fleetSeconds < 1) {
            problems.add("--fleet-size, --fleet-users and --fleet-seconds must be at least 1");
        }
        if (localMeters < 1 || localDays < 1) {
            problems.add("--local-meters and --local-days must be at least 1");
        }
        if (reuseStore != null && !read && !fleet) {
            problems.add("--reuse-store is for the read and fleet phases (--read, --fleet)");
        }
        if (!problems.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
        }
    }

    private List<Bench.Profile> profiles() {
        return switch (profile) {
            case "backlog" -> List.of(Bench.Profile.BACKLOG);
            case "field" -> List.of(Bench.Profile.FIELD);
            default -> List.of(Bench.Profile.BACKLOG, Bench.Profile.FIELD);
        };
    }

    private int writePhases(ImsSettings settings, Path dir) throws Exception {
        EmbeddedBroker broker = null;
        EmbeddedStore store = null;
        BenchIdentities identities = BenchIdentities.random();
        BenchAccounts accounts = null;
        try {
            if (settings.mqttUrl().isPresent()) {
                // Every client of a real broker needs an account there: the bench creates its meters through Mosquitto's
                // dynamic-security plugin, as the portal does at enrolment.
                BrokerAccounts brokerAccounts = BrokerAccountsChoice.open(settings, environment);
                if (!(brokerAccounts instanceof DynsecAccounts dynsec)) {
                    out.println("ims bench: MQTT_URL is set, but no admin identity of Mosquitto's dynamic-security plugin was found:"
                            + " set MQTT_ADMIN_USERNAME and MQTT_ADMIN_PASSWORD, or run ./ims mosquitto-init first (it writes"
                            + " IMS_DATA_DIR/identities/" + BrokerAccountsChoice.ADMIN_IDENTITY + "); the bench creates its meters there.");
                    return 2;
                }
                accounts = BenchAccounts.dynsec(identities, dynsec);
            } else {
                InMemoryDirectory services = new InMemoryDirectory();
                broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(new BrokerSecurity(
                        new BrokerRights(new Topics(settings.topicPrefix()), settings.ingestGroup()), services, identities.meters())));
                settings = settings.withMqttUrl(broker.url());
                accounts = BenchAccounts.embedded(identities, services);
            }
            if (settings.mongoUri().isEmpty()) {
                store = EmbeddedStore.start(EmbeddedStoreOptions.onDisk(0, dir.resolve("store")));
                settings = settings.withMongoUri(store.connectionString());
            }
            out.printf("IMS bench, write phases: %d s per phase, %d publisher threads, field %d meters, backlog %d meters, window %d;"
                            + " %d cores, max heap %d MB, Java %s%n", seconds, connections, meters, backlogMeters, window,
                    Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"));
            out.printf("  broker %s, store %s%n", broker != null ? "embedded HiveMQ CE" : ImsSettings.hideCredentials(settings.mqttUrl().get()),
                    storeName(store, settings));
            Bench.Result r = new Bench(settings, new Bench.Options(seconds, connections, meters, backlogMeters, window, profiles(), !noHalfLoad),
                    accounts, out).run();
            if (fleetMeters > 0 && broker != null) {
                fleetMemory(settings, identities);
            } else if (fleetMeters > 0) {
                out.println("  fleet memory: skipped (its meters have identities only on the embedded broker)");
            }
            return r.lost() == 0 && r.duplicated() == 0 ? 0 : 1;
        } finally {
            if (accounts != null) {
                accounts.close();
            }
            if (store != null) {
                store.close();
            }
            if (broker != null) {
                broker.close();
            }
        }
    }

    private int readPhase(ImsSettings settings, Path dir) throws Exception {
        EmbeddedStore store = null;
        try {
            if (settings.mongoUri().isEmpty()) {
                Path storeDir = reuseStore != null ? reuseStore : dir.resolve("store");
                Files.createDirectories(storeDir);
                store = EmbeddedStore.start(EmbeddedStoreOptions.onDisk(0, storeDir));
                settings = settings.withMongoUri(store.connectionString());
            }
            out.printf("IMS bench, read phase: %d meters x %d days of 15-minute readings, one meter with %d days of 1-minute readings;"
                            + " %d repetitions, %d users for %d s; %d cores, max heap %d MB, Java %s%n", readMeters, readDays, yearDays,
                    repetitions, users, seconds, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                    System.getProperty("java.version"));
            out.printf("  store %s%n", storeName(store, settings));
            try (MongoClient mongo = MongoClients.create(settings.mongoUri().get())) {
                MongoDatabase db = mongo.getDatabase(settings.mongoDatabase());
                ReadData.Loaded data = new ReadData(db, new UsageCalendar(settings.timeZone()), out)
                        .loadOrReuse(new ReadData.Shape(readMeters, readDays, yearDays));
                Map<String, String> portalEnv = Map.of(ImsSettings.TIME_ZONE, settings.timeZone().getId(), ImsSettings.HTTP_PORT, "0",
                        ImsSettings.IMS_DATA_DIR, dir.resolve("portal").toString(), ImsSettings.MONGO_DATABASE, settings.mongoDatabase(),
                        ImsSettings.IMS_ADMIN_PASSWORD, dev.ims.model.security.Secrets.newSecret());
                PortalSettings portal = PortalSettings.load(ImsSettings.load(portalEnv, Map.of()).withMongoUri(settings.mongoUri().get()), portalEnv)
                        .withPasswordCost(4);
                ReadBench.Result r = new ReadBench(portal, db, data, new ReadBench.Options(repetitions, users, seconds), out).run();
                return r.wrong() == 0 ? 0 : 1;
            }
        } finally {
            if (store != null) {
                store.close();
            }
        }
    }

    private int fleetPhase(ImsSettings settings, Path dir) throws Exception {
        EmbeddedStore store = null;
        try {
            if (settings.mongoUri().isEmpty()) {
                Path storeDir = reuseStore != null ? reuseStore : dir.resolve("store");
                Files.createDirectories(storeDir);
                store = EmbeddedStore.start(EmbeddedStoreOptions.onDisk(0, storeDir));
                settings = settings.withMongoUri(store.connectionString());
            }
            out.printf("IMS bench, fleet phase: %,d meters, %d staff at once, %d s per call; %d cores, max heap %d MB, Java %s%n", fleetSize,
                    fleetUsers, fleetSeconds, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                    System.getProperty("java.version"));
            out.printf("  store %s%n", storeName(store, settings));
            try (MongoClient mongo = MongoClients.create(settings.mongoUri().get())) {
                MongoDatabase db = mongo.getDatabase(settings.mongoDatabase());
                Map<String, String> portalEnv = Map.of(ImsSettings.TIME_ZONE, settings.timeZone().getId(), ImsSettings.HTTP_PORT, "0",
                        ImsSettings.IMS_DATA_DIR, dir.resolve("portal").toString(), ImsSettings.MONGO_DATABASE, settings.mongoDatabase(),
                        ImsSettings.IMS_ADMIN_PASSWORD, dev.ims.model.security.Secrets.newSecret());
                PortalSettings portal = PortalSettings.load(ImsSettings.load(portalEnv, Map.of()).withMongoUri(settings.mongoUri().get()), portalEnv)
                        .withPasswordCost(4);
                FleetBench.Result r = new FleetBench(portal, db, new FleetBench.Options(fleetSize, fleetUsers, fleetSeconds), out).run();
                return r.wrong() == 0 ? 0 : 1;
            }
        } finally {
            if (store != null) {
                store.close();
            }
        }
    }

    private int localPhase(ImsSettings settings, Path dir) throws Exception {
        if (settings.mqttUrl().isPresent() || settings.mongoUri().isPresent()) {
            out.println("ims bench: --local measures ./ims's own embedded stack: unset MQTT_URL and MONGO_URI (and --mqtt-url, --mongo-uri)");
            return 2;
        }
        out.printf("IMS bench, local-stack phase; %d cores, max heap %d MB, Java %s%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"));
        LocalStackBench.Result r = new LocalStackBench(new LocalStackBench.Options(localMeters, localDays), out).run(settings, dir);
        if (r.backfill() == null) {
            out.printf("  ./ims: %d meters x %d days of history NOT stored within the time limit (%,d of %,d)%n", localMeters, localDays,
                    r.stored(), r.expected());
        } else {
            double s = r.backfill().toMillis() / 1000.0;
            out.printf("  ./ims: %d meters x %d days of history (%,d readings) stored %.1f s after the meters connected (%,.0f readings/s);"
                    + " target <= 10 s: %s%n", localMeters, localDays, r.expected(), s, r.expected() / s, s <= 10 ? "met" : "MISSED");
        }
        Latencies live = r.live();
        if (live.count() == 0) {
            out.println("  ./ims: no live reading reached the API during the backfill (too short to measure, or none arrived)");
        } else {
            out.printf("  ./ims: live reading published during the backfill -> visible in the API: p50 %.0f ms, p99 %.0f ms, max %.0f ms"
                            + " (%d readings); target p99 <= 1 s: %s%n", live.percentileMillis(50), live.percentileMillis(99),
                    live.percentileMillis(100), live.count(), live.count() >= 20 && live.percentileMillis(99) <= 1000 ? "met"
                            : live.count() < 20 ? "fewer than 20 readings" : "MISSED");
        }
        out.printf("  ./ims: history lost %d (target 0): %s%n", r.lost(), r.lost() == 0 ? "met" : "MISSED");
        return r.lost() == 0 ? 0 : 1;
    }

    private static String storeName(EmbeddedStore store, ImsSettings settings) {
        return store != null ? "embedded mongo-java-server (H2, commit per write)" : ImsSettings.hideCredentials(settings.mongoUri().get());
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
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
            out.printf("  fleet memory: the probe JVM (-Xmx%s) did not connect %,d meters (exit %d)%n", fleetHeap, fleetMeters, p.exitValue());
            return;
        }
        String[] f = result.split(" ");
        long n = Long.parseLong(f[1]);
        long used = Long.parseLong(f[2]);
        long max = Long.parseLong(f[3]);
        double perMeter = (double) used / n;
        out.printf("  fleet memory: %,d connected meters in one JVM (-Xmx%s) hold %,d MB of heap, %.1f KB each: %,.0f would fit%n",
                n, fleetHeap, used >> 20, perMeter / 1024, max / perMeter);
    }
}
