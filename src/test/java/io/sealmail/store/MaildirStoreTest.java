package io.sealmail.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.sealmail.store.StoreTestFiles.files;
import static io.sealmail.store.StoreTestFiles.read;
import static io.sealmail.store.StoreTestFiles.spool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MaildirStoreTest {
    @TempDir
    Path data;

    @Test
    void deliversOneDurableCopyPerAccountWithReturnPath() throws Exception {
        try (MaildirStore store = new MaildirStore(data, 0)) {
            try (Spool s = spool(store, "Subject: hi\r\n\r\nbody\r\n")) {
                store.deliver(s, "sender@example.org", List.of("alice@example.com", "Bob@Example.com", "alice@example.com"))
                        .get(10, TimeUnit.SECONDS);
            }
            for (String account : List.of("alice@example.com", "bob@example.com")) {
                Path root = data.resolve("mail").resolve(account);
                assertThat(files(root.resolve("tmp"))).isEmpty();
                assertThat(files(root.resolve("cur"))).isEmpty();
                List<Path> delivered = files(root.resolve("new"));
                assertThat(delivered).hasSize(1);
                String content = read(delivered.get(0));
                assertThat(content).isEqualTo("Return-Path: <sender@example.org>\r\nSubject: hi\r\n\r\nbody\r\n");
                assertThat(MaildirName.size(delivered.get(0).getFileName().toString())).isEqualTo(Files.size(delivered.get(0)));
            }
            assertThat(files(data.resolve("spool"))).isEmpty();
        }
    }

    @Test
    void nullSenderAndHeaderInjectionInReturnPath() throws Exception {
        try (MaildirStore store = new MaildirStore(data, 0); Spool s = spool(store, "x\r\n")) {
            store.deliver(s, "", List.of("a@x")).get(10, TimeUnit.SECONDS);
            store.deliver(s, "evil>\r\nX-Injected: 1", List.of("b@x")).get(10, TimeUnit.SECONDS);
        }
        assertThat(read(files(data.resolve("mail/a@x/new")).get(0))).startsWith("Return-Path: <>\r\nx");
        assertThat(read(files(data.resolve("mail/b@x/new")).get(0))).startsWith("Return-Path: <evilX-Injected: 1>\r\nx");
    }

    @Test
    void accountNamesCannotEscapeTheMailDirectory() throws Exception {
        try (MaildirStore store = new MaildirStore(data, 0); Spool s = spool(store, "x\r\n")) {
            store.deliver(s, "a@b", List.of("../../escape")).get(10, TimeUnit.SECONDS);
        }
        try (var all = Files.walk(data)) {
            assertThat(all.filter(Files::isRegularFile)).allMatch(p -> p.startsWith(data.resolve("mail")));
        }
        assertThat(Files.exists(data.getParent().resolve("escape"))).isFalse();
    }

    @Test
    void concurrentDeliveriesShareFlushes() throws Exception {
        int threads = 32;
        int each = 20;
        try (MaildirStore store = new MaildirStore(data, 0)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        try (Spool s = spool(store, "Message-Id: <" + thread + "." + i + ">\r\n\r\n" + "x".repeat(2000) + "\r\n")) {
                            store.deliver(s, "s@x", List.of("user" + (thread % 4) + "@x", "all@x")).join();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertThat(store.groupCommits()).isLessThan(threads * each);
        }
        assertThat(files(data.resolve("mail/all@x/new"))).hasSize(threads * each);
        int perUser = 0;
        for (int u = 0; u < 4; u++) {
            perUser += files(data.resolve("mail/user" + u + "@x/new")).size();
        }
        assertThat(perUser).isEqualTo(threads * each);
    }

    @Test
    void quotaFailsOnlyTheDeliveryThatWouldExceedIt() throws Exception {
        try (MaildirStore store = new MaildirStore(data, 1000)) {
            String body = "x".repeat(500);
            try (Spool s = spool(store, body)) {
                store.deliver(s, "s@x", List.of("full@x")).get(10, TimeUnit.SECONDS);
                CompletableFuture<Void> over = store.deliver(s, "s@x", List.of("full@x"));
                CompletableFuture<Void> other = store.deliver(s, "s@x", List.of("other@x"));
                CompletableFuture<Void> both = store.deliver(s, "s@x", List.of("other2@x", "full@x"));
                other.get(10, TimeUnit.SECONDS);
                assertThatThrownBy(() -> over.join()).isInstanceOf(CompletionException.class)
                        .hasCauseInstanceOf(QuotaExceededException.class).hasMessageContaining("full@x");
                assertThatThrownBy(() -> both.join()).hasCauseInstanceOf(QuotaExceededException.class);
            }
            assertThatThrownBy(() -> store.checkQuota("full@x", 600)).isInstanceOf(QuotaExceededException.class);
            store.checkQuota("full@x", 10);
            assertThat(store.usage("other2@x")).as("a failed multi-account delivery gives its reservation back").isZero();
        }
        assertThat(files(data.resolve("mail/full@x/new"))).hasSize(1);
        assertThat(files(data.resolve("mail/full@x/tmp"))).isEmpty();
        assertThat(files(data.resolve("mail/other2@x/new"))).as("all or nothing per delivery").isEmpty();
        assertThat(files(data.resolve("mail/other2@x/tmp"))).isEmpty();
        // The figure is recounted from the names after a restart.
        try (MaildirStore again = new MaildirStore(data, 1000)) {
            assertThat(again.usage("full@x")).isEqualTo(Files.size(files(data.resolve("mail/full@x/new")).get(0)));
        }
    }

    @Test
    void aDiskErrorFailsOnlyItsDelivery() throws Exception {
        Files.createDirectories(data.resolve("mail"));
        Files.writeString(data.resolve("mail/blocked@x"), "a file where the Maildir should be");
        try (MaildirStore store = new MaildirStore(data, 0); Spool s = spool(store, "x\r\n")) {
            CompletableFuture<Void> bad = store.deliver(s, "s@x", List.of("blocked@x"));
            CompletableFuture<Void> good = store.deliver(s, "s@x", List.of("fine@x"));
            good.get(10, TimeUnit.SECONDS);
            assertThatThrownBy(bad::join).hasCauseInstanceOf(StoreUnavailableException.class);
        }
        assertThat(files(data.resolve("mail/fine@x/new"))).hasSize(1);
    }

    @Test
    void closeFinishesQueuedDeliveriesThenRefusesNewOnes() throws Exception {
        MaildirStore store = new MaildirStore(data, 0);
        List<CompletableFuture<Void>> queued = new ArrayList<>();
        Spool s = spool(store, "x\r\n");
        for (int i = 0; i < 200; i++) {
            queued.add(store.deliver(s, "s@x", List.of("a@x")));
        }
        store.close();
        for (CompletableFuture<Void> f : queued) {
            assertThat(f).isCompleted();
            f.join();
        }
        assertThatThrownBy(() -> store.deliver(s, "s@x", List.of("a@x")).join())
                .hasCauseInstanceOf(StoreUnavailableException.class).hasMessageContaining("shutting down");
        s.close();
        assertThat(files(data.resolve("mail/a@x/new"))).hasSize(200);
    }

    @Test
    void startRemovesCrashLeftoversFromTmpAndSpool() throws Exception {
        Path tmp = data.resolve("mail/a@x/tmp");
        Path folderTmp = data.resolve("mail/a@x/.Sent/tmp");
        Files.createDirectories(tmp);
        Files.createDirectories(folderTmp);
        Files.createDirectories(data.resolve("mail/a@x/new"));
        Files.createDirectories(data.resolve("spool"));
        Files.writeString(tmp.resolve("half"), "Return-Path: <x>\r\nSubj");
        Files.writeString(folderTmp.resolve("half"), "par");
        Files.writeString(data.resolve("mail/a@x/new/1.M1P1.h,S=3"), "abc");
        Files.writeString(data.resolve("spool/old"), "spooled");
        try (MaildirStore store = new MaildirStore(data, 0)) {
            assertThat(files(tmp)).isEmpty();
            assertThat(files(folderTmp)).isEmpty();
            assertThat(files(data.resolve("spool"))).isEmpty();
            assertThat(files(data.resolve("mail/a@x/new"))).hasSize(1);
        }
    }

    @Test
    void smallMessagesStayInMemoryAndRefuseWritesAfterClose() throws Exception {
        try (MaildirStore store = new MaildirStore(data, 0)) {
            Spool s = spool(store, "abc");
            assertThat(s.size()).isEqualTo(3);
            assertThat(((MessageSpool) s).onDisk()).isFalse();
            assertThat(files(data.resolve("spool"))).isEmpty();
            s.close();
            s.close();
            assertThatThrownBy(() -> s.write(java.nio.ByteBuffer.wrap(new byte[1]))).isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void aMessagePastThePerMessageThresholdSpillsToDiskAndIsDeliveredWhole() throws Exception {
        StoreOptions options = StoreOptions.DEFAULTS.withSpoolMemory(1024, 1 << 20);
        try (MaildirStore store = new MaildirStore(data, options)) {
            String body = "Subject: big\r\n\r\n" + "0123456789abcdef".repeat(200) + "\r\n";
            Spool s = store.createSpool();
            for (int i = 0; i < body.length(); i += 100) {
                s.write(java.nio.ByteBuffer.wrap(body.substring(i, Math.min(body.length(), i + 100)).getBytes(StandardCharsets.US_ASCII)));
            }
            assertThat(((MessageSpool) s).onDisk()).isTrue();
            assertThat(files(data.resolve("spool"))).hasSize(1);
            store.deliver(s, "s@x", List.of("a@x")).get(10, TimeUnit.SECONDS);
            s.close();
            assertThat(files(data.resolve("spool"))).isEmpty();
            Path delivered = files(data.resolve("mail/a@x/new")).get(0);
            assertThat(Files.readString(delivered)).isEqualTo("Return-Path: <s@x>\r\n" + body);
        }
    }

    @Test
    void whenTheSharedMemoryBudgetIsUsedUpNewMessagesSpillAndTheBudgetComesBackOnClose() throws Exception {
        // Budget for two 16 KiB buffers: the third concurrent message must go to disk, whatever its size.
        StoreOptions options = StoreOptions.DEFAULTS.withSpoolMemory(64 * 1024, 32 * 1024);
        try (MaildirStore store = new MaildirStore(data, options)) {
            Spool a = spool(store, "a");
            Spool b = spool(store, "b");
            Spool c = spool(store, "c");
            assertThat(((MessageSpool) a).onDisk()).isFalse();
            assertThat(((MessageSpool) b).onDisk()).isFalse();
            assertThat(((MessageSpool) c).onDisk()).isTrue();
            a.close();
            Spool d = spool(store, "d");
            assertThat(((MessageSpool) d).onDisk()).isFalse();
            for (Spool s : List.of(b, c, d)) {
                s.close();
            }
            assertThat(files(data.resolve("spool"))).isEmpty();
        }
    }
}
