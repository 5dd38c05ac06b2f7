package dev.ims.model.topic;

/** The last part(s) of a meter topic. */
public enum TopicKind {
    READING("reading"),
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
