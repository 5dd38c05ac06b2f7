package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.command.CommandAck;
import dev.ims.model.command.CommandState;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RelayState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Moves relay commands on by the meter's own word. An acknowledgement saying the relay is now in the
 * commanded state makes a command {@code CONFIRMED}; the first reading the meter took after that
 * acknowledgement decides {@code VERIFIED} (its relay agrees) or {@code FAILED} (it does not). A circuit's
 * command is judged by the first later reading that carries that circuit: a CIRCUIT command by the circuit's
 * {@code relay}, a SCHEDULE command by the circuit's {@code schedule} (the command's ID; absent for a removed
 * schedule). Readings without the circuit (or, for CIRCUIT, without its relay) say nothing and are passed over. No answer
 * within the acknowledgement timeout: {@code TIMED_OUT} when the meter was online (a late
 * acknowledgement still confirms it), {@code EXPIRED} when it was offline; the timeout counts from when the
 * portal published it ({@code sentAt}). A {@code QUEUED} command (not published yet: its meter was offline)
 * is not timed out; past its {@code expiresAt} it becomes {@code EXPIRED}, and the portal never delivers it.
 * Every change is appended to the command's {@code history}, the audit trail.
 *
 * <p>Every update is conditional on the state it leaves, so several ingest instances doing the same
 * work (acknowledgements and timeouts reach all of them) change a command once.
 */
final class CommandTracker {

    private static final Logger LOG = LoggerFactory.getLogger(CommandTracker.class);
    private static final Duration DB_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(60);

    /**
     * A confirmed command waiting for a reading.
     *
     * @param circuit null for the supply relay
     * @param relay the commanded relay state; null for a SCHEDULE command
     * @param schedule true for a SCHEDULE command; {@code scheduled} then is what the reading must name
     * @param scheduled the schedule the circuit must report (the command's ID), or null when the command removed it
     */
    private record Open(String commandId, String circuit, RelayState relay, boolean schedule, String scheduled, Instant ackTs) {

        /** The supply relay's command for a meter; a circuit's kind of command for a circuit (a switch and a schedule apart). */
        static String key(String meterId, String circuit, boolean schedule) {
            return circuit == null ? meterId : meterId + "/" + circuit + (schedule ? "#schedule" : "#relay");
        }

        static Open of(Document command) {
            String type = command.getString(COMMAND_TYPE);
            boolean schedule = "SCHEDULE".equals(type);
            String circuit = schedule || "CIRCUIT".equals(type) ? command.getString(COMMAND_CIRCUIT) : null;
            RelayState relay = schedule ? null : RelayState.valueOf(command.getString(RELAY));
            String scheduled = schedule && command.get(COMMAND_SCHEDULE) != null ? command.getString(ID) : null;
            return new Open(command.getString(ID), circuit, relay, schedule, scheduled, command.getDate(ACK_TS).toInstant());
        }

        String key(String meterId) {
            return key(meterId, circuit, schedule);
        }
    }

    private final MongoDatabase db;
    private final Clock clock;
    private volatile Duration ackTimeout = DEFAULT_ACK_TIMEOUT;
    /**
     * Confirmed, unverified commands by {@link Open#key}: the newest per meter (supply relay) and per circuit and kind;
     * refreshed from the store, so any instance can verify.
     */
    private final Map<String, Open> open = new ConcurrentHashMap<>();

    private final io.micrometer.core.instrument.MeterRegistry registry;

    /** @param registry where command transitions are counted ({@code ims.commands{state}}), or null */
    CommandTracker(MongoDatabase db, Clock clock, io.micrometer.core.instrument.MeterRegistry registry) {
        this.db = db;
        this.clock = clock;
        this.registry = registry;
    }

    void ackTimeout(Duration timeout) {
        this.ackTimeout = timeout;
    }

