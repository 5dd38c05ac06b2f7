package dev.ims.model.topic;

/** The last part(s) of a meter topic. */
public enum TopicKind {
    /** A live reading: measured just now. */
    READING("reading"),
    /**
     * A reading that is not live (history, an outbox drained after an outage): the same payload as {@link #READING},
     * on a topic of its own so that the ingest serves it through a separate in-flight window and a backlog never
     * delays a live reading. A reading is identified by meter and {@code seq} whichever of the two it came on.
     */
    BACKLOG("backlog"),
    STATUS("status"),
    COMMAND("command"),
    COMMAND_ACK("command/ack");

    private final String suffix;

    TopicKind(String suffix) {
        this.suffix = suffix;
    }

    public String suffix() {
        return suffix;
    }
}
