package dev.ims.model.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.model.json.Fields;
import dev.ims.model.json.Json;
import dev.ims.model.reading.InvalidPayloadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/**
 * The portal's private key for relay commands, with its public half and ID. Never printed:
 * {@link #toString()} shows the ID only.
 *
 * <p>File format (JSON, UTF-8, written {@code 0600} in a folder created {@code 0700}):
 *
 * <pre>
 * {"algorithm":"Ed25519","id":"&lt;key ID&gt;","privateKey":"&lt;base64 PKCS#8&gt;","publicKey":"&lt;base64 X.509&gt;"}
 * </pre>
 *
 * The public key is kept beside the private one because the JDK cannot derive it; {@link #read} checks
 * that the two belong together and that {@code id} is {@link CommandKeys#keyId their ID}.
 */
public record CommandSigningKey(String keyId, PrivateKey privateKey, PublicKey publicKey) {

    static final int MAX_FILE_BYTES = 16 * 1024;

    /** A new key. */
    public static CommandSigningKey generate() {
        KeyPair pair = CommandKeys.generate();
        return new CommandSigningKey(CommandKeys.keyId(pair.getPublic()), pair.getPrivate(), pair.getPublic());
    }

    /** The signer that signs with this key. */
    public CommandSigner signer() {
        return new CommandSigner(this);
    }

    /** @throws CommandKeyException naming the file when it is missing, unreadable or not such a key */
    public static CommandSigningKey read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CommandKeyException("command signing key file " + file + " does not exist");
        } catch (IOException e) {
            throw new CommandKeyException("cannot read command signing key file " + file + ": " + e.getMessage(), e);
        }
        try {
            Fields f = Fields.parse(bytes, MAX_FILE_BYTES);
            String algorithm = f.requiredText("algorithm");
            if (!CommandKeys.ALGORITHM.equals(algorithm)) {
                throw new CommandKeyException("command signing key file " + file + ": algorithm must be " + CommandKeys.ALGORITHM);
            }
            String id = f.requiredText("id");
            PrivateKey privateKey = CommandKeys.decodePrivate(f.requiredText("privateKey"));
            PublicKey publicKey = CommandKeys.decodePublic(f.requiredText("publicKey"));
            if (!CommandKeys.keyId(publicKey).equals(id)) {
                throw new CommandKeyException("command signing key file " + file + ": id " + Fields.abbreviate(id)
                        + " is not the ID of its public key (" + CommandKeys.keyId(publicKey) + ")");
            }
            CommandSigningKey key = new CommandSigningKey(id, privateKey, publicKey);
            key.checkPair(file);
            return key;
        } catch (InvalidPayloadException e) {
            throw new CommandKeyException("command signing key file " + file + " is not a signing key: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CommandKeyException("command signing key file " + file + ": " + e.getMessage());
        }
    }

    /** Writes the key to {@code file}, {@code 0600} (folder {@code 0700} when created), atomically. */
    public void write(Path file) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("algorithm", CommandKeys.ALGORITHM);
        o.put("id", keyId);
        o.put("privateKey", CommandKeys.encodePrivate(privateKey));
        o.put("publicKey", CommandKeys.encodePublic(publicKey));
        try {
            KeyFiles.write(file, Json.bytes(o), true);
        } catch (IOException e) {
            throw new CommandKeyException("cannot write command signing key file " + file + ": " + e.getMessage(), e);
        }
    }

    private void checkPair(Path file) {
        try {
            byte[] probe = "ims key pair check".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Signature s = Signature.getInstance(CommandKeys.ALGORITHM);
            s.initSign(privateKey);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(CommandKeys.ALGORITHM);
            v.initVerify(publicKey);
            v.update(probe);
            if (!v.verify(sig)) {
                throw new CommandKeyException("command signing key file " + file + ": privateKey and publicKey are not one key pair");
            }
        } catch (GeneralSecurityException e) {
            throw new CommandKeyException("command signing key file " + file + ": the key cannot sign: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "CommandSigningKey[keyId=" + keyId + ", privateKey=<hidden>]";
    }
}
