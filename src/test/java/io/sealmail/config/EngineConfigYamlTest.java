package io.sealmail.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EngineConfigYamlTest {
    static final String MINIMAL = """
            hostname: mail.example.org
            domains: [example.org]
            tls: {certFile: /tls/tls.crt, keyFile: /tls/tls.key}
            accountsFile: /accounts/accounts
            dataDir: /data
            """;

    @Test
    void aFullConfigRoundTrips() {
        Limits limits = new Limits(10_000_000L, 50, 512, 1000, 5, 2, 8, Duration.ofMinutes(10), Duration.ofMinutes(4),
                Duration.ofMinutes(9), Duration.ofMinutes(31), 500, 10, 1_000_000L, 2_000_000_000L);
        EngineConfig config = new EngineConfig("mail.example.org", List.of("example.org", "example.net"),
                List.of(new Listener(Role.SMTP, "0.0.0.0", 25), new Listener(Role.SUBMISSION, "::", 587),
                        new Listener(Role.IMAPS, "0.0.0.0", 993)),
                new TlsFiles("/tls/tls.crt", "/tls/tls.key"), "/accounts/accounts",
                Map.of("sales@example.org", "alice@example.org"), "/data", limits, "0.0.0.0", 9090);
        String yaml = EngineConfigYaml.write(config);
        assertThat(EngineConfigYaml.read(yaml)).isEqualTo(config);
        assertThat(yaml).contains("authFailureWindow: PT10M", "imapIdleTimeout: PT31M", "role: submission", "sales@example.org: alice@example.org")
                .doesNotContain("---");
        assertThat(EngineConfigYaml.write(EngineConfigYaml.read(yaml))).isEqualTo(yaml);
    }

    @Test
    void aMinimalConfigTakesEveryDefault() {
        EngineConfig config = EngineConfigYaml.read(MINIMAL);
        assertThat(config.listeners()).isEmpty();
        assertThat(config.aliases()).isEmpty();
        assertThat(config.limits()).isEqualTo(Limits.DEFAULTS);
        assertThat(config.httpAddress()).isEqualTo("0.0.0.0");
        assertThat(config.httpPort()).isEqualTo(8080);
    }

    @Test
    void theWarmUpIsOnByDefaultAndAPartialBlockKeepsTheOtherDefaults() {
        assertThat(EngineConfigYaml.read(MINIMAL).warmUp()).isEqualTo(WarmUp.DEFAULTS);
        assertThat(WarmUp.DEFAULTS.enabled()).isTrue();
        WarmUp w = EngineConfigYaml.read(MINIMAL + "warmUp: {messages: 500}\n").warmUp();
        assertThat(w).isEqualTo(new WarmUp(true, 500, WarmUp.DEFAULTS.maxTime()));
        assertThat(EngineConfigYaml.read(MINIMAL + "warmUp: {enabled: false}\n").warmUp().enabled()).isFalse();
        EngineConfig off = EngineConfigYaml.read(MINIMAL).withWarmUp(WarmUp.OFF);
        assertThat(EngineConfigYaml.read(EngineConfigYaml.write(off))).isEqualTo(off);
        assertThatThrownBy(() -> EngineConfigYaml.read(MINIMAL + "warmUp: {messages: 50}\n"))
                .hasMessageContaining("warmUp.messages: 50 is outside 100-20000");
        assertThatThrownBy(() -> EngineConfigYaml.read(MINIMAL + "warmUp: {messages: 20001}\n"))
                .hasMessageContaining("warmUp.messages: 20001 is outside 100-20000");
        for (String bad : new String[] {"PT0S", "-PT5S"}) {
            assertThatThrownBy(() -> EngineConfigYaml.read(MINIMAL + "warmUp: {maxTime: " + bad + "}\n"))
                    .as(bad).hasMessageContaining("warmUp.maxTime: ").hasMessageContaining("must be a positive duration");
        }
        assertThat(WarmUp.DEFAULTS).isEqualTo(new WarmUp(true, 2000, java.time.Duration.ofSeconds(15)));
    }

    @Test
    void aPartialLimitsBlockKeepsTheOtherDefaults() {
        EngineConfig config = EngineConfigYaml.read(MINIMAL + """
                limits:
                  maxRecipients: 20
                  idleTimeout: PT2M
                  authFailureWindow: PT1H30M
                """);
        Limits l = config.limits();
        assertThat(l.maxRecipients()).isEqualTo(20);
        assertThat(l.idleTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(l.authFailureWindow()).isEqualTo(Duration.ofMinutes(90));
        assertThat(l.maxMessageSize()).isEqualTo(Limits.DEFAULTS.maxMessageSize());
        assertThat(l.dataTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(l.quotaPerAccount()).isZero();
    }

    @Test
    void namesAreNormalisedAndListenersDefaultTheirAddressAndPort() {
        EngineConfig config = EngineConfigYaml.read(MINIMAL.replace("[example.org]", "[Example.ORG, ' example.org ', example.net]") + """
                aliases: {Sales@Example.org: ' Alice@Example.org'}
                listeners:
                  - role: submission
                  - role: imaps
                    port: 10993
                  - role: smtp
                    address: 127.0.0.1
                    port: 0
                """);
        assertThat(config.domains()).containsExactly("example.org", "example.net");
        assertThat(config.aliases()).containsExactly(Map.entry("sales@example.org", "alice@example.org"));
        assertThat(config.listeners()).containsExactly(
                new Listener(Role.SUBMISSION, "0.0.0.0", 587),
                new Listener(Role.IMAPS, "0.0.0.0", 10993),
                new Listener(Role.SMTP, "127.0.0.1", 0));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "hostname: mail.example.org|hostname: ''|hostname is required",
            "domains: [example.org]|domains: []|domains: at least one local domain is required",
            "domains: [example.org]|domains: [example.org, '']|domains: a domain is empty",
            "tls: {certFile: /tls/tls.crt, keyFile: /tls/tls.key}|tls: {certFile: /tls/tls.crt}|tls: certFile and keyFile are both required",
            "accountsFile: /accounts/accounts|accountsFile: ' '|accountsFile is required",
            "dataDir: /data|dataDir: ''|dataDir is required",
    })
    void requiredFieldsSayWhatIsMissing(String original, String replacement, String message) {
        assertThatThrownBy(() -> EngineConfigYaml.read(MINIMAL.replace(original, replacement)))
                .isInstanceOf(ConfigException.class).hasMessage(message);
    }

    @Test
    void missingTopLevelFields() {
        assertThatThrownBy(() -> EngineConfigYaml.read(MINIMAL.replace("tls: {certFile: /tls/tls.crt, keyFile: /tls/tls.key}\n", "")))
                .isInstanceOf(ConfigException.class).hasMessage("tls: certFile and keyFile are required (every role needs TLS)");
        assertThatThrownBy(() -> EngineConfigYaml.read(MINIMAL.replace("hostname: mail.example.org\n", "")))
                .isInstanceOf(ConfigException.class).hasMessage("hostname is required");
        assertThatThrownBy(() -> EngineConfigYaml.read("")).isInstanceOf(ConfigException.class).hasMessage("engine config is empty");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "listeners: [{role: smtp, port: 70000}]|listener smtp: port 70000 is outside 0-65535",
            "listeners: [{port: 25}]|listener: role is required",
            "httpPort: -2|httpPort: -2 is outside 0-65535 (or -1 to disable)",
            "httpPort: 65536|httpPort: 65536 is outside 0-65535 (or -1 to disable)",
            "aliases: {a@example.org: ''}|aliases: a@example.org has no target account",
            "limits: {maxRecipients: 0}|limits.maxRecipients: 0 is below the minimum of 1",
            "limits: {maxCommandLine: 100}|limits.maxCommandLine: 100 is below the minimum of 512",
            "limits: {maxTextLine: 999}|limits.maxTextLine: 999 is below the minimum of 1000",
            "limits: {maxMessageSize: -1}|limits.maxMessageSize: -1 is below the minimum of 1",
            "limits: {maxAuthFailuresPerAddress: 0}|limits.maxAuthFailuresPerAddress: 0 is below the minimum of 1",
            "limits: {quotaPerAccount: -5}|limits.quotaPerAccount: -5 is below the minimum of 0",
            "limits: {idleTimeout: PT0S}|limits.idleTimeout: PT0S must be a positive duration such as PT5M",
            "limits: {dataTimeout: -PT1M}|limits.dataTimeout: PT-1M must be a positive duration such as PT5M",
    })
    void invalidValuesAreNamed(String extra, String message) {
        assertThatThrownBy(() -> EngineConfigYaml.read(MINIMAL + extra + "\n"))
                .isInstanceOf(ConfigException.class).hasMessage(message);
    }

    @Test
    void wrongTypesNameTheFieldAndLine() {
        assertThatThrownBy(() -> EngineConfigYaml.read(MINIMAL + "limits:\n  maxRecipients: lots\n"))
                .isInstanceOf(ConfigException.class).hasMessage("engine config is not valid: limits.maxRecipients: 'lots' is not an integer (line 7)");
        assertThatThrownBy(() -> EngineConfigYaml.read(MINIMAL + "limits:\n  idleTimeout: 5 minutes\n"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("engine config is not valid: limits.idleTimeout: ").hasMessageContaining("(line 7)");
        assertThatThrownBy(() -> EngineConfigYaml.read(MINIMAL + "listeners:\n  - role: pop2\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("engine config is not valid: listeners[0].role: 'pop2' is not a role (smtp, submission, smtps, pop3, pop3s, imap, imaps) (line 7)");
        assertThatThrownBy(() -> EngineConfigYaml.read(MINIMAL + "domains2: x\n"))
                .hasMessageStartingWith("engine config is not valid: unknown field 'domains2' (line 6); known fields: accountsFile, aliases, dataDir, ").hasMessageContaining(" domains, ");
    }

    @Test
    void unknownFieldsAreRefusedWithTheirPlaceAndLine() {
        assertThatThrownBy(() -> EngineConfigYaml.read(MINIMAL + "limits:\n  maxRecipients: 10\n  maxRecipent: 5\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("engine config is not valid: limits: unknown field 'maxRecipent' (line 8); known fields: authFailureWindow, dataTimeout,")
                .hasMessageContaining("maxRecipients");
        assertThatThrownBy(() -> EngineConfigYaml.read(MINIMAL + "tls: {certFile: a, keyFile: b, caFile: c}\n"))
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> EngineConfigYaml.read(MINIMAL.replace("dataDir: /data\n", "") + "listeners:\n  - role: smtp\n    prot: 25\ndataDir: /d\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("engine config is not valid: listeners[0]: unknown field 'prot' (line 7)");
    }

    @Test
    void brokenYamlIsReportedWithItsLine() {
        assertThatThrownBy(() -> EngineConfigYaml.read(MINIMAL + "limits: 'unclosed\n"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("engine config is not valid YAML: ").hasMessageContaining("line ");
    }

    @Test
    void readsFilesAndNamesAMissingOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("engine.yaml");
        Files.writeString(file, MINIMAL);
        assertThat(EngineConfigYaml.read(file).hostname()).isEqualTo("mail.example.org");
        assertThatThrownBy(() -> EngineConfigYaml.read(dir.resolve("nope.yaml")))
                .isInstanceOf(ConfigFileException.class).hasMessage("cannot read " + dir.resolve("nope.yaml") + ": no such file")
                .extracting(e -> ((ConfigFileException) e).file()).isEqualTo(dir.resolve("nope.yaml"));
    }

    @Test
    void aProblemInAFileNamesTheFileOnce(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("engine.yaml"), MINIMAL.replace("hostname: mail.example.org\n", ""));
        assertThatThrownBy(() -> EngineConfigYaml.read(file)).isInstanceOfSatisfying(ConfigFileException.class, e -> {
            assertThat(e).hasMessage(file + ": hostname is required");
            assertThat(e.file()).isEqualTo(file);
            assertThat(ConfigFileException.in(dir.resolve("other.yaml"), e)).as("already about a file").isSameAs(e);
        });
        assertThat(ConfigFileException.in(file, new ConfigException("tls: bad"))).hasMessage(file + ": tls: bad");
    }
}
