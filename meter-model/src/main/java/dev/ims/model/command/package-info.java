/**
 * Commands from staff to a meter (relay switching) and the meter's acknowledgements; the signing of
 * commands (Ed25519, JDK only): the portal's {@link dev.ims.model.command.CommandSigningKey}, the
 * {@link dev.ims.model.command.CommandKeySet} meters trust, {@link dev.ims.model.command.CommandSigner}
 * and {@link dev.ims.model.command.CommandVerifier}. The signed bytes are defined in
 * {@link dev.ims.model.command.RelayCommand#signedBytes(String)}.
 */
package dev.ims.model.command;
