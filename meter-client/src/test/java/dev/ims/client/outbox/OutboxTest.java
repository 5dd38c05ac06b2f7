package dev.ims.client.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.model.reading.Reading;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {

    @TempDir
    Path dir;

    private static Reading r(long seq) {
        return Reading.of("m-1", seq, Instant.parse("2026-11-24T10:00:00Z").plusSeconds(seq * 10), 100 + seq * 0.01, null, null, null, null, null);
    }

    @Test
    void undeliveredReadings_surviveAReopen_inSeqOrder_andOneDeliveredPastAGapMayComeAgain() {
        Path f = dir.resolve("m.outbox");
        try (Outbox o = Outbox.open(f, 100)) {
            for (int i = 0; i < 10; i++) {
                o.append(r(i));
            }
            o.delivered(0);
            o.delivered(1);
            o.delivered(5);
        }
        try (Outbox o = Outbox.open(f, 100)) {
            assertThat(o.pending()).extracting(Reading::seq).containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        }
    }

    @Test
    void deliveredOutOfOrder_areNotDeliveredAgainAfterTheGapCloses() {
        Path f = dir.resolve("m.outbox");
        try (Outbox o = Outbox.open(f, 100)) {
            for (int i = 0; i < 4; i++) {
                o.append(r(i));
            }
            o.delivered(1);
            o.delivered(0);
            o.delivered(3);
            o.delivered(2);
            assertThat(o.size()).isZero();
        }
        try (Outbox o = Outbox.open(f, 100)) {
            assertThat(o.pending()).isEmpty();
        }
    }

    @Test
    void full_dropsTheOldest_andCountsThem() {
        try (Outbox o = Outbox.open(dir.resolve("m.outbox"), 3)) {
            for (int i = 0; i < 5; i++) {
                o.append(r(i));
            }
            assertThat(o.pending()).extracting(Reading::seq).containsExactly(2L, 3L, 4L);
            assertThat(o.dropped()).isEqualTo(2);
        }
    }

    @Test
    void tornLastLine_fromACrashMidWrite_isIgnored_andEarlierReadingsKept() throws IOException {
        Path f = dir.resolve("m.outbox");
        try (Outbox o = Outbox.open(f, 100)) {
            for (int i = 0; i < 3; i++) {
                o.append(r(i));
            }
        }
        long size = Files.size(f);
        try (FileChannel c = FileChannel.open(f, StandardOpenOption.WRITE)) {
            c.truncate(size - 15);
        }
        try (Outbox o = Outbox.open(f, 100)) {
            assertThat(o.pending()).extracting(Reading::seq).containsExactly(0L, 1L);
            o.append(r(3));
        }
        try (Outbox o = Outbox.open(f, 100)) {
            assertThat(o.pending()).extracting(Reading::seq).containsExactly(0L, 1L, 3L);
        }
    }

    @Test
    void compaction_keepsOnlyPending_inOrder() throws IOException {
        Path f = dir.resolve("m.outbox");
        try (Outbox o = Outbox.open(f, 10_000)) {
            for (int i = 0; i < 3000; i++) {
                o.append(r(i));
            }
            for (int i = 0; i < 2900; i++) {
                o.delivered(i);
            }
        }
        assertThat(Files.readAllLines(f).size()).isLessThan(1500);
        try (Outbox o = Outbox.open(f, 10_000)) {
            assertThat(o.pending()).hasSize(100);
            assertThat(o.pending().get(0).seq()).isEqualTo(2900);
            assertThat(o.pending().get(99).seq()).isEqualTo(2999);
        }
    }

    @Test
    void outboxFiles_areTheOwnersOnly_andAnOlderVersionsWideFilesAreTightenedOnOpen() throws IOException {
        Path f = dir.resolve("m.outbox");
        try (Outbox o = Outbox.open(f, 100)) {
            o.append(r(0));
            o.append(r(1));
            o.delivered(0);
        }
        Path acked = dir.resolve("m.outbox.acked");
        assertThat(mode(f)).isEqualTo("rw-------");
        assertThat(mode(acked)).isEqualTo("rw-------");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(acked, PosixFilePermissions.fromString("rw-r--r--"));

        try (Outbox o = Outbox.open(f, 100)) {
            assertThat(o.pending()).extracting(Reading::seq).containsExactly(1L);
        }

        assertThat(mode(f)).isEqualTo("rw-------");
        assertThat(mode(acked)).isEqualTo("rw-------");
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
