package io.sealmail.operator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The committed CRD rejects bad manifests at apply time and fills in the defaults (see {@link CrdSchema}). */
class MailServerSchemaTest {
    private static CrdSchema schema;

    @BeforeAll
    static void load() throws Exception {
        schema = CrdSchema.load(CrdSchema.COMMITTED);
    }

    private static JsonNode manifest(String spec) throws Exception {
        return CrdSchema.yaml("""
                apiVersion: sealmail.io/v1alpha1
                kind: MailServer
                metadata:
                  name: mail
                spec:
                """ + spec.indent(2));
    }

    @Test
    void aMinimalManifestIsValidAndGetsTheDefaults() throws Exception {
        JsonNode m = manifest("""
                domains: [example.com]
                hostname: mail.example.com
                """);
        assertThat(schema.validate(m)).isEmpty();
        assertThat(m.at("/spec/ports").toString()).isEqualTo("[\"smtp\",\"submission\",\"smtps\",\"pop3s\",\"imaps\"]");
        assertThat(m.at("/spec/tls/issuer").asText()).isEqualTo("ca");
        assertThat(m.at("/spec/tls/duration").asText()).isEqualTo("2160h");
        assertThat(m.at("/spec/tls/privateKey/algorithm").asText()).isEqualTo("ECDSA");
        assertThat(m.at("/spec/service/type").asText()).isEqualTo("ClusterIP");
        assertThat(m.at("/spec/storage/size").asText()).isEqualTo("1Gi");
        assertThat(m.at("/spec/dkim/enabled").asBoolean()).isTrue();
        assertThat(m.at("/spec/inbound/dmarc").asText()).isEqualTo("report-only");
        assertThat(m.at("/spec/dns/dmarcPolicy").asText()).isEqualTo("quarantine");
        assertThat(m.at("/spec/dns/mtaSts").asText()).isEqualTo("testing");
        assertThat(m.at("/spec/dns/dane").asBoolean()).isFalse();
        assertThat(m.at("/spec/outbound/mode").asText()).isEqualTo("direct");
        assertThat(m.at("/spec/outbound/dns/dnssec").asBoolean()).isFalse();
    }

    @Test
    void aRelayGetsStarttlsByDefault() throws Exception {
        JsonNode m = manifest("""
                domains: [example.com]
                hostname: mail.example.com
                outbound: {mode: relay, relay: {host: "smtp.provider.example:587", credentialsSecretName: relay-login}}
                """);
        assertThat(schema.validate(m)).isEmpty();
        assertThat(m.at("/spec/outbound/relay/tls").asText()).isEqualTo("starttls");
    }

    @Test
    void aFullManifestIsValid() throws Exception {
        JsonNode m = manifest("""
                domains: [example.com, example.org]
                hostname: mail.example.com
                ports: [smtp, submission, smtps, pop3, pop3s, imap, imaps, lmtp]
                service:
                  type: LoadBalancer
                  externalTrafficPolicy: Local
                  loadBalancerSourceRanges: [10.0.0.0/8, "2001:db8::/32"]
                  proxyProtocol: true
                  trustedProxies: [10.0.0.0/8, 192.0.2.7, "2001:db8::/32"]
                  annotations: {metallb.universe.tf/address-pool: mail}
                tls:
                  issuer: secret
                  secretName: mail-example-com
                  duration: 720h
                  renewBefore: 240h
                  privateKey: {algorithm: RSA, size: 3072}
                  extraDnsNames: [smtp.example.com, "*.example.org"]
                accounts: {secretName: mail-accounts}
                aliases: {postmaster@example.com: alice@example.com}
                storage: {size: 10Gi, storageClassName: fast}
                limits: {maxMessageSize: 52428800, maxRecipients: 200, maxConnections: 500, maxConnectionsPerAddress: 10, quotaPerAccount: 2Gi, quotaMessagesPerAccount: 100000}
                resources: {requests: {cpu: 100m, memory: 256Mi}, limits: {memory: 512Mi}}
                nodeSelector: {kubernetes.io/os: linux}
                tolerations: [{key: mail, operator: Exists, effect: NoSchedule}]
                dkim: {keys: [{selector: s202612, algorithm: rsa-sha256}, {selector: s202612e, algorithm: ed25519-sha256}, {selector: s202606, sign: false}]}
                inbound: {dmarc: enforce}
                dns: {dmarcPolicy: reject, dmarcReports: [mailto:dmarc@example.com], mtaSts: enforce, mtaStsMaxAge: 86400, tlsReports: [mailto:tls@example.com], dane: true}
                """);
        assertThat(schema.validate(m)).isEmpty();
    }

