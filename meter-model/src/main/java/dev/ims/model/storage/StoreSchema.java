package dev.ims.model.storage;

import java.time.Instant;
import java.time.LocalDate;

/**
 * Collections and fields. Every write the ingest does is idempotent (an upsert by {@code _id} with
 * {@code $min}/{@code $max}/{@code $set}), so a message delivered twice, or replayed after a crash, leaves the same
 * state; no transaction is needed, which the embedded store lacks. Where readings and their summaries live, and the
 * {@code _id}s to read them by: module meter-store's {@code dev.ims.store.StoreLayout}.
 *
 * <ul>
 *   <li>{@value #READINGS}: one bucket per meter and local clock hour, {@code _id} = {@link #hourlyId}
 *       ({@code meterId|hourStartInstant}), the readings under {@code r.<seq>}: fields as on the wire ({@code ts} as
 *       a date), plus {@code receivedAt}; unknown wire fields kept under {@code extra}. A seq is stored once: the
 *       ingest looks up a seq it may have stored before writing it.
 *   <li>{@value #METERS}: {@code _id} = meter ID; first/last seen, latest reading, {@code lastSeq}, the first and last
 *       reading time, connection state.
 *   <li>{@value #DAILY}: {@code _id} = {@code meterId|yyyy-MM-dd}; register min/max of one local day, of each of its
 *       hours ({@code h.<hour start>}) and quarter hours ({@code q.<quarter start>}, for peak demand: the highest
 *       15-minute average power), and the day's seqs as flags ({@code s.<seq / 64>.<seq % 64>}).
 *   <li>{@value #HOURLY}, {@value #QUARTER}: no longer written (their content is in {@value #DAILY}); an ingest
 *       starting on a store that has them migrates it and drops them.
 *   <li>{@value #USERS}, {@value #SESSIONS}, {@value #TARIFFS}: the portal's accounts, sessions and tariff versions.
 *   <li>{@value #REJECTED}: payloads that broke the contract, with topic, bounded raw payload, reason,
 *       and the topic's meter ID where it has one; quarantined readings (below) among them.
 * </ul>
 */
public final class StoreSchema {

    public static final String READINGS = "readings";
    public static final String METERS = "meters";
    public static final String HOURLY = "rollups_hourly";
    public static final String DAILY = "rollups_daily";
    public static final String QUARTER = "rollups_15min";
    public static final String REJECTED = "rejected";
    public static final String USERS = "users";
    public static final String SESSIONS = "sessions";
    public static final String TARIFFS = "tariffs";
    /** One document per running ingest instance: broker state, counters, heartbeat. */
    public static final String SERVICES = "services";

    // readings (and the wire names they share)
    public static final String METER_ID = "meterId";
    public static final String SEQ = "seq";
    public static final String TS = "ts";
    public static final String ENERGY_KWH = "energyKwh";
    public static final String POWER_W = "powerW";
    public static final String VOLTAGE_V = "voltageV";
    public static final String CURRENT_A = "currentA";
    /** Optional: the cumulative export register (energy fed into the grid) in kWh; never decreases. */
    public static final String EXPORT_KWH = "exportKwh";
    /** Optional: instantaneous power fed into the grid in W (0 or more; import power stays in {@code powerW}). */
    public static final String EXPORT_POWER_W = "exportPowerW";
    /**
     * Readings (and a meter's {@code latest}): the circuits' values as sent, a list of {@code {id, powerW, energyKwh,
     * relay?, schedule?}}, present only when the reading carried any. Meters: the newest circuit descriptions,
     * {@code {at: the status ts, list: [{id, name, kind, critical, switchable}]}} kept with {@code $max} (at first), so a
     * status delivered late never replaces a newer one's. Hourly and daily rollups: {@code circuits.<id>.minKwh /
     * .maxKwh}, the circuit register's range in the span.
     */
    public static final String CIRCUITS = "circuits";
    public static final String CIRCUIT_ID = "id";
    public static final String CIRCUIT_SCHEDULE = "schedule";
    public static final String LIST = "list";
    public static final String NAME = "name";
    public static final String KIND = "kind";
    public static final String CRITICAL = "critical";
    public static final String SWITCHABLE = "switchable";
    public static final String STATUS = "status";
    public static final String FAULT = "fault";
    public static final String RELAY = "relay";
    public static final String EXTRA = "extra";
    public static final String RECEIVED_AT = "receivedAt";

