package dev.ims.client.relay;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ims.client.meter.MeterStateFile;
import dev.ims.model.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay commands a meter has carried out, on disk next to its state file: so that a replayed command
 * ID is refused and the minimum switch interval holds across restarts, crashes and power cuts.
 *
 * <p>One JSON line per command, appended and forced to the disk (fsync) before the command is
 * acknowledged. Bounded: the newest {@code capacity} IDs are remembered; when the file has grown to twice
 * that it is rewritten (atomically, durably) with only those, minus IDs past their {@code keepUntil} (the
 * command's {@code expiresAt}: a replay of them is refused as expired anyway). The last switch is always
 * kept. The capacity is a backstop against a flood: a meter carries out only commands the portal signed, and
 * the portal would have to sign more than {@code capacity} for it within one command's validity (7 days at
 * most) to push a still-valid ID out.
 * A line cut short by a crash is skipped on load. Thread-safe.
 */
public final class CommandJournal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandJournal.class);
    private static final ObjectMapper MAPPER = Json.mapper();

    /**
     * @param commandId the command's ID
     * @param ts the command's own time stamp
     * @param at when the meter carried it out (its clock)
     * @param switched whether the relay changed (false: it was already in the commanded state)
     * @param keepUntil the ID is remembered at least until then (the command's {@code expiresAt}); null in
     *     lines written before queued commands, which were valid {@link #LEGACY_VALIDITY} from their {@code ts}
     * @param circuit the circuit a CIRCUIT or SCHEDULE command was for; null for the supply relay (and in lines written
     *     before circuits). Only the supply relay's switches count as {@link #lastSwitch()}.
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record Entry(String commandId, Instant ts, Instant at, boolean switched, Instant keepUntil, String circuit) {

        public Entry(String commandId, Instant ts, Instant at, boolean switched) {
            this(commandId, ts, at, switched, null, null);
        }

        public Entry(String commandId, Instant ts, Instant at, boolean switched, Instant keepUntil) {
            this(commandId, ts, at, switched, keepUntil, null);
        }

        Instant forgetAfter() {
            return keepUntil != null ? keepUntil : ts.plus(LEGACY_VALIDITY);
        }
    }

    /** How long commands recorded without {@code keepUntil} were valid from their {@code ts}. */
    static final java.time.Duration LEGACY_VALIDITY = java.time.Duration.ofMinutes(5);

    private final Path file;
    private final int capacity;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    private Entry lastSwitch;
    private long lines;

    private CommandJournal(Path file, int capacity) {
        this.file = file;
        this.capacity = capacity;
    }

    /** The journal that belongs to a meter's state file: {@code <state file>.commands}. */
    public static Path besides(Path stateFile) {
        return stateFile.resolveSibling(stateFile.getFileName() + ".commands");
    }

    /**
     * Opens (or creates) the journal at {@code file}, keeping what earlier runs recorded.
     *
     * @throws UncheckedIOException when it cannot be read or created
     */
    public static CommandJournal open(Path file, int capacity) {
        CommandJournal j = new CommandJournal(file, capacity);
        try {
            boolean torn = j.load();
            if (torn) {
                j.rewrite(Instant.MIN);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open command journal " + file + ": " + e.getMessage(), e);
        }
        return j;
    }

    /** @return whether the file needs a rewrite (its last line was cut short) */
    private boolean load() throws IOException {
        if (!Files.exists(file)) {
            return false;
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        boolean torn = false;
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            lines++;
            try {
                remember(MAPPER.readValue(line, Entry.class));
            } catch (IOException e) {
                torn = true;
                LOG.warn("Command journal {}: skipped an unreadable line (a write cut short by a crash)", file.getFileName());
            }
        }
        return torn || (!text.isEmpty() && !text.endsWith("\n"));
    }

    private void remember(Entry e) {
        entries.remove(e.commandId());
        entries.put(e.commandId(), e);
        if (e.switched() && e.circuit() == null && (lastSwitch == null || !e.at().isBefore(lastSwitch.at()))) {
            lastSwitch = e;
        }
        while (entries.size() > capacity) {
            Iterator<String> eldest = entries.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
    }

    /** The command with this ID, if the meter carried it out (among the newest {@code capacity}). */
    public synchronized Optional<Entry> find(String commandId) {
        return Optional.ofNullable(entries.get(commandId));
    }

    /** The last command that switched the supply relay, if any. */
    public synchronized Optional<Entry> lastSwitch() {
        return Optional.ofNullable(lastSwitch);
    }

    /**
     * Records a command as carried out; on disk (forced) when this returns.
     *
     * @param now the meter's clock: when the file is compacted, IDs past their {@code keepUntil} are dropped
     * @throws UncheckedIOException when it cannot be written
     */
    public synchronized void record(Entry e, Instant now) {
        // Opened per command, not held: commands are rare, and a fleet of thousands of meters in one process
        // must not hold a file open per meter for them.
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            channel.write(ByteBuffer.wrap((MAPPER.writeValueAsString(e) + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.force(false);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write command journal " + file + ": " + ex.getMessage(), ex);
        }
        lines++;
        remember(e);
        if (lines >= 2L * capacity) {
            try {
                rewrite(now);
            } catch (IOException ex) {
                // The entry is on disk already; the file is compacted at the next attempt.
                LOG.warn("Command journal {} not compacted: {}", file.getFileName(), ex.toString());
            }
        }
    }

    private void rewrite(Instant now) throws IOException {
        entries.values().removeIf(e -> e.forgetAfter().isBefore(now) && e != lastSwitch);
        List<Entry> keep = new ArrayList<>();
        if (lastSwitch != null && !entries.containsKey(lastSwitch.commandId())) {
            keep.add(lastSwitch);
        }
        keep.addAll(entries.values());
        StringBuilder b = new StringBuilder();
        for (Entry e : keep) {
            b.append(MAPPER.writeValueAsString(e)).append('\n');
        }
        MeterStateFile.replaceDurably(file, b.toString().getBytes(StandardCharsets.UTF_8));
        lines = keep.size();
    }

    /** Holds no open file; kept so that a journal's owner can close it like any other resource. */
    @Override
    public synchronized void close() {
        // nothing held open
    }
}
