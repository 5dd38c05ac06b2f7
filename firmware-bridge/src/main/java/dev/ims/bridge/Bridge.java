package dev.ims.bridge;

import com.pi4j.context.Context;
import dev.ims.client.circuit.ScheduleRunner;
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
import dev.ims.bridge.homeassistant.HaDiscovery;
import dev.ims.bridge.homeassistant.HaMirror;
import dev.ims.bridge.homeassistant.HaMirrorSettings;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RelayState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
     * @param monitoring how the source's silence is judged and reported; null: {@link Monitoring#defaults(Duration)}
     * @param circuits the circuits ({@link CircuitsFile}), empty for none; null: none
     * @param scheduleTick how often the circuits' schedules are evaluated; null: {@link ScheduleRunner#DEFAULT_TICK}
     * @param homeAssistant where the readings are mirrored for Home Assistant ({@link HaMirror}); null: nowhere
     */
    public record Options(Path stateFile, int relayPin, boolean relayActiveLow, int relayFeedbackPin, Duration interval, double startKwh,
            int outboxMaxReadings, RelayState relaySafeState, Duration minSwitchInterval, Path commandKeys, EnrolmentSettings enrolment,
            Monitoring monitoring, List<CircuitSpec> circuits, Duration scheduleTick, HaMirrorSettings homeAssistant) {

        public Options {
            circuits = circuits == null ? List.of() : List.copyOf(circuits);
            scheduleTick = scheduleTick == null ? ScheduleRunner.DEFAULT_TICK : scheduleTick;
        }

        /** Without circuits. */
        public Options(Path stateFile, int relayPin, boolean relayActiveLow, int relayFeedbackPin, Duration interval, double startKwh,
                int outboxMaxReadings, RelayState relaySafeState, Duration minSwitchInterval, Path commandKeys, EnrolmentSettings enrolment,
                Monitoring monitoring) {
            this(stateFile, relayPin, relayActiveLow, relayFeedbackPin, interval, startKwh, outboxMaxReadings, relaySafeState, minSwitchInterval,
                    commandKeys, enrolment, monitoring, null, null, null);
        }

        /** These options with {@code circuits}, their schedules evaluated every {@code scheduleTick} (null: the default). */
        public Options withCircuits(List<CircuitSpec> circuits, Duration scheduleTick) {
            return new Options(stateFile, relayPin, relayActiveLow, relayFeedbackPin, interval, startKwh, outboxMaxReadings, relaySafeState,
                    minSwitchInterval, commandKeys, enrolment, monitoring, circuits, scheduleTick, homeAssistant);
        }

        /** These options with the readings mirrored to a Home Assistant broker as {@code homeAssistant} says (null: not). */
        public Options withHomeAssistant(HaMirrorSettings homeAssistant) {
            return new Options(stateFile, relayPin, relayActiveLow, relayFeedbackPin, interval, startKwh, outboxMaxReadings, relaySafeState,
                    minSwitchInterval, commandKeys, enrolment, monitoring, circuits, scheduleTick, homeAssistant);
        }

        /** Without enrolment. */
        public Options(Path stateFile, int relayPin, boolean relayActiveLow, int relayFeedbackPin, Duration interval, double startKwh,
                int outboxMaxReadings, RelayState relaySafeState, Duration minSwitchInterval, Path commandKeys) {
            this(stateFile, relayPin, relayActiveLow, relayFeedbackPin, interval, startKwh, outboxMaxReadings, relaySafeState, minSwitchInterval,
                    commandKeys, null, null);
        }

        /** These options with enrolment as {@code enrolment} says (null: none). */
        public Options withEnrolment(EnrolmentSettings enrolment) {
            return new Options(stateFile, relayPin, relayActiveLow, relayFeedbackPin, interval, startKwh, outboxMaxReadings, relaySafeState,
                    minSwitchInterval, commandKeys, enrolment, monitoring, circuits, scheduleTick, homeAssistant);
        }

        /** These options with the source watched as {@code monitoring} says. */
        public Options withMonitoring(Monitoring monitoring) {
            return new Options(stateFile, relayPin, relayActiveLow, relayFeedbackPin, interval, startKwh, outboxMaxReadings, relaySafeState,
                    minSwitchInterval, commandKeys, enrolment, monitoring, circuits, scheduleTick, homeAssistant);
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

    /**
     * How the bridge watches its source ({@link SourceWatch}) and reports it.
     *
     * @param silentAfter no data for this long makes the source SILENT (logged, in the status message, on /metrics)
     * @param exitAfterSilence silence for this long makes the bridge exit with {@link #EXIT_SOURCE_SILENT}; zero: never
     * @param reportEvery how often the status message is republished with fresh counters (besides every change)
     * @param metricsBind the address of the /metrics endpoint
     * @param metricsPort its port; 0: no endpoint
     */
    public record Monitoring(Duration silentAfter, Duration exitAfterSilence, Duration reportEvery, String metricsBind, int metricsPort) {

        public static final Duration DEFAULT_REPORT_EVERY = Duration.ofMinutes(5);

        /** Silent after three missed readings (at least a minute), exit after 10 min of silence, a report every 5 min, no endpoint. */
        public static Monitoring defaults(Duration interval) {
            SourceWatch.Limits l = SourceWatch.Limits.forInterval(interval);
            return new Monitoring(l.silentAfter(), l.exitAfter(), DEFAULT_REPORT_EVERY, "127.0.0.1", 0);
        }
    }

    /** The exit code when the source has given nothing for {@link Monitoring#exitAfterSilence()}. */
    public static final int EXIT_SOURCE_SILENT = 4;

    private final PiMeter meter;
    /** The meter's source, its counters joined by the circuits' ({@code circuit.<id>.failures}). */
    private final EnergySource source;
    private final PiCircuits circuits;
    private final MeterConnection connection;
    private final Outbox outbox;
    private final boolean created;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bridge");
        t.setDaemon(true);
        return t;
    });

    private final SourceWatch watch;
    private final java.util.concurrent.atomic.AtomicLong readingsTaken = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.CompletableFuture<Integer> exit = new java.util.concurrent.CompletableFuture<>();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile BridgeMetrics metrics;
    /** The Home Assistant mirror, or null without one. */
    private volatile HaMirror homeAssistant;

    private Bridge(PiMeter meter, EnergySource source, PiCircuits circuits, MeterConnection connection, Outbox outbox, boolean created,
            SourceWatch.Limits limits) {
        this.meter = meter;
        this.source = source;
        this.circuits = circuits;
        this.connection = connection;
        this.outbox = outbox;
        this.created = created;
        this.watch = new SourceWatch(source, limits, this::bridgeCounters);
    }

    /** The bridge's own counters in the status message, beside the source's. */
    private java.util.Map<String, Long> bridgeCounters() {
        return java.util.Map.of("bridge.readings", readingsTaken.get(), "bridge.registers.refused", meter.refusedRegisters(),
                "bridge.outbox.pending", (long) outbox.size());
    }

    /**
     * Opens the state, enrols (when the options say so; before any pin or connection), opens the pins and the outbox,
     * connects (or keeps trying), and starts reading.
     *
     * @throws EnrolmentRefusedException when the portal refuses the meter, or a meter never enrolled cannot enrol: the
     *     bridge must not run (nothing was opened)
     */
    public static Bridge start(Context pi4j, ImsSettings settings, Options o, EnergySource source, Clock clock) throws Exception {
        return start(pi4j, settings, o, source, Map.of(), clock);
    }

    /**
     * As above, with the circuits {@link Options#circuits()} names, each measured by its source in {@code circuitSources}
     * (by circuit id): their relays are driven to the state saved before their last switch (new circuits: ON; critical
     * ones: always ON), after that state is on disk.
     */
    public static Bridge start(Context pi4j, ImsSettings settings, Options o, EnergySource source, Map<String, EnergySource> circuitSources,
            Clock clock) throws Exception {
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
        // Circuits likewise, each relay at the state saved before its last switch; the file reflects the circuits file first.
        Map<String, dev.ims.client.circuit.CircuitState> circuitState = PiCircuits.initialState(o.circuits(), state.circuits());
        if (!circuitState.equals(state.circuits())) {
            state = state.withCircuits(circuitState);
            MeterStateFile.save(o.stateFile(), state);
        }
        PiCircuits circuits = o.circuits().isEmpty() ? PiCircuits.none() : new PiCircuits(pi4j, o.circuits(), circuitSources, state.circuits());
        PiMeter meter = new PiMeter(o.stateFile(), state, source, relay, circuits);
        Outbox outbox = Outbox.open(o.stateFile().resolveSibling(o.stateFile().getFileName() + ".outbox"), o.outboxMaxReadings());
        CommandVerifier verifier = CommandTrust.load(CommandTrust.keySetFile(o.commandKeys(), o.stateFile(), settings));
        MeterConnection connection = new MeterConnection(meter, state.credential(), settings, clock, CommandGuard.forStateFile(o.stateFile(), meter.meterId(),
                verifier, RelayRules.withMinSwitchInterval(o.minSwitchInterval())), o.scheduleTick());
        connection.connect().whenComplete((v, e) -> {
            if (e != null) {
                LOG.warn("Broker not reachable yet ({}); readings are kept on disk and sent when it is", e.getMessage());
            }
        });
        connection.attach(outbox);
        Monitoring m = o.monitoring() != null ? o.monitoring() : Monitoring.defaults(o.interval());
        Bridge bridge = new Bridge(meter, withCircuitCounters(source, meter), circuits, connection, outbox, created,
                new SourceWatch.Limits(m.silentAfter(), m.exitAfterSilence()));
        connection.reportSource(() -> bridge.watch.report(clock.instant()));
        if (o.homeAssistant() != null) {
            HaMirrorSettings ha = o.homeAssistant();
            bridge.homeAssistant = HaMirror.start(ha, new HaDiscovery(meter.meterId(), "IMS firmware-bridge (" + kind(source) + ")", version(),
                    ha.discoveryPrefix(), ha.statePrefix()));
        }
        if (m.metricsPort() > 0) {
            bridge.metrics = new BridgeMetrics(m.metricsBind(), m.metricsPort(), bridge, bridge.source, bridge.watch);
            LOG.info("Bridge metrics on http://{}:{}/metrics", m.metricsBind(), bridge.metrics.port());
        }
        long period = o.interval().toMillis();
        bridge.scheduler.scheduleAtFixedRate(() -> bridge.tick(clock), period, period, TimeUnit.MILLISECONDS);
        // The source is looked at more often than readings are taken when readings are rare, so that silence is seen in time.
        long watchPeriod = Math.min(period, 5_000);
        bridge.scheduler.scheduleWithFixedDelay(() -> bridge.watchSource(clock), watchPeriod, watchPeriod, TimeUnit.MILLISECONDS);
        long every = m.reportEvery().toMillis();
        if (every > 0) {
            bridge.scheduler.scheduleAtFixedRate(connection::republishStatus, every, every, TimeUnit.MILLISECONDS);
        }
        LOG.info("Bridge for meter {} started: {}, relay {} on GPIO {}{} ({} when the bridge stops), a reading every {} s", meter.meterId(),
                source, state.relay(), o.relayPin(), relay.hasFeedback() ? " with feedback on GPIO " + o.relayFeedbackPin() : " (no feedback input)",
                o.relaySafeState() == null ? "held" : o.relaySafeState() + "", o.interval().toSeconds());
        if (!circuits.isEmpty()) {
            LOG.info("Meter {} circuits: {}", meter.meterId(), circuits.describe());
        }
        return bridge;
    }

    private void tick(Clock clock) {
        try {
            Reading r = meter.read(clock.instant());
            if (r != null) {
                readingsTaken.incrementAndGet();
                connection.send(r);
                HaMirror mirror = homeAssistant;
                if (mirror != null) {
                    mirror.offer(r); // never blocks: the utility connection is not held up by the home broker
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Reading not taken: {}", e.toString());
        }
    }

    private void watchSource(Clock clock) {
        try {
            switch (watch.check(clock.instant())) {
                case CHANGED -> connection.republishStatus();
                case EXIT -> {
                    connection.republishStatus();
                    exit.complete(EXIT_SOURCE_SILENT);
                }
                case SAME -> { }
            }
        } catch (RuntimeException e) {
            LOG.warn("Source not checked: {}", e.toString());
        }
    }

    /**
     * Completes with an exit code when the bridge should stop on its own ({@link #EXIT_SOURCE_SILENT}): the caller closes
     * it and exits with that code, so that the service manager starts it again.
     */
    public java.util.concurrent.CompletableFuture<Integer> exitRequested() {
        return exit;
    }

    long readingsTaken() {
        return readingsTaken.get();
    }

    int outboxPending() {
        return outbox.size();
    }

    SourceWatch watch() {
        return watch;
    }

    /** The Home Assistant mirror, or null without one. */
    public HaMirror homeAssistant() {
        return homeAssistant;
    }

    /** The bridge's version from its jar's manifest, or {@code development} when run from classes. */
    static String version() {
        String v = Bridge.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    /** S0, P1, Modbus … from the source's class: what Home Assistant shows in the device's model. */
    private static String kind(EnergySource source) {
        String name = source.getClass().getSimpleName();
        return name.endsWith("Source") && name.length() > "Source".length() ? name.substring(0, name.length() - "Source".length()) : "meter";
    }

    /** The port of the /metrics endpoint, or 0 without one. */
    public int metricsPort() {
        BridgeMetrics m = metrics;
        return m == null ? 0 : m.port();
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
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (metrics != null) {
            metrics.close();
        }
        scheduler.shutdownNow();
        if (homeAssistant != null) {
            homeAssistant.close();
        }
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connection.close();
        outbox.close();
        circuits.close();
        source.close();
    }

    /** {@code source} as it is, with the circuits' counters after its own (what the status and /metrics report). */
    private static EnergySource withCircuitCounters(EnergySource source, PiMeter meter) {
        if (meter.circuits().isEmpty()) {
            return source;
        }
        return new EnergySource() {
            @Override
            public Measurement measure(java.time.Instant now, double lastKwh, java.time.Instant lastTs) {
                return source.measure(now, lastKwh, lastTs);
            }

            @Override
            public java.time.Instant lastData() {
                return source.lastData();
            }

            @Override
            public Map<String, Long> counters() {
                Map<String, Long> c = new LinkedHashMap<>(source.counters());
                meter.circuitCounters().forEach(c::putIfAbsent);
                return c;
            }

            @Override
            public void close() {
                source.close();
            }

            @Override
            public String toString() {
                return source.toString();
            }
        };
    }
}
