package dev.ims.model.usage;

import java.time.LocalDate;

/**
 * The register's range seen on one local day: {@code minKwh} is the first reading's register (the
 * lowest, as it only grows), {@code maxKwh} the last one's — the end-of-day register.
 */
public record DayRegister(LocalDate day, double minKwh, double maxKwh) {}