    static Stream<Arguments> badManifests() {
        return Stream.of(
                Arguments.of("no domains", "hostname: mail.example.com", ".spec.domains: Required value"),
                Arguments.of("an empty domain list", "domains: []\nhostname: mail.example.com",
                        "must have at least 1 items"),
                Arguments.of("a domain with an underscore", "domains: [ex_ample.com]\nhostname: mail.example.com",
                        "does not match"),
                Arguments.of("an upper-case domain", "domains: [Example.com]\nhostname: mail.example.com",
                        "does not match"),
                Arguments.of("a repeated domain", "domains: [example.com, example.com]\nhostname: mail.example.com",
                        "domains must not repeat"),
                Arguments.of("no hostname", "domains: [example.com]", ".spec.hostname: Required value"),
                Arguments.of("a single-label hostname", "domains: [example.com]\nhostname: mail", "does not match"),
                Arguments.of("a hostname with a trailing dot", "domains: [example.com]\nhostname: mail.example.com.",
                        "does not match"),
                Arguments.of("no ports at all", "domains: [example.com]\nhostname: mail.example.com\nports: []",
                        "at least one port is required"),
                Arguments.of("POP2", "domains: [example.com]\nhostname: mail.example.com\nports: [pop2]",
                        "unsupported value"),
                Arguments.of("a repeated port", "domains: [example.com]\nhostname: mail.example.com\nports: [smtp, smtp]",
                        "ports must not repeat"),
                Arguments.of("an unknown Service type",
                        "domains: [example.com]\nhostname: mail.example.com\nservice: {type: ExternalName}",
                        "unsupported value"),
                Arguments.of("source ranges without a load balancer",
                        "domains: [example.com]\nhostname: mail.example.com\nservice: {loadBalancerSourceRanges: [10.0.0.0/8]}",
                        "loadBalancerSourceRanges needs type LoadBalancer"),
                Arguments.of("a traffic policy on a ClusterIP Service",
                        "domains: [example.com]\nhostname: mail.example.com\nservice: {externalTrafficPolicy: Local}",
                        "externalTrafficPolicy needs type NodePort or LoadBalancer"),
                Arguments.of("PROXY protocol without trusted proxies",
                        "domains: [example.com]\nhostname: mail.example.com\nservice: {type: LoadBalancer, proxyProtocol: true}",
                        "proxyProtocol needs trustedProxies"),
                Arguments.of("trusted proxies without the PROXY protocol",
                        "domains: [example.com]\nhostname: mail.example.com\nservice: {trustedProxies: [10.0.0.0/8]}",
                        "trustedProxies needs proxyProtocol: true"),
                Arguments.of("a trusted proxy given by name",
                        "domains: [example.com]\nhostname: mail.example.com\nservice: {proxyProtocol: true, trustedProxies: [lb.example.com]}",
                        "does not match"),
                Arguments.of("issuer secret without a secret name",
                        "domains: [example.com]\nhostname: mail.example.com\ntls: {issuer: secret}",
                        "tls.secretName is required when tls.issuer is secret"),
                Arguments.of("a secret name with issuer ca",
                        "domains: [example.com]\nhostname: mail.example.com\ntls: {secretName: x}",
                        "tls.secretName is only used with tls.issuer secret"),
                Arguments.of("an unknown issuer", "domains: [example.com]\nhostname: mail.example.com\ntls: {issuer: acme}",
                        "unsupported value"),
                Arguments.of("a duration in days", "domains: [example.com]\nhostname: mail.example.com\ntls: {duration: 90d}",
                        "does not match"),
                Arguments.of("renewBefore longer than the duration",
                        "domains: [example.com]\nhostname: mail.example.com\ntls: {duration: 720h, renewBefore: 800h}",
                        "tls.renewBefore must be shorter than tls.duration"),
                Arguments.of("a ten-minute certificate",
                        "domains: [example.com]\nhostname: mail.example.com\ntls: {duration: 10m}",
                        "tls.duration must be at least 1h"),
                Arguments.of("a 1024-bit RSA key",
                        "domains: [example.com]\nhostname: mail.example.com\ntls: {privateKey: {algorithm: RSA, size: 1024}}",
                        "RSA size must be 2048, 3072 or 4096"),
                Arguments.of("ECDSA P-384",
                        "domains: [example.com]\nhostname: mail.example.com\ntls: {privateKey: {size: 384}}",
                        "ECDSA keys are P-256"),
                Arguments.of("DSA keys",
                        "domains: [example.com]\nhostname: mail.example.com\ntls: {privateKey: {algorithm: DSA}}",
                        "unsupported value"),
                Arguments.of("a wildcard in the middle of a name",
                        "domains: [example.com]\nhostname: mail.example.com\ntls: {extraDnsNames: [mail.*.example.com]}",
                        "does not match"),
                Arguments.of("accounts without a secret name",
                        "domains: [example.com]\nhostname: mail.example.com\naccounts: {}",
                        ".spec.accounts.secretName: Required value"),
                Arguments.of("a storage size that is not a quantity",
                        "domains: [example.com]\nhostname: mail.example.com\nstorage: {size: ten gigabytes}",
                        "does not match"),
                Arguments.of("a message size limit below 1 KiB",
                        "domains: [example.com]\nhostname: mail.example.com\nlimits: {maxMessageSize: 10}",
                        "should be greater than or equal to"),
                Arguments.of("a mailbox quota that is not a quantity",
                        "domains: [example.com]\nhostname: mail.example.com\nlimits: {quotaPerAccount: 2GB}",
                        "does not match"),
                Arguments.of("a negative message quota",
                        "domains: [example.com]\nhostname: mail.example.com\nlimits: {quotaMessagesPerAccount: -1}",
                        "should be greater than or equal to"),
                Arguments.of("zero recipients",
                        "domains: [example.com]\nhostname: mail.example.com\nlimits: {maxRecipients: 0}",
                        "should be greater than or equal to"),
                Arguments.of("a DKIM selector that is not a DNS label",
                        "domains: [example.com]\nhostname: mail.example.com\ndkim: {keys: [{selector: s_2026}]}",
                        "does not match"),
                Arguments.of("a repeated DKIM selector",
                        "domains: [example.com]\nhostname: mail.example.com\ndkim: {keys: [{selector: a}, {selector: a, algorithm: ed25519-sha256}]}",
                        "dkim.keys: selectors must not repeat"),
                Arguments.of("DKIM keys none of which signs",
                        "domains: [example.com]\nhostname: mail.example.com\ndkim: {keys: [{selector: a, sign: false}]}",
                        "dkim.keys: at least one key must sign"),
                Arguments.of("rsa-sha1 DKIM (RFC 8301 forbids it)",
                        "domains: [example.com]\nhostname: mail.example.com\ndkim: {keys: [{selector: a, algorithm: rsa-sha1}]}",
                        "unsupported value"),
                Arguments.of("nine DKIM keys",
                        "domains: [example.com]\nhostname: mail.example.com\ndkim: {keys: [{selector: a}, {selector: b}, {selector: c}, {selector: d}, {selector: e}, {selector: f}, {selector: g}, {selector: h}, {selector: i}]}",
                        "must have at most 8 items"),
                Arguments.of("an unknown DMARC mode",
                        "domains: [example.com]\nhostname: mail.example.com\ninbound: {dmarc: strict}",
                        "unsupported value"),
                Arguments.of("a DMARC report address without mailto:",
                        "domains: [example.com]\nhostname: mail.example.com\ndns: {dmarcReports: [dmarc@example.com]}",
                        "does not match"),
                Arguments.of("an MTA-STS max_age over a year",
                        "domains: [example.com]\nhostname: mail.example.com\ndns: {mtaStsMaxAge: 31557601}",
                        "should be less than or equal to"),
                Arguments.of("relay mode without a relay",
                        "domains: [example.com]\nhostname: mail.example.com\noutbound: {mode: relay}",
                        "outbound.relay is required with mode relay"),
                Arguments.of("a relay with direct delivery",
                        "domains: [example.com]\nhostname: mail.example.com\noutbound: {relay: {host: smtp.example.net}}",
                        "outbound.relay is only used with mode relay"),
                Arguments.of("a relay without a host",
                        "domains: [example.com]\nhostname: mail.example.com\noutbound: {mode: relay, relay: {tls: implicit}}",
                        ".spec.outbound.relay.host: Required value"),
                Arguments.of("a relay port past 65535",
                        "domains: [example.com]\nhostname: mail.example.com\noutbound: {mode: relay, relay: {host: \"smtp.example.net:65536\"}}",
                        "does not match"),
                Arguments.of("a relay URL instead of a host",
                        "domains: [example.com]\nhostname: mail.example.com\noutbound: {mode: relay, relay: {host: \"smtp://smtp.example.net\"}}",
                        "does not match"),
                Arguments.of("plaintext to the relay",
                        "domains: [example.com]\nhostname: mail.example.com\noutbound: {mode: relay, relay: {host: smtp.example.net, tls: none}}",
                        "unsupported value"),
                Arguments.of("a relay Secret name with capitals",
                        "domains: [example.com]\nhostname: mail.example.com\noutbound: {mode: relay, relay: {host: smtp.example.net, credentialsSecretName: Relay}}",
                        "does not match"),
                Arguments.of("an unknown outbound mode",
                        "domains: [example.com]\nhostname: mail.example.com\noutbound: {mode: smarthost}",
                        "unsupported value"),
                Arguments.of("a DNS server given by name (DNS would be needed to find DNS)",
                        "domains: [example.com]\nhostname: mail.example.com\noutbound: {dns: {servers: [dns.google]}}",
                        "does not match"),
                Arguments.of("a DNS server address out of range",
                        "domains: [example.com]\nhostname: mail.example.com\noutbound: {dns: {servers: [10.0.0.300]}}",
                        "does not match"),
                Arguments.of("nine DNS servers",
                        "domains: [example.com]\nhostname: mail.example.com\noutbound: {dns: {servers: [1.1.1.1, 1.1.1.2, 1.1.1.3, 1.1.1.4, 1.1.1.5, 1.1.1.6, 1.1.1.7, 1.1.1.8, 1.1.1.9]}}",
                        "must have at most 8 items"),
                Arguments.of("zero outbound connections",
                        "domains: [example.com]\nhostname: mail.example.com\noutbound: {maxConnections: 0}",
                        "should be greater than or equal to"),
                Arguments.of("a first retry longer than the longest interval",
                        "domains: [example.com]\nhostname: mail.example.com\noutbound: {firstRetry: 5h, maxRetryInterval: 4h}",
                        "outbound.firstRetry must not be longer than outbound.maxRetryInterval"),
                Arguments.of("a zero first retry",
                        "domains: [example.com]\nhostname: mail.example.com\noutbound: {firstRetry: 0s}",
                        "outbound.firstRetry must be at least 1s"),
                Arguments.of("a lifetime in days",
                        "domains: [example.com]\nhostname: mail.example.com\noutbound: {maxLifetime: 5d}",
                        "does not match"),
                Arguments.of("a misspelt field", "domains: [example.com]\nhostname: mail.example.com\nhostnmae: x",
                        ".spec.hostnmae: unknown field"),
                Arguments.of("a port number instead of a name",
                        "domains: [example.com]\nhostname: mail.example.com\nports: [25]", "must be of type string"));
    }

