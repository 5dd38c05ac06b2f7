package dev.ims.agent;

import dev.ims.client.enrol.EnrolmentRefusedException;
import dev.ims.client.enrol.EnrolmentSettings;
import dev.ims.client.enrol.MeterEnrolment;
import dev.ims.client.meter.MeterState;
import dev.ims.client.meter.MeterStateFile;
import dev.ims.client.outbox.Outbox;
import dev.ims.agent.meter.SimulatedMeter;
import dev.ims.client.mqtt.MeterConnection;
import dev.ims.client.relay.CommandGuard;
import dev.ims.client.relay.CommandTrust;
import dev.ims.model.command.CommandVerifier;
import dev.ims.client.relay.RelayRules;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.PrivateFiles;
import dev.ims.model.reading.Reading;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Simulated meters in one process, each with its own MQTT connection. New meters first publish their
 * history (readings at a fixed step, ending now), then all publish live at the interval. Each meter's
 * state is saved to its file after every live reading, so a restarted fleet resumes the same meters.
 */
public final class Fleet implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);
    /** Unacknowledged history publishes at once, across the fleet: bounds memory and the broker's queue. */
    private static final int HISTORY_WINDOW = 500;
    /** Enrolments at once: a fleet of 20 enrols in about one round trip, a large one does not flood the portal. */
    private static final int ENROLMENT_THREADS = 16;

    /**
     * @param interval time between live readings
     * @param historyDays days of history a new meter publishes first (0: none)
     * @param historyStep spacing of history readings
     * @param faultRate probability that a reading reports a fault
     * @param outboxMaxReadings live readings each meter keeps on disk while the broker is unreachable (see
     *     {@link Outbox}: the oldest are dropped beyond it)
     * @param minSwitchInterval the least time between two switches of a meter's relay ({@link RelayRules})
     * @param commandKeys the key set whose signed relay commands the meters carry out ({@link CommandTrust}); null: each
     *     meter's enrolled key set (beside its state file) when it has one, else {@code {IMS_DATA_DIR}/keys/command-keys.json}
     * @param enrolment where and with which provisioning key every member enrols before it connects ({@link
     *     MeterEnrolment}); null: no enrolment, members connect with their own secret as they are
     */
    public record Options(Duration interval, int historyDays, Duration historyStep, double faultRate, int outboxMaxReadings,
            Duration minSwitchInterval, Path commandKeys, EnrolmentSettings enrolment) {
        public Options(Duration interval, int historyDays, Duration historyStep, double faultRate, int outboxMaxReadings,
                Duration minSwitchInterval, Path commandKeys) {
            this(interval, historyDays, historyStep, faultRate, outboxMaxReadings, minSwitchInterval, commandKeys, null);
        }

        public Options(Duration interval, int historyDays, Duration historyStep, double faultRate) {
            this(interval, historyDays, historyStep, faultRate, Outbox.DEFAULT_MAX_READINGS);
        }

        public Options(Duration interval, int historyDays, Duration historyStep, double faultRate, int outboxMaxReadings) {
            this(interval, historyDays, historyStep, faultRate, outboxMaxReadings, RelayRules.DEFAULT_MIN_SWITCH_INTERVAL);
        }

        public Options(Duration interval, int historyDays, Duration historyStep, double faultRate, int outboxMaxReadings,
                Duration minSwitchInterval) {
            this(interval, historyDays, historyStep, faultRate, outboxMaxReadings, minSwitchInterval, null);
        }

        /** These options with another minimum interval between relay switches. */
        public Options withMinSwitchInterval(Duration minSwitchInterval) {
            return new Options(interval, historyDays, historyStep, faultRate, outboxMaxReadings, minSwitchInterval, commandKeys, enrolment);
        }

        /** These options with another key-set file (null: the default under the data folder). */
        public Options withCommandKeys(Path commandKeys) {
            return new Options(interval, historyDays, historyStep, faultRate, outboxMaxReadings, minSwitchInterval, commandKeys, enrolment);
        }

        /** These options with every member enrolling at {@code portal} with the fleet's {@code provisioningKey} before it connects. */
        public Options withEnrolment(URI portal, String provisioningKey) {
            return withEnrolment(EnrolmentSettings.of(portal, provisioningKey));
        }

        /** These options with enrolment as {@code enrolment} says (null: none). */
        public Options withEnrolment(EnrolmentSettings enrolment) {
            return new Options(interval, historyDays, historyStep, faultRate, outboxMaxReadings, minSwitchInterval, commandKeys, enrolment);
        }

        public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
        public static final Duration DEFAULT_HISTORY_STEP = Duration.ofMinutes(15);
        public static final double DEFAULT_FAULT_RATE = 0.002;
    }

    /** A meter of the fleet: its state file, whether it was just created, and the simulation. */
    public record Member(Path stateFile, boolean isNew, SimulatedMeter meter) {}

    private final List<Member> members;
    private final List<MeterConnection> connections = new ArrayList<>();
    private final List<Outbox> outboxes = new ArrayList<>();
    /** How long {@link #start} waits for a meter's first connection before starting without it. */
    static final Duration FIRST_CONNECT = Duration.ofSeconds(10);
    private final Options options;
    private final Clock clock;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fleet");
        t.setDaemon(true);
        return t;
    });
    private final CompletableFuture<Void> historyDone = new CompletableFuture<>();
    private final java.util.concurrent.atomic.AtomicBoolean unheardHistory = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile BiConsumer<Long, Long> historyProgress = (done, total) -> {};

    private Fleet(List<Member> members, Options options, Clock clock) {
        this.members = members;
        this.options = options;
        this.clock = clock;
    }

    /** The meters under {@code dir}: those already there, plus new ones up to {@code size}. */
    public static List<Member> membersIn(Path dir, int size, ImsSettings settings, Options options, Clock clock) {
        List<Member> out = new ArrayList<>();
        try {
            // State files (claim codes) and outboxes (readings): the owner's only, an older version's included.
            PrivateFiles.createDirectories(dir);
            PrivateFiles.restrictTree(dir);
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(p -> p.toString().endsWith(".json") && !p.toString().endsWith(MeterEnrolment.COMMAND_KEYS_SUFFIX))
                        .sorted().limit(size)
                        .forEach(p -> out.add(existing(p, settings, options)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use fleet folder " + dir + ": " + e.getMessage(), e);
        }
        while (out.size() < size) {
            out.add(fresh(dir, settings, options, clock));
        }
        return out;
    }

    /** A meter resumed from its state file, as a real meter after a power cut. */
    public static Member existing(Path stateFile, ImsSettings settings, Options options) {
        MeterState loaded = MeterStateFile.load(stateFile);
        SimulatedMeter meter = new SimulatedMeter(loaded, settings.timeZone(), options.faultRate(), stateFile);
        if (loaded.brokerSecret() == null) {
            meter.persist(); // a state file from before identities: its new secret is on disk before it is ever used
        }
        return new Member(stateFile, false, meter);
    }

    /** A brand-new meter whose state file goes into {@code dir}; with history, its register starts in the past. */
    public static Member fresh(Path dir, ImsSettings settings, Options options, Clock clock) {
        Instant start = clock.instant().minus(Duration.ofDays(options.historyDays()));
        MeterState state = MeterState.newMeter(1000 + Math.random() * 9000, options.historyDays() > 0 ? start : null);
        Path file = dir.resolve(state.meterId() + ".json");
        MeterStateFile.save(file, state);
        return new Member(file, true, new SimulatedMeter(state, settings.timeZone(), options.faultRate(), file));
    }

    /**
     * Enrols every meter when the options say so ({@link #enrol}, in the background), connects them (completing when
     * all are connected the first time), then publishes the new meters' history in the background and starts the live
     * readings after it. Fails with {@link EnrolmentRefusedException} when no meter may run.
     */
    public static CompletableFuture<Fleet> start(List<Member> members, ImsSettings settings, Options options, Clock clock,
            BiConsumer<Long, Long> historyProgress) {
        if (options.enrolment() == null) {
            return connect(members, settings, options, clock, historyProgress);
        }
        return CompletableFuture.supplyAsync(() -> enrol(members, options.enrolment()), r -> {
            Thread t = new Thread(r, "fleet-enrolment");
            t.setDaemon(true);
            t.start();
        }).thenCompose(running -> connect(running, settings, options, clock, historyProgress));
    }

    /**
     * Enrols the members in parallel ({@link MeterEnrolment}; an unreachable portal is retried until one deadline for
     * all) and answers those that may run. A member the portal refuses for good (409, 410), or one never enrolled
     * that could not enrol, is left out with an ERROR line saying what to do; a meter without a provisioning key
     * connects anyway (one line for all of them says how to enrol).
     *
     * @throws EnrolmentRefusedException the first refusal, when no member may run
     */
    public static List<Member> enrol(List<Member> members, EnrolmentSettings enrolment) {
        if (members.isEmpty()) {
            return members;
        }
        MeterEnrolment procedure = new MeterEnrolment(enrolment);
        Instant deadline = Instant.now().plus(enrolment.retryFor());
        int threads = Math.min(members.size(), ENROLMENT_THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "meter-enrolment");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<MeterEnrolment.Outcome>> outcomes = new ArrayList<>();
            for (Member m : members) {
                outcomes.add(pool.submit(() -> procedure.enrol(m.stateFile(), m.meter().state(), deadline)));
            }
            List<Member> running = new ArrayList<>();
            List<String> notEnrolled = new ArrayList<>();
            List<EnrolmentRefusedException> refused = new ArrayList<>();
            int enrolled = 0;
            for (int i = 0; i < members.size(); i++) {
                Member m = members.get(i);
                try {
                    MeterEnrolment.Outcome o = outcomes.get(i).get();
                    running.add(m);
                    if (o.status() == MeterEnrolment.Status.NOT_ENROLLED) {
                        notEnrolled.add(m.meter().meterId());
                    } else if (o.status() == MeterEnrolment.Status.ENROLLED || o.status() == MeterEnrolment.Status.CONFIRMED) {
                        enrolled++;
                    }
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof EnrolmentRefusedException r) {
                        refused.add(r);
                    } else if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    } else {
                        throw new IllegalStateException(e.getCause());
                    }
                }
            }
            MeterEnrolment.logNotEnrolled(notEnrolled, enrolment);
            // Each refusal in one ERROR line; when no meter may run, the first is thrown instead (the CLI prints it).
            boolean none = running.isEmpty() && !refused.isEmpty();
            refused.stream().skip(none ? 1 : 0).forEach(r -> LOG.error("{}", r.getMessage()));
            if (none) {
                throw refused.get(0);
            }
            if (members.size() > 1) {
                LOG.info("Enrolment at {}: {} of {} meter(s) enrolled, {} left out", enrolment.portalUrl(), enrolled, members.size(),
                        members.size() - running.size());
            }
            return running;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while enrolling the fleet", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static CompletableFuture<Fleet> connect(List<Member> members, ImsSettings settings, Options options, Clock clock,
            BiConsumer<Long, Long> historyProgress) {
        Fleet fleet = new Fleet(members, options, clock);
        if (historyProgress != null) {
            fleet.historyProgress = historyProgress;
        }
        List<CompletableFuture<Void>> connected = new ArrayList<>();
        // One verifier per distinct key set (thread-safe, shared): one log line (or warning) per key set, not per meter.
        Map<String, CommandVerifier> verifiers = new HashMap<>();
        for (Member m : members) {
            CommandVerifier verifier = verifier(CommandTrust.keySetFile(options.commandKeys(), m.stateFile(), settings), verifiers);
            MeterConnection c = new MeterConnection(m.meter(), m.meter().state().credential(), settings, clock, CommandGuard.forStateFile(m.stateFile(), m.meter().meterId(),
                    verifier, RelayRules.withMinSwitchInterval(options.minSwitchInterval())));
            Outbox outbox = Outbox.open(m.stateFile().resolveSibling(m.stateFile().getFileName() + ".outbox"), options.outboxMaxReadings());
            fleet.outboxes.add(outbox);
            c.attach(outbox);
            fleet.connections.add(c);
            // With an outbox the meter measures on while the broker is unreachable: a failed first connect is
            // retried by the client's automatic reconnect, and the fleet starts anyway.
            // (The client's first connect keeps retrying rather than failing: after FIRST_CONNECT the fleet
            // starts without it.)
            connected.add(c.connect().thenApply(v -> true).completeOnTimeout(false, FIRST_CONNECT.toSeconds(), TimeUnit.SECONDS)
                    .exceptionally(e -> false).thenAccept(ok -> {
                        if (!ok) {
                            LOG.warn("Meter {} cannot reach the broker yet; it keeps measuring and will deliver later", m.meter().meterId());
                        }
                    }));
        }
        return CompletableFuture.allOf(connected.toArray(CompletableFuture[]::new)).thenApply(v -> {
            fleet.scheduler.execute(fleet::publishHistory);
            return fleet;
        });
    }

    /** The verifier of the key set in {@code file}, shared by every member whose file has the same content. */
    private static CommandVerifier verifier(Path file, Map<String, CommandVerifier> byContent) {
        String content;
        try {
            content = Files.exists(file) ? Files.readString(file) : "(none)";
        } catch (IOException e) {
            content = "(unreadable) " + file; // CommandTrust.load names the problem
        }
        return byContent.computeIfAbsent(content, c -> CommandTrust.load(file));
    }

    public List<String> meterIds() {
        return members.stream().map(m -> m.meter().meterId()).toList();
    }

    public List<Member> members() {
        return members;
    }

    /** Completes when every new meter's history has been acknowledged by the broker. */
    public CompletableFuture<Void> historyDone() {
        return historyDone;
    }

    /**
     * One history reading on backlog; published again (after a pause growing to 10 s) while the broker answers that it
     * had no subscriber for it, since such a reading reached nobody. Other failures are the client's to report.
     */
    private void publishHistory(MeterConnection connection, Reading r, int attempt, Runnable finished) {
        connection.publishBacklog(r).whenComplete((res, err) -> {
            Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
            if (cause instanceof dev.ims.client.mqtt.NoSubscriberException && !scheduler.isShutdown()) {
                if (attempt == 1 && unheardHistory.compareAndSet(false, true)) {
                    LOG.warn("The broker has no subscriber for the fleet's history yet (no ingest subscribed); sending it again until one has");
                }
                // Not on the fleet's scheduler: its thread is the one waiting for the window.
                CompletableFuture.delayedExecutor(Math.min(10_000, 250L << Math.min(attempt, 6)), TimeUnit.MILLISECONDS)
                        .execute(() -> publishHistory(connection, r, attempt + 1, finished));
                return;
            }
            finished.run();
        });
    }

    private void publishHistory() {
        Instant now = clock.instant();
        List<Integer> fresh = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i).isNew() && options.historyDays() > 0) {
                fresh.add(i);
            }
        }
        long steps = Duration.ofDays(options.historyDays()).dividedBy(options.historyStep());
        long total = steps * fresh.size();
        if (total > 0) {
            LOG.info("Publishing {} days of history for {} new meter(s): {} readings", options.historyDays(), fresh.size(), total);
        }
        Semaphore window = new Semaphore(HISTORY_WINDOW);
        long[] done = {0};
        long lastReport = 0;
        try {
            Instant start = now.minus(Duration.ofDays(options.historyDays()));
            for (long s = 1; s <= steps; s++) {
                Instant t = start.plus(options.historyStep().multipliedBy(s));
                for (int i : fresh) {
                    window.acquire();
                    Reading r = members.get(i).meter().read(t);
                    // History is not live: on backlog, so that the ingest serves it beside the live readings, not before them.
                    publishHistory(connections.get(i), r, 1, () -> {
                        window.release();
                        synchronized (done) {
                            done[0]++;
                        }
                    });
                }
                if (System.nanoTime() - lastReport > 500_000_000L || s == steps) {
                    lastReport = System.nanoTime();
                    long d;
                    synchronized (done) {
                        d = done[0];
                    }
                    historyProgress.accept(d, total);
                }
            }
            window.acquire(HISTORY_WINDOW);
            window.release(HISTORY_WINDOW);
            historyProgress.accept(total, total);
            for (int i : fresh) {
                members.get(i).meter().persist();
            }
            if (total > 0) {
                LOG.info("History published: {} readings", total);
            }
            historyDone.complete(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            historyDone.completeExceptionally(e);
            return;
        } catch (RuntimeException e) {
            LOG.error("History publishing failed: {}", e.toString());
            historyDone.completeExceptionally(e);
        }
        scheduler.scheduleAtFixedRate(this::tick, 0, options.interval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tick() {
        Instant now = clock.instant();
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            try {
                // State first, then the outbox: a crash in between skips a seq (a gap the portal shows),
                // never reuses one.
                Reading r = m.meter().read(now);
                m.meter().persist();
                connections.get(i).send(r);
            } catch (RuntimeException e) {
                LOG.warn("Meter {} could not publish: {}", m.meter().meterId(), e.toString());
            }
        }
    }

    /** Stops publishing, saves every meter's state, publishes OFFLINE and disconnects. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Member m : members) {
            m.meter().persist();
        }
        connections.parallelStream().forEach(MeterConnection::close);
        outboxes.forEach(Outbox::close);
    }
}
