package io.sealmail.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OutboundConfigTest {

    @Test
    void anEngineYamlWithoutOutboundDeliversDirectlyWithTheDefaults() {
        Outbound o = EngineConfigYaml.read(EngineConfigYamlTest.MINIMAL).outbound();
        assertThat(o).isEqualTo(Outbound.DEFAULTS);
        assertThat(o.mode()).isEqualTo(Outbound.Mode.DIRECT);
        assertThat(o.dns().servers()).isEmpty();
        assertThat(o.dns().timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.dns().dnssec()).isFalse();
        assertThat(o.firstRetry()).isEqualTo(Duration.ofMinutes(1));
        assertThat(o.maxRetryInterval()).isEqualTo(Duration.ofHours(4));
        assertThat(o.maxLifetime()).isEqualTo(Duration.ofDays(5));
        assertThat(o.maxConnections()).isEqualTo(32);
        assertThat(o.maxConnectionsPerDestination()).isEqualTo(16);
        assertThat(o.mxPort()).isEqualTo(25);
        assertThat(o.maxReceivedHeaders()).isEqualTo(50);
    }

    @Test
    void aRelayBlockRoundTrips() {
        EngineConfig config = EngineConfigYaml.read(EngineConfigYamlTest.MINIMAL + """
                outbound:
                  mode: relay
                  dns: {servers: ["10.96.0.10", "127.0.1.53:5353"], timeout: PT2S, dnssec: true}
                  relay: {host: "smtp.provider.example:465", tls: implicit, credentialsFile: /relay}
                  maxConnections: 8
                  maxConnectionsPerDestination: 2
                  firstRetry: PT30S
                  maxRetryInterval: PT1H
                  maxLifetime: P2D
                  trustedCaFile: /ca/ca.crt
                """);
        Outbound o = config.outbound();
        assertThat(o.mode()).isEqualTo(Outbound.Mode.RELAY);
        assertThat(o.relay().hostName()).isEqualTo("smtp.provider.example");
        assertThat(o.relay().port()).isEqualTo(465);
        assertThat(o.relay().tls()).isEqualTo(Outbound.RelayTls.IMPLICIT);
        assertThat(o.dns().servers()).containsExactly("10.96.0.10", "127.0.1.53:5353");
        assertThat(o.dns().dnssec()).isTrue();
        String yaml = EngineConfigYaml.write(config);
        assertThat(yaml).contains("mode: relay", "tls: implicit", "maxLifetime: PT48H");
        assertThat(EngineConfigYaml.read(yaml)).isEqualTo(config);
    }

    @Test
    void relayPortsDefaultByTlsModeAndIpv6LiteralsParse() {
        assertThat(new Outbound.Relay("relay.example", Outbound.RelayTls.STARTTLS, null).port()).isEqualTo(587);
        assertThat(new Outbound.Relay("relay.example", Outbound.RelayTls.IMPLICIT, null).port()).isEqualTo(465);
        Outbound.Relay v6 = new Outbound.Relay("[2001:db8::1]:2525", null, null);
        assertThat(v6.hostName()).isEqualTo("2001:db8::1");
        assertThat(v6.port()).isEqualTo(2525);
        assertThat(v6.tls()).isEqualTo(Outbound.RelayTls.STARTTLS);
    }

    @Test
    void mistakesAreRefusedWithTheFieldNamed() {
        assertThatThrownBy(() -> EngineConfigYaml.read(EngineConfigYamlTest.MINIMAL + "outbound: {mode: relay}\n"))
                .hasMessageContaining("outbound.relay: required with mode: relay");
        assertThatThrownBy(() -> EngineConfigYaml.read(EngineConfigYamlTest.MINIMAL + "outbound: {mode: smarthost}\n"))
                .hasMessageContaining("'smarthost' is not one of direct, relay, hold");
        assertThatThrownBy(() -> EngineConfigYaml.read(EngineConfigYamlTest.MINIMAL + "outbound: {maxConections: 3}\n"))
                .hasMessageContaining("unknown field 'maxConections'");
        assertThatThrownBy(() -> EngineConfigYaml.read(EngineConfigYamlTest.MINIMAL + "outbound: {firstRetry: PT0S}\n"))
                .hasMessageContaining("outbound.firstRetry: PT0S must be a positive duration");
        assertThatThrownBy(() -> EngineConfigYaml.read(EngineConfigYamlTest.MINIMAL
                + "outbound: {firstRetry: PT2H, maxRetryInterval: PT1H}\n"))
                .hasMessageContaining("maxRetryInterval: PT1H is shorter than firstRetry PT2H");
        assertThatThrownBy(() -> EngineConfigYaml.read(EngineConfigYamlTest.MINIMAL
                + "outbound: {mode: relay, relay: {host: 'relay.example:99999'}}\n"))
                .hasMessageContaining("has no valid port");
        assertThatThrownBy(() -> EngineConfigYaml.read(EngineConfigYamlTest.MINIMAL + "outbound: {maxConnections: 0}\n"))
                .hasMessageContaining("outbound.maxConnections: 0 is below the minimum of 1");
    }

    @Test
    void theDefaultsAreWholeWhicheverClassJacksonInitialisesFirst() throws Exception {
        // A YAML outbound block makes Jackson build Outbound.Dns before Outbound: no static cycle may leave a null.
        java.net.URL classes = Outbound.class.getProtectionDomain().getCodeSource().getLocation();
        try (java.net.URLClassLoader fresh = new java.net.URLClassLoader(new java.net.URL[]{classes},
                ClassLoader.getPlatformClassLoader())) {
            Class.forName("io.sealmail.config.Outbound$Dns", true, fresh);
            Object defaults = Class.forName("io.sealmail.config.Outbound", true, fresh).getField("DEFAULTS").get(null);
            assertThat(defaults.getClass().getMethod("dns").invoke(defaults)).isNotNull();
        }
    }

    @Test
    void holdKeepsEverythingQueued() {
        Outbound o = EngineConfigYaml.read(EngineConfigYamlTest.MINIMAL + "outbound: {mode: hold}\n").outbound();
        assertThat(o.mode()).isEqualTo(Outbound.Mode.HOLD);
        assertThat(List.of(Outbound.Mode.values())).extracting(Outbound.Mode::id).containsExactly("direct", "relay", "hold");
    }
}
