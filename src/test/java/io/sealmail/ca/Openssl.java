package io.sealmail.ca;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the machine's {@code openssl}, a tool nobody here wrote, to cross-check what the CA produces. */
final class Openssl {
    record Result(int exit, String output) {
    }

    private Openssl() {
    }

    static Result run(Path dir, String... args) throws IOException, InterruptedException {
        io.sealmail.testing.ExternalTool.require("openssl");
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("openssl finished").isTrue();
        return new Result(p.exitValue(), out);
    }

    /** Runs openssl and insists on success. */
    static String ok(Path dir, String... args) throws IOException, InterruptedException {
        Result r = run(dir, args);
        assertThat(r.exit()).as("openssl %s\n%s", String.join(" ", args), r.output()).isZero();
        return r.output();
    }

    static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.US_ASCII);
    }
}
