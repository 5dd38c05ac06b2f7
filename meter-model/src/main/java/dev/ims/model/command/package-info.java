/**
 * Commands to a meter — the supply relay (staff), a circuit's relay and a circuit's schedule (the meter's owner; see
 * {@link dev.ims.model.command.MeterCommand}) — and the meter's acknowledgements; the signing of
 * commands (Ed25519, JDK only): the portal's {@link dev.ims.model.command.CommandSigningKey}, the
 * {@link dev.ims.model.command.CommandKeySet} meters trust, {@link dev.ims.model.command.CommandSigner}
 * and {@link dev.ims.model.command.CommandVerifier}. The signed bytes are defined in
 * {@link dev.ims.model.command.RelayCommand#signedBytes(String)},
 * {@link dev.ims.model.command.CircuitCommand#signedBytes(String)} and
 * {@link dev.ims.model.command.ScheduleCommand#signedBytes(String)}.
 */
package dev.ims.model.command;
