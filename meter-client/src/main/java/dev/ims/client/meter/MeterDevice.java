package dev.ims.client.meter;

import dev.ims.model.reading.RelayState;

/** What a meter connection needs of a meter, simulated or real (the Raspberry Pi bridge). */
public interface MeterDevice {

    String meterId();

    /** The verifier of the meter's claim code, registered with the portal at enrolment (never sent over MQTT). */
    String claimVerifier();

    /** The relay's state as measured now (not as last commanded). */
    RelayState relay();

    /**
     * Switches the relay and answers its state as measured afterwards. The commanded state is saved where
     * the meter resumes from, forced to the disk, BEFORE the relay changes and before this returns: a
     * restart, a crash or a power cut afterwards never brings the old state back. Called on one thread at
     * a time.
     *
     * @throws java.io.UncheckedIOException when the state cannot be saved; the relay is then not switched
     */
    RelayState switchRelay(RelayState wanted);
}
