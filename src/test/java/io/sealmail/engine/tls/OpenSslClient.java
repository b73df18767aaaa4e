package io.sealmail.engine.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the machine's {@code openssl s_client}: a TLS client nobody here wrote. */
final class OpenSslClient {
    record Result(int exitCode, String output) {
    }

    private OpenSslClient() {
    }

    /** {@code openssl s_client -connect 127.0.0.1:port args...} with empty stdin: handshake, then disconnect. */
    static Result sClient(int port, String... args) throws IOException, InterruptedException {
        io.sealmail.testing.ExternalTool.require("openssl");
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("openssl s_client did not finish: " + command);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.exitValue(), output);
    }
}