    // meters
    public static final String ID = "_id";
    public static final String FIRST_SEEN = "firstSeen";
    public static final String LAST_SEEN = "lastSeen";
    public static final String LAST_SEQ = "lastSeq";
    /**
     * A counter the ingest increments with every write of a meter's document (after the day documents of the same
     * readings): whatever a reader derived from the meter's days is current while it is unchanged. Internal, not in the API.
     */
    public static final String REV = "rev";
    public static final String LATEST = "latest";
    public static final String CONNECTION = "connection";
    /** Meters: the newest report of a bridge on its measurement source: {@code at}, {@code state} (OK|SILENT), {@code lastData}, {@code counters}. */
    public static final String SOURCE = "source";
    public static final String LAST_DATA = "lastData";
    public static final String COUNTERS = "counters";
    public static final String CONNECTION_TS = "connectionTs";
    /**
     * The newest status message's {@code {ts, state}} on a meter, kept with {@code $max} (ts first) so the
     * newest wins under any delivery order with a filter on {@code _id} alone. Replaces {@link #CONNECTION}
     * and {@link #CONNECTION_TS}, which readers still accept from older documents.
     */
    public static final String CONNECTION_LAST = "connectionLast";
    public static final String STATE = "state";
    /**
     * The claim-code verifier the meter registered at enrolment (never shown by the API, never taken from MQTT).
     * Only an enrolled meter has one, so only an enrolled meter can be claimed.
     */
    public static final String CLAIM_VERIFIER = "claimVerifier";
    /**
     * Enrolled meters' broker identities, one per meter ({@code _id} = meter ID): {@link #SECRET_VERIFIER},
     * {@link #DEVICE_STATE} ({@code ACTIVE} or {@code DECOMMISSIONED}), {@link #ENROLLED_AT}, {@link #ENROLLED_BY}, and
     * once decommissioned {@link #DECOMMISSIONED} ({@code at}, {@code by}, {@code reason}) and
     * {@link #REVOKED_ON_BROKER}. The broker (or its accounts) authenticates meters from it by {@code _id} only.
     */
    public static final String DEVICES = "devices";
    /** {@code sha256:<hex>} of the meter's broker secret ({@link dev.ims.model.security.Secrets#verifier}). */
    public static final String SECRET_VERIFIER = "secretVerifier";
    public static final String DEVICE_STATE = "state";
    public static final String DEVICE_ACTIVE = "ACTIVE";
    public static final String DEVICE_DECOMMISSIONED = "DECOMMISSIONED";
    public static final String ENROLLED_AT = "enrolledAt";
    /** How the meter was enrolled: {@code provisioning-key} (the meter itself over HTTP) or {@code cli:<user>}. */
    public static final String ENROLLED_BY = "enrolledBy";
    /** On a device and on its meter document: {@code {at, by, reason}}; a decommissioned meter is hidden from consumers. */
    public static final String DECOMMISSIONED = "decommissioned";
    /** True once the broker was told (credential disabled, session closed); the portal retries until it is. */
    public static final String REVOKED_ON_BROKER = "revokedOnBroker";
    // commands: one document per relay command, _id = commandId; its history is the audit trail
    public static final String COMMANDS = "commands";
    public static final String REQUESTED_BY = "requestedBy";
    public static final String REQUESTED_AT = "requestedAt";
    /**
     * When a command was last published to its meter (a date): at the request, or, for a queued command,
     * when the portal delivered it. The acknowledgement timeout counts from here ({@link #REQUESTED_AT} for
     * documents without it).
     */
    public static final String SENT_AT = "sentAt";
    public static final String ACKED_AT = "ackedAt";
    public static final String ACK_TS = "ackTs";
    public static final String ACK_RELAY = "ackRelay";
    public static final String VERIFIED_AT = "verifiedAt";
    public static final String VERIFIED_SEQ = "verifiedSeq";
    public static final String ERROR = "error";
    /** A command's {@code expiresAt} (a date): meters refuse it after this. */
    public static final String EXPIRES_AT = "expiresAt";
    /**
     * A command's signed wire fields, exactly as published: {@code ts} and {@code expiresAt} as the ISO strings
     * sent, {@code keyId}, {@code sig}; with {@code _id} and {@code relay} they re-create the payload unchanged.
     */
    public static final String SIGNED = "signed";
    public static final String KEY_ID = "keyId";
    public static final String SIG = "sig";
    /** A command's kind: {@code RELAY} (the supply relay; also when absent), {@code CIRCUIT} or {@code SCHEDULE}. */
    public static final String COMMAND_TYPE = "type";
    /** The circuit a CIRCUIT or SCHEDULE command is for (also in an acknowledgement). */
    public static final String COMMAND_CIRCUIT = "circuit";
    /** A SCHEDULE command's schedule as sent ({@code {zone, windows, maxHoursPerDay?}}), or null for none. */
    public static final String COMMAND_SCHEDULE = "schedule";
    // circuitSchedules: per meter and circuit (_id "meterId/circuitId") the schedule the portal sent and its command
    public static final String CIRCUIT_SCHEDULES = "circuitSchedules";
    public static final String PRESET = "preset";
    public static final String COMMAND_ID = "commandId";
    public static final String HISTORY = "history";
    public static final String AT = "at";

