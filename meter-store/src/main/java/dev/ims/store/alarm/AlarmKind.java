package dev.ims.store.alarm;

/**
 * Every kind of alarm, its severity and who raises and clears it: the ingest from what it receives ({@link Source#INGEST}),
 * the portal's sweeper from the store, the clock and the broker monitor ({@link Source#SWEEPER}).
 */
public enum AlarmKind {
    /** A reading with status FAULT and a fault other than TAMPER; cleared by a later OK reading. */
    METER_FAULT(Severity.CRITICAL, Source.INGEST),
    /** A reading with fault TAMPER; cleared by a later OK reading. */
    TAMPER(Severity.CRITICAL, Source.INGEST),
    /** The readings show the supply relay OFF; cleared by one showing it ON (or none). */
    SUPPLY_OFF(Severity.INFO, Source.INGEST),
    /** The meter's newest status is OFFLINE (its last will or a clean stop); cleared by ONLINE. */
    METER_OFFLINE(Severity.WARNING, Source.INGEST),
    /** A reading quarantined for a register going backwards or jumping implausibly; cleared by staff or once none is open. */
    REGISTER_ANOMALY(Severity.WARNING, Source.INGEST),
    METER_SILENT(Severity.WARNING, Source.SWEEPER),
    METER_NO_DATA(Severity.CRITICAL, Source.SWEEPER),
    COMMAND_FAILED(Severity.CRITICAL, Source.SWEEPER),
    COMMAND_TIMED_OUT(Severity.CRITICAL, Source.SWEEPER),
    COMMAND_EXPIRED(Severity.CRITICAL, Source.SWEEPER),
    COMMAND_UNANSWERED(Severity.WARNING, Source.SWEEPER),
    COMMAND_UNVERIFIED(Severity.WARNING, Source.SWEEPER),
    INGEST_SILENT(Severity.CRITICAL, Source.SWEEPER),
    INGEST_LAG(Severity.WARNING, Source.SWEEPER),
    BROKER_DROPPING(Severity.CRITICAL, Source.SWEEPER),
    BROKER_MONITOR_DOWN(Severity.WARNING, Source.SWEEPER),
    BROKER_DOWN(Severity.CRITICAL, Source.SWEEPER),
    NO_INGEST(Severity.CRITICAL, Source.SWEEPER),
    PAYLOADS_REJECTED(Severity.WARNING, Source.SWEEPER),
    /** A meter's last complete day far outside its own recent pattern; cleared when a later day is normal again. */
    ABNORMAL_CONSUMPTION(Severity.WARNING, Source.SWEEPER);

    /** Most severe first; the wire names are lower case. */
    public enum Severity {
        CRITICAL, WARNING, INFO;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public enum Source { INGEST, SWEEPER }

    /** The subject of alarms about the whole system rather than one meter or instance. */
    public static final String FLEET = "fleet";

    private final Severity severity;
    private final Source source;

    AlarmKind(Severity severity, Source source) {
        this.severity = severity;
        this.source = source;
    }

    public Severity severity() {
        return severity;
    }

    public Source source() {
        return source;
    }

    /** The kind named {@code name}, or null. */
    public static AlarmKind of(String name) {
        for (AlarmKind k : values()) {
            if (k.name().equals(name)) {
                return k;
            }
        }
        return null;
    }

    /** Rank of a wire severity, most severe 0; unknown last. */
    public static int rank(String severity) {
        for (Severity s : Severity.values()) {
            if (s.wire().equals(severity)) {
                return s.ordinal();
            }
        }
        return Severity.values().length;
    }
}