    private static JsonNode named(String name) throws Exception {
        JsonNode m = manifest("domains: [example.com]\nhostname: mail.example.com");
        ((com.fasterxml.jackson.databind.node.ObjectNode) m.get("metadata")).put("name", name);
        return m;
    }

    /** Names whose Services and StatefulSet the API server accepts, up to exactly the longest (52 characters). */
    @ParameterizedTest
    @MethodSource("goodNames")
    void acceptsANameItsObjectsCanCarry(String name) throws Exception {
        assertThat(schema.validate(named(name))).as(name).isEmpty();
    }

    static Stream<String> goodNames() {
        return Stream.of("mail", "m", "mail-1", "a".repeat(Names.MAX_NAME_LENGTH), "m" + "0".repeat(51));
    }

    /**
     * Names the API server would refuse for {@code <name>-headless} or the pods' controller-revision-hash label, one
     * character past the longest among them (issue 16, item 7).
     */
    @ParameterizedTest
    @MethodSource("badNames")
    void rejectsANameItsObjectsCannotCarry(String name, String expectedError) throws Exception {
        assertThat(schema.validate(named(name))).as(name).anySatisfy(e -> assertThat(e).contains(expectedError));
    }

    static Stream<Arguments> badNames() {
        return Stream.of(
                Arguments.of("mail.example.com", "must be a DNS-1035 label"),
                Arguments.of("1mail", "must be a DNS-1035 label"),
                Arguments.of("Mail", "must be a DNS-1035 label"),
                Arguments.of("mail-", "must be a DNS-1035 label"),
                Arguments.of("mail_1", "must be a DNS-1035 label"),
                Arguments.of("a".repeat(Names.MAX_NAME_LENGTH + 1), "must be at most 52 characters"),
                Arguments.of("a".repeat(63), "must be at most 52 characters"));
    }

    /** The bound itself: {@code <name>-<10-character hash>} and {@code <name>-headless} fit 63 characters exactly. */
    @Test
    void theLongestNameFitsTheLabelAndServiceLimits() {
        String longest = "a".repeat(Names.MAX_NAME_LENGTH);
        assertThat((longest + "-" + "6b8f9c7d5x").length()).isEqualTo(63);
        assertThat((longest + "-headless").length()).isLessThanOrEqualTo(63);
        assertThat(("a" + longest + "-" + "6b8f9c7d5x").length()).isGreaterThan(63);
    }

    @ParameterizedTest(name = "rejects {0}")
    @MethodSource("badManifests")
    void rejects(String what, String spec, String expectedError) throws Exception {
        List<String> errors = schema.validate(manifest(spec));
        assertThat(errors).as(what).anySatisfy(e -> assertThat(e).contains(expectedError));
    }
}