    // Fleet operations (issue 15, "alarms with a lifecycle"): open alarms, interlock, do-not-disconnect, bulk commands
    // (ALARMS, the open alarms the relay interlock reads by _id, is defined with the alarm records below.)
    /** The alarm kind whose open alarm on a meter locks its supply relay ON ({@code _id} {@code TAMPER/<meterId>}). */
    public static final String ALARM_TAMPER = "TAMPER";
    /** Meters: {@code {by, at, reason}} while staff flag the meter "do not disconnect" (medical or priority customer). */
    public static final String DO_NOT_DISCONNECT = "doNotDisconnect";
    /** Meters: every setting and clearing of {@link #DO_NOT_DISCONNECT}, {@code [{action: SET|CLEARED, by, at, reason}]}. */
    public static final String DO_NOT_DISCONNECT_LOG = "doNotDisconnectLog";
    public static final String ACTION = "action";
    public static final String BY = "by";
    /**
     * Commands: an interlock staff overrode to switch ON, {@code {by, at, reason, interlock: {fault: {code, at}|null,
     * alarmId|null}}}.
     */
    public static final String OVERRIDE = "override";
    public static final String INTERLOCK = "interlock";
    public static final String ALARM_ID = "alarmId";
    /**
     * Commands awaiting (or past) a second staff member's approval: {@code {flag: the meter's doNotDisconnect when it was
     * requested, until, decision: APPROVED|REJECTED, by, at, note}}.
     */
    public static final String APPROVAL = "approval";
    public static final String FLAG = "flag";
    public static final String UNTIL = "until";
    public static final String NOTE = "note";
    /** Commands not signed yet (awaiting approval, held by a bulk): the validity staff chose for a queued delivery, in minutes. */
    public static final String QUEUE_VALIDITY_MINUTES = "queueValidityMinutes";
    /** Commands: the bulk request a command belongs to. */
    public static final String BULK_ID = "bulkId";
    /**
     * Bulk relay requests ({@code _id} = bulkId): {@code requestedBy}, {@code requestedAt}, {@code relay}, {@code reason},
     * {@code override}, {@code commands} (their IDs in release order), {@code refused} ({@code [{meterId, error}]}),
     * {@code released} (how many were released), {@code state} ({@code RUNNING}|{@code DONE}), {@code heartbeat} (while the
     * releasing portal works on it), {@code finishedAt}.
     */
    public static final String BULKS = "bulks";
    public static final String BULK_COMMANDS = "commands";
    public static final String REFUSED = "refused";
    public static final String RELEASED = "released";
    public static final String HEARTBEAT = "heartbeat";
    public static final String FINISHED_AT = "finishedAt";

    /** The username of the consumer who claimed the meter. */
    public static final String OWNER = "owner";

    // rollups
    public static final String DAY = "day";
    public static final String HOUR = "hour";
    public static final String START = "start";
    public static final String ZONE = "zone";
    public static final String MIN_KWH = "minKwh";
    public static final String MAX_KWH = "maxKwh";
    /** Rollups: the lowest and highest export register in the span; present only when a reading in it carried one. */
    public static final String MIN_EXPORT_KWH = "minExportKwh";
    public static final String MAX_EXPORT_KWH = "maxExportKwh";
    public static final String FIRST_TS = "firstTs";
    public static final String LAST_TS = "lastTs";

    // rejected
    public static final String TOPIC = "topic";
    public static final String PAYLOAD = "payload";
    public static final String PAYLOAD_BYTES = "payloadBytes";
    public static final String REASON = "reason";
    public static final String DETAIL = "detail";

