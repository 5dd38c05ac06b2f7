package dev.ims.model.topic;

/** A received topic, understood: which meter and which kind of message. */
public record TopicAddress(String meterId, TopicKind kind) {}
