package dev.ims.agent;

import dev.ims.client.cli.DurationConverter;
import dev.ims.client.enrol.EnrolmentOptions;
import dev.ims.client.enrol.EnrolmentRefusedException;
import dev.ims.client.enrol.EnrolmentSettings;
import dev.ims.model.config.ConfigException;
import dev.ims.model.config.ImsOptions;
import dev.ims.model.config.LogConfig;
import dev.ims.model.config.ImsSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code device-agent}: by default ONE new meter in this console — every agent started is a new meter,
 * with a new ID and claim code that it prints. {@code --resume} continues a meter from its state file;
 * {@code --fleet N} runs N meters that keep their state under a folder. Each meter enrols with the portal before it
 * connects ({@link dev.ims.client.enrol.MeterEnrolment}); one the portal refuses exits with {@value #EXIT_NOT_ENROLLED}.
 */
@Command(name = "device-agent", mixinStandardHelpOptions = true,
        description = "A simulated electricity meter (or a fleet) publishing readings over MQTT.")
public final class AgentMain implements Callable<Integer> {

    static {
        LogConfig.use("logback-agent.xml");
    }

    @Mixin
    ImsOptions options;

    @Mixin
    EnrolmentOptions enrolmentOptions;

    @Option(names = "--resume", paramLabel = "STATE_FILE", description = "Resume the meter saved in this state file.")
    Path resume;

    @Option(names = "--fleet", paramLabel = "N", description = "Run N meters in this process.")
    Integer fleetSize;

    @Option(names = "--fleet-dir", description = "State folder of the fleet (default {IMS_DATA_DIR}/fleet).")
    Path fleetDir;

    @Option(names = "--interval-seconds", description = "Seconds between readings (default ${DEFAULT-VALUE}).")
    long intervalSeconds = Fleet.Options.DEFAULT_INTERVAL.toSeconds();

    @Option(names = "--history-days", description = "Days of history a new meter publishes first (default ${DEFAULT-VALUE}).")
    int historyDays = 0;

    @Option(names = "--history-step-minutes", description = "Spacing of history readings (default ${DEFAULT-VALUE}).")
    long historyStepMinutes = Fleet.Options.DEFAULT_HISTORY_STEP.toMinutes();

    @Option(names = "--fault-rate", description = "Probability that a reading reports a fault (default ${DEFAULT-VALUE}).")
    double faultRate = Fleet.Options.DEFAULT_FAULT_RATE;

    @Option(names = "--outbox-max-readings",
            description = "Readings each meter keeps on disk while the broker is unreachable; beyond it the oldest are dropped (default ${DEFAULT-VALUE}).")
    int outboxMaxReadings = dev.ims.client.outbox.Outbox.DEFAULT_MAX_READINGS;

    @Option(names = "--min-switch-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Least time between two switches of a meter's relay, protecting the contactor: seconds, 90s, 5m or PT1M; 0 turns it off (default 60 s).")
    Duration minSwitchInterval = dev.ims.client.relay.RelayRules.DEFAULT_MIN_SWITCH_INTERVAL;

    @Option(names = "--command-keys", paramLabel = "FILE",
            description = "The public keys whose signed relay commands the meter(s) carry out; without them every command is refused "
                    + "(default: the set the portal delivered when the meter enrolled, beside its state file; else "
                    + "{IMS_DATA_DIR}/keys/command-keys.json, which the portal writes).")
    Path commandKeys;

    /** The exit code when the meter (or every meter of the fleet) cannot run: refused or not enrolled by the portal. */
    static final int EXIT_NOT_ENROLLED = 3;

    public static void main(String[] args) {
        System.exit(new CommandLine(new AgentMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ImsSettings settings = options.settings(System.getenv());
        if (settings.mqttUrl().isEmpty()) {
            settings = settings.withMqttUrl("tcp://localhost:" + settings.mqttPort());
        }
        EnrolmentSettings enrolment;
        try {
            enrolment = enrolmentOptions.settings(System.getenv(), settings);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        // Every meter enrols before it connects (idempotent at every start; without a key it connects as it is).
        Fleet.Options fleetOptions = new Fleet.Options(Duration.ofSeconds(intervalSeconds), historyDays,
                Duration.ofMinutes(historyStepMinutes), faultRate, outboxMaxReadings, minSwitchInterval, commandKeys, enrolment);
        Clock clock = Clock.systemUTC();
        List<Fleet.Member> members;
        if (fleetSize != null) {
            Path dir = fleetDir != null ? fleetDir : settings.dataDir().resolve("fleet");
            members = Fleet.membersIn(dir, fleetSize, settings, fleetOptions, clock);
        } else if (resume != null) {
            members = List.of(Fleet.existing(resume, settings, fleetOptions));
        } else {
            members = List.of(Fleet.fresh(settings.dataDir().resolve("agents"), settings, fleetOptions, clock));
        }
        if (members.size() == 1) {
            Fleet.Member m = members.get(0);
            System.out.println((m.isNew() ? "New meter " : "Resumed meter ") + m.meter().meterId());
            System.out.println("  claim code: " + m.meter().state().claimCode() + "   (link the meter to a portal account with it)");
            System.out.println("  state file: " + m.stateFile().toAbsolutePath().normalize());
            System.out.println("  broker:     " + settings.mqttUrl().orElseThrow());
        } else {
            System.out.println("Fleet of " + members.size() + " meters, state in " + members.get(0).stateFile().getParent());
        }
        ProgressBar bar = new ProgressBar("history");
        Fleet fleet;
        try {
            fleet = Fleet.start(members, settings, fleetOptions, clock, bar::update).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof EnrolmentRefusedException r) {
                System.err.println(r.getMessage());
                return EXIT_NOT_ENROLLED;
            }
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            fleet.close();
            stopped.countDown();
        }, "agent-shutdown"));
        fleet.historyDone().join();
        System.out.println("Publishing live every " + intervalSeconds + " s. Ctrl-C stops.");
        stopped.await();
        return 0;
    }

    /** A progress bar on stderr, redrawn in place. */
    static final class ProgressBar {
        private final String label;
        private int lastPercent = -1;

        ProgressBar(String label) {
            this.label = label;
        }

        synchronized void update(long done, long total) {
            if (total <= 0) {
                return;
            }
            int percent = (int) (done * 100 / total);
            if (percent == lastPercent) {
                return;
            }
            lastPercent = percent;
            int width = 30;
            int filled = percent * width / 100;
            System.err.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(width - filled) + "] "
                    + percent + "% " + done + "/" + total);
            if (done >= total) {
                System.err.println();
            }
        }
    }
}