    /**
     * Quarantine: a well-formed reading that failed a check against its meter's history (e.g. a seq jump,
     * implausible consumption, a conflicting duplicate) is kept in {@value #REJECTED} with {@code meterId},
     * {@value #QUARANTINE} = {@code OPEN} and the reading as it would be stored ({@value #READING}). Staff
     * discard it (the portal sets {@code DISCARDED}) or accept it: the portal sets {@code ACCEPTING} and
     * inserts {@code {_id: the rejected document's _id, by, reason, at}} into {@value #QUARANTINE_ACTIONS};
     * the ingest stores the reading as if just received, sets {@code ACCEPTED} and deletes the action.
     * Every decision is kept in {@value #DECISION} {@code {action, by, reason, at}} (the audit trail).
     */
    public static final String QUARANTINE = "quarantine";
    public static final String READING = "reading";
    public static final String DECISION = "decision";
    public static final String QUARANTINE_ACTIONS = "quarantine_actions";
    public static final String QUARANTINE_OPEN = "OPEN";
    public static final String QUARANTINE_ACCEPTING = "ACCEPTING";
    public static final String QUARANTINE_ACCEPTED = "ACCEPTED";
    public static final String QUARANTINE_DISCARDED = "DISCARDED";

    // Alarms with a lifecycle (issue 15): records raised and cleared as things happen. Module meter-store's
    // dev.ims.store.alarm.AlarmRecords builds their writes; docs/CONTRACT.md describes them.
    /**
     * OPEN alarms, {@code _id} = {@code <KIND>/<subject>} (subject: a meter ID, an ingest instance, or {@code fleet}), so
     * "is there an open TAMPER alarm on meter X" is one exact read of {@code TAMPER/X}.
     */
    public static final String ALARMS = "alarms";
    /** Cleared alarms, {@code _id} = {@code <KIND>/<subject>/<raisedAt epoch ms>}: the open record plus {@link #ALARM_CLEARED}. */
    public static final String ALARM_HISTORY = "alarm_history";
    /**
     * Alarms staff cleared while their cause may persist, {@code _id} as in {@value #ALARMS}: no new alarm of that kind and
     * subject is raised until the cause has ended once (whoever sees it end deletes the hold).
     */
    public static final String ALARM_HOLDS = "alarm_holds";
    public static final String ALARM_KIND = "kind";
    public static final String ALARM_SEVERITY = "severity";
    public static final String ALARM_SUBJECT = "subject";
    public static final String ALARM_RAISED_AT = "raisedAt";
    /** {@code {text: one line, ...structured fields}}. */
    public static final String ALARM_EVIDENCE = "evidence";
    public static final String ALARM_TEXT = "text";
    public static final String ALARM_LAST_SEEN_AT = "lastSeenAt";
    public static final String ALARM_OCCURRENCES = "occurrences";
    /** {@code {by, at, note}}. */
    public static final String ALARM_ACKNOWLEDGED = "acknowledged";
    /** {@code {at, by: "auto" or the staff user, note, evidence}}. */
    public static final String ALARM_CLEARED = "cleared";
    public static final String ALARM_BY = "by";
    public static final String ALARM_NOTE = "note";
    /** {@link #ALARM_CLEARED}{@code .by} of an alarm cleared because its cause ended. */
    public static final String ALARM_BY_AUTO = "auto";
    // fleet (issue 15, "A fleet of 10 000 meters"): the change feed the ingest writes and the portal's load curve
    /**
     * The ingest's change feed: one document per ingest instance and time slot, {@code _id} = {@code <clientId>/<slot>}
     * ({@code dev.ims.store.FleetFeed}), {@value #FEED_INSTANCE}, {@value #FEED_AT} (the newest write) and
     * {@value #FEED_CHANGED}: the IDs of the meters whose document the instance wrote in the slot, appended per write.
     */
    public static final String FLEET_CHANGES = "fleet_changes";
    public static final String FEED_INSTANCE = "instance";
    public static final String FEED_AT = "at";
    public static final String FEED_CHANGED = "changed";
    /**
     * The fleet's load samples: one document per minute, {@code _id} = the minute's ISO-8601 start, {@value #LOAD_POWER_W}
     * (the summed power of the meters reporting) and {@value #LOAD_METERS} (how many reported); written by the portal.
     */
    public static final String FLEET_LOAD = "fleet_load";
    public static final String LOAD_POWER_W = "powerW";
    public static final String LOAD_METERS = "meters";

    /** Raw payloads are kept up to this many bytes in {@value #REJECTED}. */
    public static final int MAX_STORED_PAYLOAD_BYTES = 2048;

    private StoreSchema() {}

    public static String dailyId(String meterId, LocalDate day) {
        return meterId + "|" + day;
    }

    public static String quarterId(String meterId, Instant quarterStart) {
        return meterId + "|q|" + quarterStart;
    }

    public static String hourlyId(String meterId, Instant hourStart) {
        return meterId + "|" + hourStart;
    }
}
