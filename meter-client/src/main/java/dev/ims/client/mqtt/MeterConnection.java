package dev.ims.client.mqtt;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5WillPublish;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientReconnector;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import dev.ims.client.meter.MeterDevice;
import dev.ims.client.circuit.CircuitDevice;
import dev.ims.client.circuit.ScheduleRunner;
import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.command.CircuitCommand;
import dev.ims.model.command.CommandAck;
import dev.ims.model.command.MeterCommand;
import dev.ims.model.command.RelayCommand;
import dev.ims.model.command.ScheduleCommand;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.MqttEndpoint;
import dev.ims.model.security.Credential;
import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.reading.RelayState;
import dev.ims.model.status.ConnectionState;
import dev.ims.model.status.SourceHealth;
import dev.ims.model.status.StatusMessage;
import dev.ims.client.outbox.Outbox;
import dev.ims.client.relay.CommandGuard;
import dev.ims.client.relay.Refusal;
import dev.ims.model.log.LogSafe;
import java.util.ArrayList;
import java.util.List;
import dev.ims.model.topic.Topics;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One meter's connection; the client ID is the meter ID. After every (re)connect it publishes its
 * retained ONLINE birth and subscribes to its command topic; the broker publishes the retained OFFLINE
 * last will when the connection is lost. The client reconnects by itself with capped exponential
 * backoff and queues publishes meanwhile.
 *
 * <p>Relay commands pass the meter's {@link CommandGuard} (signed for this meter by a trusted key and not
 * expired, validity window, no replayed ID, minimum switch interval); a refused one is answered {@code ok:false} with the reason in {@code error} and logged in one
 * line. A command carried out is acknowledged only after the new relay state and the command's ID are on
 * disk.
 *
 * <p>A meter whose device is also a {@link CircuitDevice} carries out CIRCUIT and SCHEDULE commands for its circuits
 * (contract "added with circuits"): the same signature, expiry and replay rules ({@link CommandGuard#admit}), then the
 * circuit's own (refused {@code unknown-circuit:}, {@code critical:}, {@code not-switchable:}, {@code bad-schedule:},
 * {@code too-soon:} within the circuit's own minimum switch interval); its schedules run in a {@link ScheduleRunner}
 * kept beside the state file. A meter without circuits refuses them {@code unknown-circuit:}. The supply relay is never
 * touched by them.
 */
public final class MeterConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MeterConnection.class);
    private static final ReadingCodec CODEC = new ReadingCodec();

    private final MeterDevice meter;
    private final Topics topics;
    private final Clock clock;
    private final Mqtt5AsyncClient client;
    private final CommandGuard guard;
    /** The circuits' schedules; null when the meter has no circuits. */
    private final ScheduleRunner schedules;
    static final int OUTBOX_WINDOW = 100;
    /** First and longest pause before readings the broker had no subscriber for are sent again (ms). */
    static final long UNHEARD_FIRST_RETRY = 500;
    static final long UNHEARD_MAX_RETRY = 10_000;
    private long unheardRetry = UNHEARD_FIRST_RETRY;
    private volatile Instant unheardSince;
    private boolean retryScheduled;
    /**
     * The oldest a reading may be and still go out as live ({@code reading}); an older one goes on {@code backlog}.
     * Wide enough for a slow interval (a meter read every 15 minutes) and a short reconnect; readings queued in an
     * outage are normally caught by the other rule (only the newest pending reading is live).
     */
    public static final java.time.Duration LIVE_AGE = java.time.Duration.ofMinutes(20);
    /**
     * Commands are carried out here, not on the MQTT client's event loop: they write and force files. One
     * thread for the whole process, since commands are rare and each meter's must run in order. The circuits'
     * schedules are evaluated on it too, so that a command and a schedule never switch a circuit at once.
     */
    private static final ScheduledExecutorService COMMANDS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "meter-commands");
        t.setDaemon(true);
        return t;
    });
    private volatile Outbox outbox;
    private volatile java.util.function.Supplier<SourceHealth> sourceReport;
    private volatile boolean connected;
    /** When the current connection attempt started: its birth is dated so, its will 1 ms later. */
    private volatile Instant sessionTs;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicBoolean refusalLogged = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.Set<Long> inFlight = new java.util.HashSet<>();
    /**
     * Set when the broker refused a {@code backlog} publish (a Mosquitto account made before the topic existed): from
     * then on this connection sends its backlog on {@code reading}, as meters did before.
     */
    private final java.util.concurrent.atomic.AtomicBoolean backlogRefused = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * @param credential the meter's own broker credential (username = meter ID), from its enrolment
     * @param guard the meter's command rules and journal; closed with this connection
     */
    public MeterConnection(MeterDevice meter, Credential credential, ImsSettings settings, Clock clock, CommandGuard guard) {
        this(meter, credential, settings, clock, guard, ScheduleRunner.DEFAULT_TICK);
    }

    /**
     * @param scheduleTick how often the circuits' schedules are evaluated (a meter with circuits only)
     */
    public MeterConnection(MeterDevice meter, Credential credential, ImsSettings settings, Clock clock, CommandGuard guard,
            java.time.Duration scheduleTick) {
        this.meter = meter;
        this.guard = guard;
        this.topics = new Topics(settings.topicPrefix());
        this.clock = clock;
        MqttEndpoint endpoint = settings.mqttEndpoint().orElseThrow(() -> new IllegalStateException("MQTT_URL is not set"));
        if (!credential.username().equals(meter.meterId())) {
            throw new IllegalArgumentException("meter " + meter.meterId() + " cannot connect as " + credential.username());
        }
        Mqtt5ClientBuilder builder = MqttClients.builder(settings, endpoint, credential, java.time.Duration.ofSeconds(1),
                        java.time.Duration.ofSeconds(30), () -> closed)
                .addConnectedListener(c -> onConnected())
                .addDisconnectedListener(c -> {
                    connected = false;
                    if (!closed) {
                        logIfRefused(c.getCause());
                        // The next attempt carries a will dated after the birth it will publish (see connect()).
                        Instant next = clock.instant();
                        sessionTs = next;
                        ((Mqtt5ClientReconnector) c.getReconnector()).connectWith().willPublish(will(next)).applyConnect();
                    }
                });
        this.client = builder.buildAsync();
        if (meter instanceof CircuitDevice circuits) {
            // Started before any connection: schedules run on the meter whether or not the network is up.
            schedules = new ScheduleRunner(meter.meterId(), circuits, guard.stateFile() == null ? null : ScheduleRunner.besides(guard.stateFile()),
                    guard.rules().minSwitchInterval(), clock);
            schedules.start(COMMANDS, scheduleTick);
        } else {
            schedules = null;
        }
        client.publishes(MqttGlobalPublishFilter.SUBSCRIBED, this::onCommand, COMMANDS);
    }

    /** The circuits' schedule runner; null when the meter has no circuits. */
    public ScheduleRunner schedules() {
        return schedules;
    }

    /**
     * One ERROR line, the first time the broker refuses this meter's credential (its CONNACK says bad username or
     * password, or not authorised): the meter is not registered there, or not with this secret. The client keeps
     * retrying (an operator may register it meanwhile).
     */
    private void logIfRefused(Throwable cause) {
        if (cause instanceof Mqtt5ConnAckException e) {
            Mqtt5ConnAckReasonCode code = e.getMqttMessage().getReasonCode();
            if ((code == Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD || code == Mqtt5ConnAckReasonCode.NOT_AUTHORIZED
                    || code == Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID) && refusalLogged.compareAndSet(false, true)) {
                LOG.error("Meter {} was refused by the broker ({}): its credential (username {} and the secret in its state file) is not "
                        + "registered there. Enrol the meter with the portal (IMS_PROVISIONING_KEY or --provisioning-key-file, "
                        + "--portal-url), or have an operator register it; it keeps trying", meter.meterId(), code, meter.meterId());
            }
        }
    }

    /**
     * Completes when connected the first time; fails when the broker refuses or cannot be reached.
     *
     * <p>The last will (retained OFFLINE) is dated 1 ms after the birth (retained ONLINE) of the same connection: the
     * ingest keeps the newest status by its {@code ts}, so a will dated at CONNECT, before the birth, would be ignored
     * and a meter whose connection is lost (or closed by the broker, e.g. when it is decommissioned) would stay ONLINE.
     * Each reconnect dates both anew.
     */
    public CompletableFuture<Void> connect() {
        Instant ts = clock.instant();
        sessionTs = ts;
        return client.connectWith()
                .cleanStart(true)
                .willPublish(will(ts))
                .send()
                .thenApply(ack -> null);
    }

    private Mqtt5WillPublish will(Instant sessionStart) {
        return Mqtt5Publish.builder()
                .topic(topics.status(meter.meterId()))
                .qos(MqttQos.AT_LEAST_ONCE)
                .retain(true)
                .payload(StatusMessage.of(meter.meterId(), ConnectionState.OFFLINE, sessionStart.plusMillis(1)).encode())
                .asWill()
                .build();
    }

    private void onConnected() {
        if (closed) {
            client.disconnect();
            return;
        }
        synchronized (this) {
            connected = true;
            inFlight.clear();
        }
        pump();
        publishBirth();
        client.subscribeWith().topicFilter(topics.command(meter.meterId())).qos(MqttQos.AT_LEAST_ONCE).send();
    }

    /** The retained ONLINE status, dated as this connection's start (its will is dated 1 ms later), with the source report. */
    private void publishBirth() {
        StatusMessage birth = StatusMessage.of(meter.meterId(), ConnectionState.ONLINE, sessionTs != null ? sessionTs : clock.instant());
        java.util.function.Supplier<SourceHealth> report = sourceReport;
        if (report != null) {
            try {
                birth = birth.withSource(report.get());
            } catch (RuntimeException e) {
                LOG.debug("Source report left out of the status: {}", e.toString());
            }
        }
        if (meter instanceof dev.ims.client.circuit.CircuitDevice circuits) {
            birth = birth.withCircuits(circuits.circuits()); // contract "added with circuits": the descriptions
        }
        client.publishWith()
                .topic(topics.status(meter.meterId()))
                .qos(MqttQos.AT_LEAST_ONCE)
                .retain(true)
                .payload(birth.encode())
                .send();
    }

    /**
     * What the meter's status messages say about its measurement source (a bridge's P1 port or Modbus meter) from now
     * on; {@link #republishStatus()} sends a change at once.
     */
    public void reportSource(java.util.function.Supplier<SourceHealth> report) {
        this.sourceReport = report;
    }

    /**
     * Publishes the retained ONLINE status again with the current source report. It keeps the date of this connection's
     * birth, so that the ingest still takes the connection's last will (dated 1 ms after the birth) as newer: the report
     * itself is ordered by its own {@link SourceHealth#at()}. Nothing while disconnected (the next birth carries it).
     */
    public void republishStatus() {
        if (connected && !closed) {
            publishBirth();
        }
    }

    /**
     * Store-and-forward from now on: {@link #send} keeps readings in {@code outbox} until their PUBACK and
     * delivers them whenever connected: the newest, when it is live, at once on {@code reading}; the others (an
     * outage's queue) oldest first on {@code backlog}, at most {@value #OUTBOX_WINDOW} in flight.
     */
    public void attach(Outbox outbox) {
        this.outbox = outbox;
        pump();
    }

    /** Through the outbox: on disk first, then published when connected (now, or after a reconnect). */
    public void send(Reading reading) {
        outbox.append(reading);
        pump();
    }

    /**
     * Publishes the outbox's readings not yet in flight. The newest pending reading, when measured within
     * {@link #LIVE_AGE}, is live: published on {@code reading} at once, beside the window, so that it never waits
     * behind the drain of an outage. Every other one is backlog: published oldest first on {@code backlog}, which the
     * ingest serves through an in-flight window of its own. After a reconnect everything not acknowledged is sent
     * again (a duplicate is stored once: seq identifies a reading, whichever topic it came on).
     */
    private void pump() {
        Outbox o = outbox;
        if (o == null) {
            return;
        }
        Reading live = null;
        List<Reading> backlog = new ArrayList<>();
        synchronized (this) {
            if (!connected) {
                return;
            }
            List<Reading> pending = o.pending();
            Reading newest = pending.isEmpty() ? null : pending.get(pending.size() - 1);
            boolean newestLive = newest != null && !newest.ts().isBefore(clock.instant().minus(LIVE_AGE));
            if (newestLive && inFlight.add(newest.seq())) {
                live = newest;
            }
            int window = newestLive ? OUTBOX_WINDOW + 1 : OUTBOX_WINDOW;
            for (int i = 0; i < (newestLive ? pending.size() - 1 : pending.size()); i++) {
                if (inFlight.size() >= window) {
                    break;
                }
                Reading r = pending.get(i);
                if (inFlight.add(r.seq())) {
                    backlog.add(r);
                }
            }
        }
        if (live != null) {
            track(o, live, publish(live));
        }
        for (Reading r : backlog) {
            track(o, r, publishBacklog(r));
        }
    }

    /** Leaves the outbox once acknowledged; either way frees its place in the window and pumps on. */
    private void track(Outbox o, Reading r, CompletableFuture<Mqtt5PublishResult> sent) {
        sent.whenComplete((res, e) -> {
            synchronized (this) {
                inFlight.remove(r.seq());
            }
            if (e == null) {
                if (unheardSince != null) {
                    unheardSince = null;
                    unheardRetry = UNHEARD_FIRST_RETRY;
                    LOG.info("Meter {}: the broker has a subscriber for its readings again; delivering its outbox", meter.meterId());
                }
                o.delivered(r.seq());
                pump();
            } else if (unwrap(e) instanceof NoSubscriberException) {
                retryUnheard();
            }
        });
    }

    /**
     * The broker took a reading but had nobody to give it to (no ingest session on it yet, or a broker that lost the
     * ingest's subscription over a restart): it stays in the outbox and the outbox is pumped again after a growing pause
     * (one warning per episode, one line when it is over).
     */
    private void retryUnheard() {
        long delay;
        synchronized (this) {
            if (retryScheduled || closed) {
                return;
            }
            retryScheduled = true;
            delay = unheardRetry;
            unheardRetry = Math.min(unheardRetry * 2, UNHEARD_MAX_RETRY);
            if (unheardSince == null) {
                unheardSince = clock.instant();
                LOG.warn("Meter {}: the broker has no subscriber for its readings (no ingest has subscribed to this broker yet, "
                        + "or it lost the subscription in a restart); they stay in the outbox and are sent again", meter.meterId());
            }
        }
        COMMANDS.schedule(() -> {
            synchronized (this) {
                retryScheduled = false;
            }
            pump();
        }, delay, TimeUnit.MILLISECONDS);
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /** Publishes a live reading QoS 1 on {@code reading}; completes on the broker's PUBACK. */
    public CompletableFuture<Mqtt5PublishResult> publish(Reading reading) {
        return publish(topics.reading(reading.meterId()), reading);
    }

    /**
     * Publishes a reading that is not live (history, an outage's queue) QoS 1 on {@code backlog}; completes on the
     * broker's PUBACK. If the broker refuses the topic ({@code NOT_AUTHORIZED}: an account made before it existed), the
     * reading, and every later backlog reading of this connection, goes on {@code reading} instead (one warning).
     */
    public CompletableFuture<Mqtt5PublishResult> publishBacklog(Reading reading) {
        if (backlogRefused.get()) {
            return publish(reading);
        }
        return publish(topics.backlog(reading.meterId()), reading).handle((res, e) -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException refused
                    && refused.getMqttMessage().getReasonCode()
                            == com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode.NOT_AUTHORIZED) {
                if (backlogRefused.compareAndSet(false, true)) {
                    LOG.warn("Meter {} may not publish on {}: the broker's account predates the backlog topic; its backlog goes on {}",
                            meter.meterId(), topics.backlog(meter.meterId()), topics.reading(meter.meterId()));
                }
                return publish(reading);
            }
            return e == null ? CompletableFuture.completedFuture(res) : CompletableFuture.<Mqtt5PublishResult>failedFuture(cause);
        }).thenCompose(f -> f);
    }

    /**
     * Completes with the PUBACK, or fails with {@link NoSubscriberException} when the PUBACK says the broker had no
     * subscriber for it ({@code 0x10}): a reading nobody received is not delivered, whatever the broker acknowledged.
     */
    private CompletableFuture<Mqtt5PublishResult> publish(String topic, Reading reading) {
        return client.publishWith()
                .topic(topic)
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(CODEC.encode(reading))
                .send()
                .thenApply(res -> {
                    if (NoSubscriberException.unheard(res)) {
                        throw new NoSubscriberException(topic);
                    }
                    return res;
                });
    }

    private void onCommand(Mqtt5Publish publish) {
        MeterCommand decoded;
        try {
            decoded = MeterCommand.decode(publish.getPayloadAsBytes());
        } catch (ScheduleCommand.BadScheduleException e) {
            refuseCircuit(e.commandId(), e.circuit(), null, new CommandGuard.Refused(Refusal.BAD_SCHEDULE, e.detail()));
            return;
        } catch (InvalidPayloadException e) {
            LOG.warn("Meter {} ignored a bad command: {}", meter.meterId(), LogSafe.of(e.describe()));
            return;
        }
        if (decoded instanceof CircuitCommand c) {
            onCircuitCommand(c);
            return;
        }
        if (decoded instanceof ScheduleCommand s) {
            onScheduleCommand(s);
            return;
        }
        RelayCommand command = (RelayCommand) decoded;
        Instant now = clock.instant();
        RelayState before = meter.relay();
        CommandGuard.Decision decision = guard.check(command, before, now);
        if (decision instanceof CommandGuard.Refused r) {
            refuse(command, r);
        } else if (decision instanceof CommandGuard.AlreadyThere) {
            acknowledgeUnchanged(command, before, now);
        } else {
            execute(command, now);
        }
    }

    /** A command for the state the relay is in: recorded (so its ID cannot be replayed), acknowledged, no switch. */
    private void acknowledgeUnchanged(RelayCommand command, RelayState relay, Instant now) {
        try {
            guard.executed(command, false, now);
        } catch (RuntimeException e) {
            refuse(command, new CommandGuard.Refused(Refusal.NOT_SAVED, "cannot record the command: " + e.getMessage()));
            return;
        }
        LOG.info("Meter {} relay already {} (command {}): nothing to switch", meter.meterId(), relay, LogSafe.of(command.commandId()));
        ack(command, true, relay, null);
    }

    /** Switches (the meter saves the new state first), records the command, then acknowledges it. */
    private void execute(RelayCommand command, Instant now) {
        RelayState after;
        try {
            after = meter.switchRelay(command.relay());
        } catch (RuntimeException e) {
            refuse(command, new CommandGuard.Refused(Refusal.NOT_SAVED, "cannot save the relay state, not switched: " + e.getMessage()));
            return;
        }
        try {
            guard.executed(command, true, now);
        } catch (RuntimeException e) {
            // The relay has switched and its state is saved; only this ID's replay protection and interval are lost.
            LOG.warn("Meter {} could not record command {} in its journal: {}", meter.meterId(), LogSafe.of(command.commandId()), LogSafe.of(e.toString()));
        }
        boolean ok = after == command.relay();
        LOG.info("Meter {} switched its relay {} (command {})", meter.meterId(), after, LogSafe.of(command.commandId()));
        ack(command, ok, after, ok ? null : "the relay reports " + after + " after switching " + command.relay());
    }

    private void refuse(RelayCommand command, CommandGuard.Refused refused) {
        LOG.warn("Meter {} refused command {} ({} {}): {}", meter.meterId(), LogSafe.of(command.commandId()), command.relay(), command.ts(),
                LogSafe.of(refused.error()));
        ack(command, false, meter.relay(), refused.error());
    }

    private void ack(RelayCommand command, boolean ok, RelayState relay, String error) {
        client.publishWith()
                .topic(topics.commandAck(meter.meterId()))
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(new CommandAck(command.commandId(), ok, relay, error, clock.instant()).encode())
                .send();
    }

    /**
     * The circuit a command names when the meter may switch it; else the refusal ({@code unknown-circuit},
     * {@code critical}, {@code not-switchable}).
     */
    private Object switchableCircuit(String circuitId) {
        if (!(meter instanceof CircuitDevice circuits)) {
            return new CommandGuard.Refused(Refusal.UNKNOWN_CIRCUIT, "meter " + meter.meterId() + " has no circuits");
        }
        CircuitInfo info = circuits.circuits().stream().filter(c -> c.id().equals(circuitId)).findFirst().orElse(null);
        if (info == null) {
            return new CommandGuard.Refused(Refusal.UNKNOWN_CIRCUIT, "meter " + meter.meterId() + " has no circuit " + circuitId);
        }
        if (info.critical()) {
            return new CommandGuard.Refused(Refusal.CRITICAL, "circuit " + circuitId + " is critical: never switched remotely");
        }
        if (!info.switchable()) {
            return new CommandGuard.Refused(Refusal.NOT_SWITCHABLE, "circuit " + circuitId + " has no relay");
        }
        return info;
    }

    private void onCircuitCommand(CircuitCommand command) {
        Instant now = clock.instant();
        java.util.Optional<CommandGuard.Refused> refused = guard.admit(command, now);
        if (refused.isPresent()) {
            refuseCircuit(command.commandId(), command.circuit(), command.ts(), refused.get());
            return;
        }
        if (switchableCircuit(command.circuit()) instanceof CommandGuard.Refused r) {
            refuseCircuit(command.commandId(), command.circuit(), command.ts(), r);
            return;
        }
        CircuitDevice circuits = (CircuitDevice) meter;
        String circuit = command.circuit();
        RelayState before = circuits.circuitRelay(circuit);
        boolean switching = before != command.relay();
        if (switching) {
            java.util.Optional<String> wait = schedules.tooSoon(circuit, now);
            if (wait.isPresent()) {
                refuseCircuit(command.commandId(), circuit, command.ts(), new CommandGuard.Refused(Refusal.TOO_SOON, wait.get()));
                return;
            }
        }
        RelayState after = before;
        if (switching) {
            try {
                after = circuits.switchCircuit(circuit, command.relay());
            } catch (RuntimeException e) {
                refuseCircuit(command.commandId(), circuit, command.ts(), new CommandGuard.Refused(Refusal.NOT_SAVED,
                        "cannot save the circuit's relay state, not switched: " + e.getMessage()));
                return;
            }
        }
        try {
            schedules.commanded(circuit, switching, now);
            guard.executed(command, switching, now);
        } catch (RuntimeException e) {
            LOG.warn("Meter {} could not record command {} for circuit {}: {}", meter.meterId(), LogSafe.of(command.commandId()), circuit,
                    LogSafe.of(e.toString()));
        }
        boolean ok = after == command.relay();
        LOG.info("Meter {} circuit {} {} {} (command {})", meter.meterId(), circuit, switching ? "switched" : "already", after,
                LogSafe.of(command.commandId()));
        ackCircuit(command.commandId(), circuit, ok, after, ok ? null : "the circuit's relay reports " + after + " after switching " + command.relay());
    }

    private void onScheduleCommand(ScheduleCommand command) {
        Instant now = clock.instant();
        java.util.Optional<CommandGuard.Refused> refused = guard.admit(command, now);
        if (refused.isPresent()) {
            refuseCircuit(command.commandId(), command.circuit(), command.ts(), refused.get());
            return;
        }
        if (switchableCircuit(command.circuit()) instanceof CommandGuard.Refused r) {
            refuseCircuit(command.commandId(), command.circuit(), command.ts(), r);
            return;
        }
        try {
            schedules.set(command.circuit(), command.commandId(), command.schedule(), now);
        } catch (RuntimeException e) {
            refuseCircuit(command.commandId(), command.circuit(), command.ts(), new CommandGuard.Refused(Refusal.NOT_SAVED,
                    "cannot save the schedule: " + e.getMessage()));
            return;
        }
        try {
            guard.executed(command, false, now);
        } catch (RuntimeException e) {
            LOG.warn("Meter {} could not record command {} in its journal: {}", meter.meterId(), LogSafe.of(command.commandId()),
                    LogSafe.of(e.toString()));
        }
        ackCircuit(command.commandId(), command.circuit(), true, ((CircuitDevice) meter).circuitRelay(command.circuit()), null);
    }

    private void refuseCircuit(String commandId, String circuit, Instant ts, CommandGuard.Refused refused) {
        LOG.warn("Meter {} refused command {} for circuit {} ({}): {}", meter.meterId(), LogSafe.of(commandId), LogSafe.of(circuit), ts,
                LogSafe.of(refused.error()));
        RelayState relay = null;
        if (meter instanceof CircuitDevice circuits && circuits.circuits().stream().anyMatch(c -> c.id().equals(circuit))) {
            relay = circuits.circuitRelay(circuit);
        }
        ackCircuit(commandId, circuit, false, relay, refused.error());
    }

    private void ackCircuit(String commandId, String circuit, boolean ok, RelayState relay, String error) {
        client.publishWith()
                .topic(topics.commandAck(meter.meterId()))
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(new CommandAck(commandId, ok, circuit, relay, error, clock.instant()).encode())
                .send();
    }

    /** Publishes OFFLINE (a clean stop sends no last will) and disconnects. */
    @Override
    public void close() {
        closed = true;
        try {
            disconnect();
        } finally {
            if (schedules != null) {
                schedules.close();
            }
            guard.close();
        }
    }

    private void disconnect() {
        if (!connected) {
            return; // the broker has published the last will already, or will when it notices
        }
        try {
            client.publishWith()
                    .topic(topics.status(meter.meterId()))
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .retain(true)
                    .payload(StatusMessage.of(meter.meterId(), ConnectionState.OFFLINE, clock.instant()).encode())
                    .send()
                    .get(3, TimeUnit.SECONDS);
            client.disconnect().get(3, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("Meter {} did not disconnect cleanly: {}", meter.meterId(), e.toString());
        }
    }
}
