package io.sealmail.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MaildirCheckTest {

    @TempDir
    Path root;

    private void deliver(String folder, String name, String id) throws Exception {
        Path dir = Files.createDirectories(root.resolve("a@x").resolve(folder));
        Files.write(dir.resolve(name), SmtpLoad.message(id, "a@x", "a@x", 300), java.nio.file.StandardOpenOption.CREATE_NEW);
    }

    @Test
    void countsMessagesInNewAndCurButNotInTmp() throws Exception {
        deliver("new", "1", "run-1");
        deliver("cur", "2:2,S", "run-2");
        deliver("tmp", "3", "run-3");
        MaildirCheck.Outcome o = MaildirCheck.check(root, List.of("run-1", "run-2", "run-3"));
        assertThat(o.found()).isEqualTo(2);
        assertThat(o.missing()).isEqualTo(1);
        assertThat(o.complete()).isFalse();
    }

    @Test
    void aDuplicateIsReportedEvenWhenNothingIsMissing() throws Exception {
        deliver("new", "1", "run-1");
        deliver("new", "1b", "run-1");
        MaildirCheck.Outcome o = MaildirCheck.check(root, List.of("run-1"));
        assertThat(o.duplicated()).isEqualTo(1);
        assertThat(o.complete()).isFalse();
    }

    @Test
    void theGeneratedMessageHasTheRequestedSizeAndCrlfLines() {
        byte[] m = SmtpLoad.message("id-7", "a@x", "b@y", 10240);
        assertThat(m.length).isBetween(10240, 10240 + 100);
        String text = new String(m, StandardCharsets.US_ASCII);
        assertThat(text).contains("X-Sealmail-Bench: id-7\r\n").doesNotContain("\n\n").endsWith("\r\n");
        assertThat(text.replace("\r\n", "")).doesNotContain("\n").doesNotContain("\r");
    }
}
