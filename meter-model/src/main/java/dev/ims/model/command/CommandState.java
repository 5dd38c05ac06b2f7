package dev.ims.model.command;

/**
 * Where a relay command stands. Only the meter's own word moves it on: its acknowledgement
 * ({@link #CONFIRMED}), then its readings ({@link #VERIFIED}); what was commanded is never shown as the
 * relay's state.
 */
public enum CommandState {
    /**
     * A supply relay OFF for a meter flagged "do not disconnect": stored, not signed, not published. A second staff
     * member's approval makes it {@link #PENDING} or {@link #QUEUED} (signed then); a rejection {@link #REJECTED}; no
     * decision before its {@code expiresAt} (the approval deadline) {@link #EXPIRED}.
     */
    AWAITING_APPROVAL,
    /**
     * One command of a bulk request, stored and not signed, waiting for its release at the bulk rate limit; the portal
     * that accepted the bulk releases it ({@link #PENDING} or {@link #QUEUED}, signed then). One still held when that
     * portal stopped stays held and is never sent: its bulk shows it as not released.
     */
    HELD,
    /**
     * Stored and signed for a meter that was offline when it was requested: not published yet. The portal
     * publishes it (and makes it {@link #PENDING}) when the meter comes online; past its {@code expiresAt} it
     * becomes {@link #EXPIRED}, never delivered.
     */
    QUEUED,
    /** Stored and published; no answer from the meter yet. */
    PENDING,
    /** The meter acknowledged it and reported the relay in the commanded state. */
    CONFIRMED,
    /** A reading the meter took after its acknowledgement shows the relay in the commanded state. */
    VERIFIED,
    /** The meter refused it, reported the other state, or its readings contradict its acknowledgement. */
    FAILED,
    /** No acknowledgement in time although the meter was online. */
    TIMED_OUT,
    /**
     * No acknowledgement in time and the meter was offline, or queued and not delivered before its {@code expiresAt}, or
     * awaiting approval and not decided before it.
     */
    EXPIRED,
    /** Awaiting approval and rejected by staff (or withdrawn by its requester): never signed, never sent. */
    REJECTED;

    /** Whether the command can still change state. */
    public boolean open() {
        return this == AWAITING_APPROVAL || this == HELD || this == QUEUED || this == PENDING || this == CONFIRMED || this == TIMED_OUT;
    }
}
