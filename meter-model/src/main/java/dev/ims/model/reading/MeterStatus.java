package dev.ims.model.reading;

/** A reading's overall status. */
public enum MeterStatus {
    OK,
    FAULT
}
