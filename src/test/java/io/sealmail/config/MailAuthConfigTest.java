package io.sealmail.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MailAuthConfigTest {
    @Test
    void dkimKeysAndInboundChecksReadAndRoundTrip() {
        EngineConfig config = EngineConfigYaml.read(EngineConfigYamlTest.MINIMAL + """
                dkim:
                  - {domain: Example.org, selector: s202612, keyFile: /dkim/example.org.rsa.pem}
                  - {domain: example.org, selector: e202612, algorithm: ed25519-sha256, keyFile: /dkim/example.org.ed25519.pem}
                inbound:
                  dmarc: enforce
                  checkTimeout: PT5S
                """);
        assertThat(config.dkim()).containsExactly(
                new DkimKey("example.org", "s202612", "rsa-sha256", "/dkim/example.org.rsa.pem"),
                new DkimKey("example.org", "e202612", "ed25519-sha256", "/dkim/example.org.ed25519.pem"));
        assertThat(config.inbound()).isEqualTo(new Inbound(true, Inbound.DmarcMode.ENFORCE, Duration.ofSeconds(5)));
        String yaml = EngineConfigYaml.write(config);
        assertThat(yaml).contains("dmarc: enforce", "algorithm: ed25519-sha256");
        assertThat(EngineConfigYaml.read(yaml)).isEqualTo(config);
    }

    @Test
    void withoutTheSectionsNothingIsSignedAndChecksReportOnly() {
        EngineConfig config = EngineConfigYaml.read(EngineConfigYamlTest.MINIMAL);
        assertThat(config.dkim()).isEmpty();
        assertThat(config.inbound()).isEqualTo(Inbound.DEFAULTS);
        assertThat(config.inbound().checks()).isTrue();
        assertThat(config.inbound().dmarc()).isEqualTo(Inbound.DmarcMode.REPORT_ONLY);
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> EngineConfigYaml.read(EngineConfigYamlTest.MINIMAL + "inbound: {dmarc: strict}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'strict' is not report-only or enforce");
        assertThatThrownBy(() -> EngineConfigYaml.read(EngineConfigYamlTest.MINIMAL
                + "dkim: [{domain: example.org, selector: s1, algorithm: rsa-sha1, keyFile: /k}]\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("rsa-sha1");
        assertThatThrownBy(() -> EngineConfigYaml.read(EngineConfigYamlTest.MINIMAL
                + "dkim: [{domain: other.org, selector: s1, keyFile: /k}]\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("other.org is not one of the local domains");
        assertThatThrownBy(() -> EngineConfigYaml.read(EngineConfigYamlTest.MINIMAL
                + "dkim: [{domain: example.org, selector: 'bad selector', keyFile: /k}]\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is not a DNS label");
        assertThatThrownBy(() -> new EngineConfig("h", List.of("example.org"), List.of(), new TlsFiles("c", "k"), "a", null, "d",
                null, null, null, List.of(new DkimKey("example.org", "s", null, "/a"), new DkimKey("example.org", "s", null, "/b")), null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("same selector twice");
    }
}
