package dev.ims.embedded.broker;

/** What the embedded broker refused since it started: connections, publishes (wills included) and subscriptions. */
public record Refusals(long connects, long publishes, long subscribes) {}
