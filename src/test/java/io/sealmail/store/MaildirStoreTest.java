package io.sealmail.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MaildirStoreTest {

    @TempDir
    Path data;

    static Spool spool(MailStore store, String text) throws IOException {
        Spool s = store.createSpool();
        s.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        return s;
    }

    static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void aDeliveredCopyHasTheReturnPathThenTheExactBytesAndItsSizeInTheName() throws Exception {
        try (MaildirStore store = new MaildirStore(data); Spool s = spool(store, "Subject: hi\r\n\r\nbody\r\n")) {
            store.deliver(s, "sender@example.org", List.of("Alice@Example.COM")).get(10, TimeUnit.SECONDS);
            Path inbox = store.inbox("alice@example.com");
            List<Path> delivered = files(inbox.resolve("new"));
            assertThat(delivered).hasSize(1);
            String content = Files.readString(delivered.get(0));
            assertThat(content).isEqualTo("Return-Path: <sender@example.org>\r\nSubject: hi\r\n\r\nbody\r\n");
            assertThat(delivered.get(0).getFileName().toString()).endsWith(",S=" + content.length());
            assertThat(files(inbox.resolve("tmp"))).isEmpty();
            assertThat(inbox.getFileName().toString()).isEqualTo("alice@example.com");
        }
    }

    @Test
    void theNullSenderBecomesAnEmptyReturnPath() throws Exception {
        try (MaildirStore store = new MaildirStore(data); Spool s = spool(store, "x\r\n")) {
            store.deliver(s, "", List.of("bob@example.com")).get(10, TimeUnit.SECONDS);
            assertThat(Files.readString(files(store.inbox("bob@example.com").resolve("new")).get(0)))
                    .startsWith("Return-Path: <>\r\n");
        }
    }

    @Test
    void oneMessageForSeveralAccountsGivesEachItsOwnCopy() throws Exception {
        try (MaildirStore store = new MaildirStore(data); Spool s = spool(store, "m\r\n")) {
            store.deliver(s, "s@x", List.of("a@example.com", "b@example.com", "c@example.com")).get(10, TimeUnit.SECONDS);
            for (String a : List.of("a@example.com", "b@example.com", "c@example.com")) {
                assertThat(files(store.inbox(a).resolve("new"))).hasSize(1);
            }
        }
    }

    @Test
    void accountNamesCannotEscapeTheMailRoot() {
        assertThat(MaildirNames.accountDirectory("../../etc/passwd")).doesNotContain("/").startsWith("%2E");
        assertThat(MaildirNames.accountDirectory("..")).isEqualTo("%2E.");
        assertThat(MaildirNames.accountDirectory("a/b@x")).isEqualTo("a%2Fb@x");
        assertThat(MaildirNames.accountDirectory(".hidden@x")).isEqualTo("%2Ehidden@x");
        assertThatThrownBy(() -> MaildirNames.accountDirectory("  ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentDeliveriesShareDirectoryFlushes() throws Exception {
        try (MaildirStore store = new MaildirStore(data)) {
            int n = 400;
            List<CompletableFuture<Void>> all = new ArrayList<>();
            List<Spool> spools = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Spool s = spool(store, "Message: " + i + "\r\n\r\nbody\r\n");
                spools.add(s);
                all.add(store.deliver(s, "s@x", List.of("busy@example.com")));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            spools.forEach(Spool::close);
            assertThat(files(store.inbox("busy@example.com").resolve("new"))).hasSize(n);
            // Group commit: far fewer directory flushes (batches) than deliveries.
            assertThat(store.groupCommit().batchesCommitted()).isLessThan(n);
            assertThat(files(data.resolve("spool"))).isEmpty();
        }
    }

    @Test
    void aFailedCopyFailsTheDeliveryAndLeavesNothingVisible() throws Exception {
        try (MaildirStore store = new MaildirStore(data)) {
            Spool s = spool(store, "x\r\n");
            Path source = s.path();
            Files.delete(source); // the spool vanished: the copy cannot be written
            CompletableFuture<Void> f = store.deliver(s, "s@x", List.of("carol@example.com"));
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
            Path inbox = store.inbox("carol@example.com");
            assertThat(files(inbox.resolve("new"))).isEmpty();
            assertThat(files(inbox.resolve("tmp"))).isEmpty();
        }
    }

    @Test
    void startingAgainRemovesHalfWrittenFilesAndAbandonedSpools() throws Exception {
        Path inbox;
        try (MaildirStore store = new MaildirStore(data)) {
            inbox = store.inbox("dave@example.com");
        }
        Files.writeString(inbox.resolve("tmp").resolve("123.half"), "Subject: half");
        Files.writeString(data.resolve("spool").resolve("abandoned"), "partial");
        Files.writeString(inbox.resolve("new").resolve("1.M1P1Q1.host,S=3"), "ok\n");
        try (MaildirStore store = new MaildirStore(data)) {
            assertThat(files(inbox.resolve("tmp"))).isEmpty();
            assertThat(files(data.resolve("spool"))).isEmpty();
            assertThat(files(inbox.resolve("new"))).hasSize(1);
        }
    }

    @Test
    void aClosedSpoolIsDeletedAndRefusesMoreBytes() throws Exception {
        try (MaildirStore store = new MaildirStore(data)) {
            Spool s = spool(store, "abc");
            assertThat(s.size()).isEqualTo(3);
            s.close();
            s.close();
            assertThat(Files.exists(s.path())).isFalse();
            assertThatThrownBy(() -> s.write(ByteBuffer.wrap(new byte[1]))).isInstanceOf(IOException.class);
        }
    }

    @Test
    void whenTooManyWritesWaitTheStoreSaysBusyInsteadOfQueueingWithoutBound() throws Exception {
        GroupCommit tiny = new GroupCommit(1, 1);
        try (MaildirStore store = new MaildirStore(data, tiny, true)) {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                all.add(store.deliver(spool(store, "m" + i + "\r\n"), "s@x", List.of("eve@example.com")));
            }
            long busy = all.stream().filter(f -> {
                try {
                    f.get(30, TimeUnit.SECONDS);
                    return false;
                } catch (Exception e) {
                    return e.getCause() instanceof StoreBusyException;
                }
            }).count();
            assertThat(busy).isPositive();
            long delivered = all.size() - busy;
            assertThat(files(store.inbox("eve@example.com").resolve("new"))).hasSize((int) delivered);
        }
    }
}
