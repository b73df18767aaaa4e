package io.sealmail.ship;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * e2e/run.sh cannot run here (no cluster), so this checks what can be checked: it parses, it skips cleanly without
 * KUBECONFIG, and what it relies on in the repository (the chart, the example, the example's password) exists.
 */
class RealClusterSuiteTest {
    static final Path SCRIPT = Path.of("e2e", "run.sh");

    private static Process bash(String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true);
        pb.environment().remove("KUBECONFIG");
        return pb.start();
    }

    @Test
    void theScriptParsesAndSkipsWithoutAKubeconfig() throws Exception {
        Process syntax = bash("bash", "-n", SCRIPT.toString());
        assertThat(syntax.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(syntax.exitValue()).as(new String(syntax.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();

        Process run = bash("bash", SCRIPT.toString());
        String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).isZero();
        assertThat(out).isEqualTo("e2e: KUBECONFIG is not set: skipping the real-cluster suite (see e2e/README.md)\n");
    }

    @Test
    void whatTheScriptUsesExists() throws Exception {
        String script = Files.readString(SCRIPT);
        assertThat(Path.of("charts", "sealmail-operator", "Chart.yaml")).exists();
        assertThat(script).contains("charts/sealmail-operator", "examples/accounts.yaml");
        Matcher alice = Pattern.compile("ALICE='alice@example.com:([^']+)'").matcher(script);
        assertThat(alice.find()).isTrue();
        String example = Files.readString(Path.of("examples", "accounts.yaml"));
        assertThat(example).contains("alice_example.com: \"" + alice.group(1) + "\"");
        // The Service ports the script expects are the example's ports in the operator's order.
        assertThat(example).contains("ports: [smtp, submission, smtps, imaps, pop3s]");
        assertThat(script).contains("\"25 587 465 993 995\"");
    }
}
