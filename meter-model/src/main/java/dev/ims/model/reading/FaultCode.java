package dev.ims.model.reading;

/** The fault a meter reports with status {@link MeterStatus#FAULT}. */
public enum FaultCode {
    TAMPER,
    OUTAGE,
    OVERVOLTAGE,
    UNDERVOLTAGE,
    REVERSE_FLOW,
    SENSOR
}
