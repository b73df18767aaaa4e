package io.sealmail.engine.mailauth;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a program with stdin, and optionally a private /etc/resolv.conf (a mount namespace via unshare). */
public final class ExternalProgram {
    public record Run(int exit, String output) {
    }

    private ExternalProgram() {
    }

    public static Run run(byte[] stdin, List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin);
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
            throw new AssertionError(command + " did not finish");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /**
     * Runs {@code command} in its own mount namespace where /etc/resolv.conf is {@code resolvConf}: programs that
     * only use the system resolver (dkimverify, opendkim-testmsg) then ask the test's dnsmasq, and the machine's own
     * resolver is untouched.
     */
    public static Run withResolver(Path resolvConf, byte[] stdin, String... command) throws Exception {
        List<String> c = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount --bind \"$0\" /etc/resolv.conf && exec \"$@\"", resolvConf.toString()));
        c.addAll(List.of(command));
        return run(stdin, c);
    }
}