    /** A meter's acknowledgement, on the writer thread. */
    void onAck(String meterId, CommandAck ack) {
        Document command = Mono.from(db.getCollection(COMMANDS).find(Filters.eq(ID, ack.commandId())).first()).block(DB_TIMEOUT);
        if (command == null || !meterId.equals(command.getString(METER_ID))) {
            LOG.warn("Meter {} acknowledged command {}, which is not one of its commands; ignored", meterId,
                    dev.ims.model.log.LogSafe.of(ack.commandId()));
            return;
        }
        String type = command.getString(COMMAND_TYPE);
        boolean schedule = "SCHEDULE".equals(type);
        boolean circuit = schedule || "CIRCUIT".equals(type);
        RelayState target = schedule ? null : RelayState.valueOf(command.getString(RELAY));
        Instant now = clock.instant();
        Bson waiting = Filters.and(Filters.eq(ID, ack.commandId()),
                Filters.in(STATE, CommandState.PENDING.name(), CommandState.TIMED_OUT.name()));
        Bson ackFields = Updates.combine(Updates.set(ACKED_AT, Date.from(now)), Updates.set(ACK_TS, Date.from(ack.ts())),
                Updates.set(ACK_RELAY, ack.relay() == null ? null : ack.relay().name()));
        String commandCircuit = command.getString(COMMAND_CIRCUIT);
        if (circuit && !java.util.Objects.equals(commandCircuit, ack.circuit())) {
            String why = "the meter answered for circuit " + ack.circuit() + ", not " + commandCircuit;
            if (change(waiting, CommandState.FAILED, why, Updates.combine(ackFields, Updates.set(ERROR, why)))) {
                LOG.warn("Command {} for meter {} failed: {}", ack.commandId(), meterId, dev.ims.model.log.LogSafe.of(why));
            }
            return;
        }
        if (schedule && ack.ok()) {
            // A schedule is confirmed by the meter taking it; its readings then name it (the circuit's "schedule").
            if (change(waiting, CommandState.CONFIRMED, "the meter runs the schedule for circuit " + commandCircuit, ackFields)) {
                LOG.info("Command {} for meter {} confirmed: schedule for circuit {}", ack.commandId(), meterId, commandCircuit);
                Open o = new Open(ack.commandId(), commandCircuit, null, true,
                        command.get(COMMAND_SCHEDULE) != null ? ack.commandId() : null, ack.ts());
                open.put(o.key(meterId), o);
            }
            return;
        }
        if (ack.ok() && ack.relay() == target) {
            String what = circuit ? "circuit " + commandCircuit + "'s relay" : "relay";
            if (change(waiting, CommandState.CONFIRMED, "the meter reports its " + what + " " + ack.relay(), ackFields)) {
                LOG.info("Command {} for meter {} confirmed: {} {}", ack.commandId(), meterId, what, ack.relay());
                Open o = new Open(ack.commandId(), circuit ? commandCircuit : null, target, false, null, ack.ts());
                open.put(o.key(meterId), o);
            }
        } else {
            String why = !ack.ok() ? "the meter refused it: " + (ack.error() == null ? "no reason given" : ack.error())
                    : "the meter reports its " + (circuit ? "circuit " + commandCircuit + "'s relay " : "relay ") + ack.relay() + ", not " + target;
            if (change(waiting, CommandState.FAILED, why, Updates.combine(ackFields, Updates.set(ERROR, why)))) {
                LOG.warn("Command {} for meter {} failed: {}", ack.commandId(), meterId, dev.ims.model.log.LogSafe.of(why));
            }
        }
    }

    /** Readings just stored: the first one after a confirmation that tells about it verifies it or shows it failed. */
    void onReadings(List<Reading> readings) {
        if (open.isEmpty()) {
            return;
        }
        for (Reading r : readings) {
            Open supply = open.get(r.meterId());
            if (supply != null && r.relay() != null) {
                judge(r, supply, r.relay() == supply.relay(), "the relay " + r.relay(), "the relay " + r.relay() + " after the meter confirmed "
                        + supply.relay());
            }
            for (dev.ims.model.circuit.CircuitReading c : r.circuits()) {
                Open sw = open.get(Open.key(r.meterId(), c.id(), false));
                if (sw != null && c.relay() != null) {
                    judge(r, sw, c.relay() == sw.relay(), "circuit " + c.id() + "'s relay " + c.relay(),
                            "circuit " + c.id() + "'s relay " + c.relay() + " after the meter confirmed " + sw.relay());
                }
                Open sched = open.get(Open.key(r.meterId(), c.id(), true));
                if (sched != null) {
                    String runs = c.schedule() == null ? "no schedule" : "schedule " + c.schedule();
                    judge(r, sched, java.util.Objects.equals(c.schedule(), sched.scheduled()), "circuit " + c.id() + " running " + runs,
                            "circuit " + c.id() + " running " + runs + " after the meter confirmed "
                                    + (sched.scheduled() == null ? "removing its schedule" : "schedule " + sched.scheduled()));
                }
            }
        }
    }

    /** Verifies or fails {@code o} by reading {@code r} when the reading was taken after the acknowledgement. */
    private void judge(Reading r, Open o, boolean agrees, String shows, String contrary) {
        if (!r.ts().isAfter(o.ackTs()) || !open.remove(o.key(r.meterId()), o)) {
            return;
        }
        Bson confirmed = Filters.and(Filters.eq(ID, o.commandId()), Filters.eq(STATE, CommandState.CONFIRMED.name()));
        if (agrees) {
            if (change(confirmed, CommandState.VERIFIED, "reading seq " + r.seq() + " at " + r.ts() + " shows " + shows,
                    Updates.combine(Updates.set(VERIFIED_AT, Date.from(clock.instant())), Updates.set(VERIFIED_SEQ, r.seq())))) {
                LOG.info("Command {} for meter {} verified by reading {}", o.commandId(), r.meterId(), r.seq());
            }
        } else {
            String why = "reading seq " + r.seq() + " at " + r.ts() + " shows " + contrary;
            if (change(confirmed, CommandState.FAILED, why, Updates.set(ERROR, why))) {
                LOG.warn("Command {} for meter {} failed: {}", o.commandId(), r.meterId(), why);
            }
        }
    }

