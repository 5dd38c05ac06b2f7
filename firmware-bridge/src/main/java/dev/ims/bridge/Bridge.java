package dev.ims.bridge;

import com.pi4j.context.Context;
import dev.ims.client.enrol.EnrolmentRefusedException;
import dev.ims.client.enrol.EnrolmentSettings;
import dev.ims.client.enrol.MeterEnrolment;
import dev.ims.client.meter.MeterState;
import dev.ims.client.meter.MeterStateFile;
import dev.ims.client.mqtt.MeterConnection;
import dev.ims.client.outbox.Outbox;
import dev.ims.client.relay.CommandGuard;
import dev.ims.client.relay.CommandTrust;
import dev.ims.model.command.CommandVerifier;
import dev.ims.client.relay.RelayRules;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RelayState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running bridge: a {@link PiMeter} read every interval, each reading kept in the on-disk outbox
 * and forwarded over MQTT (store-and-forward: a broker outage loses nothing), relay commands carried out
 * on the GPIO output and acknowledged with the state measured afterwards.
 */
public final class Bridge implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Bridge.class);

    /**
     * @param stateFile the meter's identity, register and seq; created with a new ID and claim code if missing
     * @param startKwh the register of a new meter (read it off the meter's display)
     * @param relaySafeState the relay state driven when the bridge stops, or null to hold the current one
     * @param minSwitchInterval the least time between two switches of the relay ({@link RelayRules})
     * @param commandKeys the key set whose signed relay commands the bridge carries out ({@link CommandTrust}); null: the
     *     set delivered at enrolment (beside the state file) when there is one, else {@code {IMS_DATA_DIR}/keys/command-keys.json}
     * @param enrolment where and with which provisioning key the meter enrols before it connects ({@link MeterEnrolment});
     *     null: no enrolment, the meter connects with its own secret as it is
     */
    public record Options(Path stateFile, int relayPin, boolean relayActiveLow, int relayFeedbackPin, Duration interval, double startKwh,
            int outboxMaxReadings, RelayState relaySafeState, Duration minSwitchInterval, Path commandKeys, EnrolmentSettings enrolment) {

        /** Without enrolment. */
        public Options(Path stateFile, int relayPin, boolean relayActiveLow, int relayFeedbackPin, Duration interval, double startKwh,
                int outboxMaxReadings, RelayState relaySafeState, Duration minSwitchInterval, Path commandKeys) {
            this(stateFile, relayPin, relayActiveLow, relayFeedbackPin, interval, startKwh, outboxMaxReadings, relaySafeState, minSwitchInterval,
                    commandKeys, null);
        }

        /** These options with enrolment as {@code enrolment} says (null: none). */
        public Options withEnrolment(EnrolmentSettings enrolment) {
            return new Options(stateFile, relayPin, relayActiveLow, relayFeedbackPin, interval, startKwh, outboxMaxReadings, relaySafeState,
                    minSwitchInterval, commandKeys, enrolment);
        }

        /** With the key set in its default place. */
        public Options(Path stateFile, int relayPin, boolean relayActiveLow, int relayFeedbackPin, Duration interval, double startKwh,
                int outboxMaxReadings, RelayState relaySafeState, Duration minSwitchInterval) {
            this(stateFile, relayPin, relayActiveLow, relayFeedbackPin, interval, startKwh, outboxMaxReadings, relaySafeState, minSwitchInterval,
                    null);
        }

        /** Holding the current relay state at a stop, with the default minimum switch interval. */
        public Options(Path stateFile, int relayPin, boolean relayActiveLow, int relayFeedbackPin, Duration interval, double startKwh,
                int outboxMaxReadings) {
            this(stateFile, relayPin, relayActiveLow, relayFeedbackPin, interval, startKwh, outboxMaxReadings, null,
                    RelayRules.DEFAULT_MIN_SWITCH_INTERVAL);
        }
    }

    private final PiMeter meter;
    private final EnergySource source;
    private final MeterConnection connection;
    private final Outbox outbox;
    private final boolean created;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bridge");
        t.setDaemon(true);
        return t;
    });

    private Bridge(PiMeter meter, EnergySource source, MeterConnection connection, Outbox outbox, boolean created) {
        this.meter = meter;
        this.source = source;
        this.connection = connection;
        this.outbox = outbox;
        this.created = created;
    }

    /**
     * Opens the state, enrols (when the options say so; before any pin or connection), opens the pins and the outbox,
     * connects (or keeps trying), and starts reading.
     *
     * @throws EnrolmentRefusedException when the portal refuses the meter, or a meter never enrolled cannot enrol: the
     *     bridge must not run (nothing was opened)
     */
    public static Bridge start(Context pi4j, ImsSettings settings, Options o, EnergySource source, Clock clock) throws Exception {
        boolean created = !Files.exists(o.stateFile());
        MeterState state;
        if (created) {
            Files.createDirectories(o.stateFile().toAbsolutePath().getParent());
            state = MeterState.newMeter(o.startKwh(), null);
            MeterStateFile.save(o.stateFile(), state);
        } else {
            MeterState loaded = MeterStateFile.load(o.stateFile());
            state = loaded.withClaimVerifier().withBrokerSecret();
            if (loaded.brokerSecret() == null) {
                MeterStateFile.save(o.stateFile(), state); // the new secret is on disk before it is ever used
            }
        }
        if (o.enrolment() != null) {
            MeterEnrolment.Outcome outcome = new MeterEnrolment(o.enrolment()).enrol(o.stateFile(), state);
            if (outcome.status() == MeterEnrolment.Status.NOT_ENROLLED) {
                MeterEnrolment.logNotEnrolled(java.util.List.of(state.meterId()), o.enrolment());
            }
        }
        // The relay goes straight to the state saved before the last switch: a supply switched OFF stays OFF
        // across a stop, a crash or a power cut. (A new meter, or a state file from before relays, starts ON.)
        if (state.relay() == null) {
            state = new MeterState(state.meterId(), state.claimCode(), state.claimVerifier(), state.nextSeq(), state.energyKwh(),
                    state.lastTs(), RelayState.ON, state.baseLoadW(), state.seed(), state.brokerSecret());
        }
        RelayOutput relay = new RelayOutput(pi4j, o.relayPin(), o.relayActiveLow(), o.relayFeedbackPin(), state.relay(), o.relaySafeState());
        PiMeter meter = new PiMeter(o.stateFile(), state, source, relay);
        Outbox outbox = Outbox.open(o.stateFile().resolveSibling(o.stateFile().getFileName() + ".outbox"), o.outboxMaxReadings());
        CommandVerifier verifier = CommandTrust.load(CommandTrust.keySetFile(o.commandKeys(), o.stateFile(), settings));
        MeterConnection connection = new MeterConnection(meter, state.credential(), settings, clock, CommandGuard.forStateFile(o.stateFile(), meter.meterId(),
                verifier, RelayRules.withMinSwitchInterval(o.minSwitchInterval())));
        connection.connect().whenComplete((v, e) -> {
            if (e != null) {
                LOG.warn("Broker not reachable yet ({}); readings are kept on disk and sent when it is", e.getMessage());
            }
        });
        connection.attach(outbox);
        Bridge bridge = new Bridge(meter, source, connection, outbox, created);
        long period = o.interval().toMillis();
        bridge.scheduler.scheduleAtFixedRate(() -> bridge.tick(clock), period, period, TimeUnit.MILLISECONDS);
        LOG.info("Bridge for meter {} started: {}, relay {} on GPIO {}{} ({} when the bridge stops), a reading every {} s", meter.meterId(),
                source, state.relay(), o.relayPin(), relay.hasFeedback() ? " with feedback on GPIO " + o.relayFeedbackPin() : " (no feedback input)",
                o.relaySafeState() == null ? "held" : o.relaySafeState() + "", o.interval().toSeconds());
        return bridge;
    }

    private void tick(Clock clock) {
        try {
            Reading r = meter.read(clock.instant());
            if (r != null) {
                connection.send(r);
            }
        } catch (RuntimeException e) {
            LOG.warn("Reading not taken: {}", e.toString());
        }
    }

    public PiMeter meter() {
        return meter;
    }

    /** Whether this start created the meter (its ID and claim code are new and should be shown). */
    public boolean created() {
        return created;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connection.close();
        outbox.close();
        source.close();
    }
}
