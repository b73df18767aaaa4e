package io.sealmail.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GroupCommitTest {
    @TempDir
    Path dir;

    private GroupCommit.FileWrite file(String name, CountDownLatch started, CountDownLatch release) {
        return new GroupCommit.FileWrite() {
            @Override
            void prepare() throws IOException {
                Files.createDirectories(dir.resolve("tmp"));
                Files.createDirectories(dir.resolve("new"));
                if (started != null) {
                    started.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
            }

            @Override
            Path tmp() {
                return dir.resolve("tmp").resolve(name);
            }

            @Override
            Path target() {
                return dir.resolve("new").resolve(name);
            }

            @Override
            void write(FileChannel out) throws IOException {
                out.write(ByteBuffer.wrap(name.getBytes()));
            }
        };
    }

    @Test
    void aFullQueueFailsAtOnceWithATemporaryError() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (GroupCommit commit = new GroupCommit("test", 1, 1)) {
            CompletableFuture<Void> first = commit.submit(List.of(file("a", started, release)));
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue(); // the committer holds "a"
            CompletableFuture<Void> second = commit.submit(List.of(file("b", null, null))); // fills the queue
            CompletableFuture<Void> third = commit.submit(List.of(file("c", null, null))); // past the bound
            assertThat(third).isCompletedExceptionally();
            assertThatThrownBy(third::join).hasCauseInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("temporarily unavailable");
            release.countDown();
            first.get(10, TimeUnit.SECONDS);
            second.get(10, TimeUnit.SECONDS);
        }
        assertThat(Files.readString(dir.resolve("new/a"))).isEqualTo("a");
        assertThat(Files.readString(dir.resolve("new/b"))).isEqualTo("b");
        assertThat(Files.exists(dir.resolve("new/c"))).isFalse();
    }

    @Test
    void aFailingFileFailsItsWholeJobAndNoOther() throws Exception {
        try (GroupCommit commit = new GroupCommit("test", 16, 4)) {
            GroupCommit.FileWrite broken = new GroupCommit.FileWrite() {
                @Override
                void prepare() {
                }

                @Override
                Path tmp() {
                    return dir.resolve("tmp").resolve("broken");
                }

                @Override
                Path target() {
                    return dir.resolve("new").resolve("broken");
                }

                @Override
                void write(FileChannel out) throws IOException {
                    out.write(ByteBuffer.wrap(new byte[] {1}));
                    throw new IOException("No space left on device");
                }
            };
            CompletableFuture<Void> good = commit.submit(List.of(file("good", null, null)));
            good.get(10, TimeUnit.SECONDS);
            CompletableFuture<Void> mixed = commit.submit(List.of(file("partner", null, null), broken));
            CompletableFuture<Void> alone = commit.submit(List.of(file("alone", null, null)));
            alone.get(10, TimeUnit.SECONDS);
            assertThatThrownBy(mixed::join).hasCauseInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("No space left on device");
        }
        assertThat(Files.exists(dir.resolve("new/partner"))).isFalse();
        assertThat(Files.exists(dir.resolve("new/broken"))).isFalse();
        assertThat(StoreTestFiles.files(dir.resolve("tmp"))).isEmpty();
        assertThat(Files.exists(dir.resolve("new/alone"))).isTrue();
    }
}