    /**
     * On the timer: reloads confirmed commands (another instance may have confirmed them) and times out
     * those left unanswered.
     */
    void sweep() {
        try {
            Map<String, Open> fresh = new java.util.HashMap<>();
            for (Document c : Flux.from(db.getCollection(COMMANDS).find(Filters.eq(STATE, CommandState.CONFIRMED.name()))
                    .sort(new Document(ACK_TS, 1))).collectList().block(DB_TIMEOUT)) {
                if (c.getDate(ACK_TS) != null) {
                    // The newest confirmation per meter (per circuit and kind) is the one its readings will tell about.
                    Open o = Open.of(c);
                    fresh.put(o.key(c.getString(METER_ID)), o);
                }
            }
            open.keySet().retainAll(fresh.keySet());
            fresh.forEach(open::putIfAbsent);
            Instant cutoff = clock.instant().minus(ackTimeout);
            List<Document> late = Flux.from(db.getCollection(COMMANDS).find(Filters.and(Filters.eq(STATE, CommandState.PENDING.name()),
                    Filters.or(Filters.lt(SENT_AT, Date.from(cutoff)),
                            Filters.and(Filters.exists(SENT_AT, false), Filters.lt(REQUESTED_AT, Date.from(cutoff)))))))
                    .collectList().block(DB_TIMEOUT);
            for (Document c : late) {
                String meterId = c.getString(METER_ID);
                boolean online = "ONLINE".equals(connectionState(meterId));
                CommandState to = online ? CommandState.TIMED_OUT : CommandState.EXPIRED;
                String why = "no acknowledgement within " + ackTimeout.toSeconds() + " s; the meter was " + (online ? "online" : "offline");
                if (change(Filters.and(Filters.eq(ID, c.getString(ID)), Filters.eq(STATE, CommandState.PENDING.name())), to, why,
                        Updates.set(ERROR, why))) {
                    LOG.warn("Command {} for meter {}: {}", c.getString(ID), meterId, to);
                }
            }
            expireQueued();
        } catch (RuntimeException e) {
            LOG.debug("Command sweep skipped: {}", e.toString());
        }
    }

    /** Queued commands past their {@code expiresAt}: EXPIRED (conditional on QUEUED, so a delivery racing it wins or loses whole). */
    private void expireQueued() {
        Date now = Date.from(clock.instant());
        List<Document> expired = Flux.from(db.getCollection(COMMANDS).find(Filters.and(Filters.eq(STATE, CommandState.QUEUED.name()),
                Filters.lte(EXPIRES_AT, now)))).collectList().block(DB_TIMEOUT);
        for (Document c : expired) {
            String why = "not delivered: the meter did not come online before " + c.getDate(EXPIRES_AT).toInstant();
            if (change(Filters.and(Filters.eq(ID, c.getString(ID)), Filters.eq(STATE, CommandState.QUEUED.name()), Filters.lte(EXPIRES_AT, now)),
                    CommandState.EXPIRED, why, Updates.set(ERROR, why))) {
                LOG.warn("Queued command {} for meter {}: EXPIRED, never delivered", c.getString(ID), c.getString(METER_ID));
            }
        }
    }

    private String connectionState(String meterId) {
        Document m = Mono.from(db.getCollection(METERS).find(Filters.eq(ID, meterId)).first()).block(DB_TIMEOUT);
        if (m == null) {
            return null;
        }
        Document last = m.get(CONNECTION_LAST, Document.class);
        return last != null ? last.getString(STATE) : m.getString(CONNECTION);
    }

    /** Moves a command matching {@code filter} to {@code to}, recording why; true when this call moved it. */
    private boolean change(Bson filter, CommandState to, String detail, Bson more) {
        Date now = Date.from(clock.instant());
        List<Bson> updates = new ArrayList<>(List.of(Updates.set(STATE, to.name()),
                Updates.push(HISTORY, new Document(STATE, to.name()).append(AT, now).append(DETAIL, detail))));
        updates.add(more);
        boolean changed = Mono.from(db.getCollection(COMMANDS).updateOne(filter, Updates.combine(updates))).block(DB_TIMEOUT).getModifiedCount() == 1;
        if (changed && registry != null) {
            registry.counter("ims.commands", "state", to.name()).increment();
        }
        return changed;
    }
}
