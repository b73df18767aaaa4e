package io.sealmail.store.maildir;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DirectoryRenamerTest {
    @TempDir
    Path dir;

    @Test
    void renamesInsideTheDirectoryThroughItsDescriptorOnLinux() throws IOException {
        Files.writeString(dir.resolve("1.m:2,"), "one");
        try (DirectoryRenamer r = DirectoryRenamer.open(dir)) {
            assertThat(r.relative()).as("Linux has SecureDirectoryStream").isTrue();
            r.rename("1.m:2,", "1.m:2,S");
        }
        assertThat(dir.resolve("1.m:2,")).doesNotExist();
        assertThat(dir.resolve("1.m:2,S")).hasContent("one");
    }

    @Test
    void theNamesAreRelativeToTheDirectoryOpenedNotToTheWorkingDirectory() throws IOException {
        Path cur = Files.createDirectories(dir.resolve("a/b/cur"));
        Files.writeString(cur.resolve("x:2,"), "x");
        try (DirectoryRenamer r = DirectoryRenamer.open(cur)) {
            r.rename("x:2,", "x:2,F");
        }
        assertThat(cur.resolve("x:2,F")).exists();
        assertThat(Path.of("x:2,F")).doesNotExist();
    }

    @Test
    void aTargetThatExistsIsReplacedAsRenameDoes() throws IOException {
        Files.writeString(dir.resolve("old"), "new content");
        Files.writeString(dir.resolve("target"), "stale");
        try (DirectoryRenamer r = DirectoryRenamer.open(dir)) {
            r.rename("old", "target");
        }
        assertThat(Files.readString(dir.resolve("target"), StandardCharsets.UTF_8)).isEqualTo("new content");
        assertThat(dir.resolve("old")).doesNotExist();
    }

    @Test
    void aFileGoneMeanwhileIsNoSuchFile() throws IOException {
        try (DirectoryRenamer r = DirectoryRenamer.open(dir)) {
            assertThatThrownBy(() -> r.rename("gone:2,", "gone:2,S")).isInstanceOf(NoSuchFileException.class);
        }
    }
}
