package dev.ims.model.reading;

/** The supply relay: {@code ON} supplies the premises, {@code OFF} disconnects them. */
public enum RelayState {
    ON,
    OFF
}
