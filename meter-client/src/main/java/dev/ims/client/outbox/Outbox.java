package dev.ims.client.outbox;

import dev.ims.model.config.PrivateFiles;
import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A meter's readings not yet acknowledged by the broker, on disk. Each reading is appended as a line of
 * contract JSON and forced to the disk before it is handed to MQTT, so a reading the meter measured
 * survives a crash of the meter's process; a reading leaves the outbox when its PUBACK arrives. After a
 * restart the outbox holds the readings still to deliver, in {@code seq} order (a torn last line, from a
 * crash mid-write, is cut). On disk only the contiguous delivered prefix is recorded, so a reading delivered out
 * of order before a restart may be sent again after it: at least once, and stored once, since
 * {@code seq} identifies a reading.
 *
 * <p>Bounded: at most {@code maxReadings}. When full the OLDEST reading is dropped (and counted): the
 * register is cumulative, so the units of a dropped reading are not lost, they are counted in the next
 * one; only the resolution of the oldest part of an outage is. The newest readings matter most.
 *
 * <p>Files: {@code <name>} (the lines) and {@code <name>.acked} (the highest seq delivered). The lines file
 * is rewritten without delivered readings when they make up most of it. Both are the owner's only (0600),
 * an older version's wider ones are tightened on open. Thread-safe.
 */
public final class Outbox implements AutoCloseable {

    public static final int DEFAULT_MAX_READINGS = 100_000;
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    private static final ReadingCodec CODEC = new ReadingCodec();

    private final Path file;
    private final Path ackedFile;
    private final int maxReadings;
    private final ArrayDeque<Reading> pending = new ArrayDeque<>();
    private FileChannel channel;
    private long lines;
    private long acked;
    private long dropped;
    private long newest = -1;

    private Outbox(Path file, int maxReadings) {
        this.file = file;
        this.ackedFile = file.resolveSibling(file.getFileName() + ".acked");
        this.maxReadings = maxReadings;
    }

    /** Opens (or creates) the outbox at {@code file}, keeping what a previous run left undelivered. */
    public static Outbox open(Path file, int maxReadings) {
        if (maxReadings < 1) {
            throw new IllegalArgumentException("maxReadings must be at least 1, got " + maxReadings);
        }
        Outbox o = new Outbox(file, maxReadings);
        try {
            o.load();
            o.channel = openForAppend(file);
            PrivateFiles.restrict(file);
            PrivateFiles.restrict(o.ackedFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open outbox " + file + ": " + e.getMessage(), e);
        }
        return o;
    }

    private void load() throws IOException {
        acked = Files.exists(ackedFile) ? Long.parseLong(Files.readString(ackedFile).trim()) : -1;
        if (!Files.exists(file)) {
            return;
        }
        cutTornTail();
        List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (String line : all) {
            lines++;
            try {
                Reading r = CODEC.decode(null, line.getBytes(StandardCharsets.UTF_8));
                if (r.seq() > acked) {
                    keep(r);
                }
            } catch (InvalidPayloadException e) {
                LOG.warn("Outbox {}: skipped an unreadable line (a write cut short by a crash)", file.getFileName());
            }
        }
        if (!pending.isEmpty()) {
            LOG.info("Outbox {}: {} readings still to deliver", file.getFileName(), pending.size());
        }
    }

    /** A crash mid-append leaves a last line without its newline: cut it, so the next append starts clean. */
    private void cutTornTail() throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = c.size();
            long keep = size;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (keep > 0) {
                one.clear();
                c.read(one, keep - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                keep--;
            }
            if (keep < size) {
                c.truncate(keep);
                LOG.warn("Outbox {}: cut an unfinished last line (a write cut short by a crash)", file.getFileName());
            }
        }
    }

    /** Adds a reading (forced to disk before this returns). */
    public synchronized void append(Reading r) {
        try {
            channel.write(ByteBuffer.wrap((new String(CODEC.encode(r), StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.force(false);
            lines++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write outbox " + file + ": " + e.getMessage(), e);
        }
        keep(r);
    }

    private void keep(Reading r) {
        newest = Math.max(newest, r.seq());
        pending.addLast(r);
        if (pending.size() > maxReadings) {
            Reading gone = pending.removeFirst();
            dropped++;
            if (dropped == 1 || dropped % 1000 == 0) {
                LOG.warn("Outbox {} full ({} readings): dropped the oldest, seq {} ({} dropped so far)", file.getFileName(), maxReadings,
                        gone.seq(), dropped);
            }
        }
    }

    /** The readings still to deliver, oldest first (a snapshot). */
    public synchronized List<Reading> pending() {
        return new ArrayList<>(pending);
    }

    public synchronized int size() {
        return pending.size();
    }

    public synchronized long dropped() {
        return dropped;
    }

    /** The broker acknowledged the reading with {@code seq}: it leaves the outbox. */
    public synchronized void delivered(long seq) {
        boolean removed = false;
        for (Iterator<Reading> it = pending.iterator(); it.hasNext(); ) {
            if (it.next().seq() == seq) {
                it.remove();
                removed = true;
                break;
            }
        }
        if (!removed) {
            return;
        }
        long head = pending.isEmpty() ? newest : pending.peekFirst().seq() - 1;
        if (head > acked) {
            acked = head;
            try {
                PrivateFiles.writeString(ackedFile, Long.toString(acked));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write outbox marker " + ackedFile + ": " + e.getMessage(), e);
            }
        }
        if (lines > 1000 && lines > 2L * pending.size()) {
            compact();
        }
    }

    /** Rewrites the lines file with only the pending readings (atomically). */
    private void compact() {
        try {
            channel.close();
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            StringBuilder b = new StringBuilder();
            for (Reading r : pending) {
                b.append(new String(CODEC.encode(r), StandardCharsets.UTF_8)).append('\n');
            }
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PrivateFiles.fileAttributes(tmp));
            Files.writeString(tmp, b, StandardCharsets.UTF_8);
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                c.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            lines = pending.size();
            channel = openForAppend(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compact outbox " + file + ": " + e.getMessage(), e);
        }
    }

    /** A new lines file is created 0600: it holds the meter's readings. */
    private static FileChannel openForAppend(Path file) throws IOException {
        return FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
                PrivateFiles.fileAttributes(file));
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("Outbox {} close: {}", file, e.toString());
        }
    }
}
