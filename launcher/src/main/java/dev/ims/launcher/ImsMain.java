package dev.ims.launcher;

import dev.ims.client.cli.DurationConverter;
import dev.ims.client.relay.RelayRules;
import dev.ims.model.config.BindAddress;
import dev.ims.model.config.ImsOptions;
import dev.ims.model.config.LogConfig;
import dev.ims.model.config.ImsSettings;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./ims}: the whole system on one machine. Parses options, starts a {@link LocalStack}, waits for Ctrl-C. */
@Command(
        name = "ims",
        mixinStandardHelpOptions = true,
        description = "Runs the Intelligent Meter System locally: broker, store, ingest, portal and a simulated fleet.")
public final class ImsMain implements Callable<Integer> {

    static {
        LogConfig.use("logback-launcher.xml");
    }

    private static final Logger LOG = LoggerFactory.getLogger(ImsMain.class);

    @Mixin
    ImsOptions options;

    @Option(names = "--fleet", description = "Simulated meters to run (default ${DEFAULT-VALUE}; 0: none).")
    int fleet = LocalStack.DEFAULT_FLEET_SIZE;

    @Option(names = "--history-days", description = "Days of history a new simulated meter publishes first (default ${DEFAULT-VALUE}).")
    int historyDays = LocalStack.DEFAULT_HISTORY_DAYS;

    @Option(names = "--interval-seconds", description = "Seconds between live readings of the fleet (default ${DEFAULT-VALUE}).")
    int intervalSeconds = LocalStack.DEFAULT_INTERVAL_SECONDS;

    @Option(names = "--min-switch-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Least time between two switches of a simulated meter's relay: seconds, 90s, 5m or PT1M; 0 turns it off (default 60 s).")
    Duration minSwitchInterval = RelayRules.DEFAULT_MIN_SWITCH_INTERVAL;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ImsMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ImsSettings settings;
        LocalStack stack;
        try {
            settings = options.settings(System.getenv());
            stack = LocalStack.start(settings, new LocalStack.Options(fleet, historyDays, intervalSeconds, minSwitchInterval)
                    .withIngestLimits(dev.ims.ingest.IngestLimits.from(System.getenv())));
        } catch (RuntimeException e) {
            LOG.error("Start-up failed: {}", rootMessage(e));
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Stopping");
            stack.close();
            stopped.countDown();
        }, "ims-shutdown"));
        System.out.println();
        System.out.println("  Portal:  " + stack.portalUrl());
        System.out.println("  MQTT:    " + stack.mqttUrl());
        if (stack.mqttTlsUrl() != null) {
            System.out.println("  MQTT TLS: " + stack.mqttTlsUrl() + " (meters verify it with MQTT_CA_FILE="
                    + stack.caFile().toAbsolutePath().normalize() + ")");
        }
        System.out.println("  MongoDB: " + ImsSettings.hideCredentials(stack.mongoUri()));
        System.out.println("  Network: " + listeningLine(stack.listening(), stack.bindAddress()));
        String generated = stack.generatedAdminPassword();
        if (generated != null) {
            System.out.println("  Staff:   admin / " + generated + "   (generated now and shown once; set IMS_ADMIN_PASSWORD to choose it)");
        } else {
            System.out.println("  Staff:   admin (password: IMS_ADMIN_PASSWORD at first start)");
        }
        if (stack.fleet() != null && !stack.fleet().members().isEmpty()) {
            var first = stack.fleet().members().get(0).meter();
            System.out.println("  Claim:   meter " + first.meterId() + " with claim code " + first.state().claimCode()
                    + "   (all: " + settings.dataDir().resolve("fleet").resolve(LocalStack.CLAIM_CODES_FILE).toAbsolutePath().normalize() + ")");
        }
        System.out.println("  Enrol:   fleet provisioning key " + stack.provisioningKey() + "   (new meters exchange it for their own"
                + " broker identity; ./ims agent reads it from " + settings.dataDir().resolve("keys").resolve("provisioning-key").normalize()
                + ", other machines take IMS_PROVISIONING_KEY)");
        System.out.println("  Keys:    " + stack.commandKeySetFile().toAbsolutePath().normalize()
                + "   (relay commands are signed; meters trust these keys: ./ims agent finds them, others take --command-keys)");
        System.out.println("  Ctrl-C stops; data is kept in " + settings.dataDir().toAbsolutePath().normalize());
        System.out.println();
        stopped.await();
        return 0;
    }

    /** Where the stack's own servers listen, and whether the network reaches them: the one place the banner says so. */
    static String listeningLine(java.util.List<String> parts, BindAddress address) {
        String who = String.join(", ", parts) + (parts.size() == 1 ? " listens" : " listen") + " on " + address;
        if (address.isLoopback()) {
            return who + ": this machine only (" + ImsSettings.IMS_BIND_ADDRESS + "=0.0.0.0 or --bind-address opens them to the network)";
        }
        return who + " (" + ImsSettings.IMS_BIND_ADDRESS + "): other machines can connect"
                + (address.isWildcard() ? " on any of this machine's addresses" : "");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (cause: " + t + ")";
    }
}
