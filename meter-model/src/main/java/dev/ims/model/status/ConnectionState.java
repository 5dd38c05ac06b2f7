package dev.ims.model.status;

/** Whether a meter is connected to the broker, as its birth message and last will say. */
public enum ConnectionState {
    ONLINE,
    OFFLINE
}
