package io.sealmail.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which DNS names and IP addresses a leaf may carry, and the message for each that it may not. */
class SubjectAltNamesTest {
    static final String LABEL63 = "a".repeat(63);

    static Stream<Arguments> acceptedDnsNames() {
        return Stream.of(
                Arguments.of("a plain name is kept", "mail.example.com", "mail.example.com"),
                Arguments.of("upper case is lowered", "MAIL.Example.COM", "mail.example.com"),
                Arguments.of("a single label (a Kubernetes short name) is allowed", "mail", "mail"),
                Arguments.of("a cluster-local service name is allowed", "mail.ns.svc.cluster.local", "mail.ns.svc.cluster.local"),
                Arguments.of("digits and inner hyphens are allowed", "mx-1.0ex-ample.com", "mx-1.0ex-ample.com"),
                Arguments.of("an IDNA A-label is allowed", "xn--bcher-kva.example", "xn--bcher-kva.example"),
                Arguments.of("a wildcard as the whole left-most label is allowed", "*.example.com", "*.example.com"),
                Arguments.of("a 63-character label is allowed", LABEL63 + ".com", LABEL63 + ".com"),
                Arguments.of("a 253-character name is allowed", name253(), name253()));
    }

    static String name253() {
        return LABEL63 + "." + LABEL63 + "." + LABEL63 + "." + "a".repeat(61);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedDnsNames")
    void acceptsDnsName(String sentence, String raw, String normalised) {
        assertThat(SubjectAltNames.dnsName(raw)).isEqualTo(normalised);
    }

    static Stream<Arguments> refusedDnsNames() {
        return Stream.of(
                Arguments.of("an empty name is refused", "", "empty DNS name"),
                Arguments.of("a wildcard inside a label is refused", "*a.example.com",
                        "DNS name \"*a.example.com\": a wildcard must be the whole left-most label, as in *.example.com"),
                Arguments.of("a wildcard at the end of a label is refused", "a*.example.com",
                        "DNS name \"a*.example.com\": a wildcard must be the whole left-most label, as in *.example.com"),
                Arguments.of("a wildcard in a later label is refused", "a.*.example.com",
                        "DNS name \"a.*.example.com\": a wildcard must be the whole left-most label, as in *.example.com"),
                Arguments.of("two wildcards are refused", "*.*.example.com",
                        "DNS name \"*.*.example.com\": a wildcard must be the whole left-most label, as in *.example.com"),
                Arguments.of("a double-star label is refused", "**.example.com",
                        "DNS name \"**.example.com\": a wildcard must be the whole left-most label, as in *.example.com"),
                Arguments.of("a bare wildcard is refused", "*",
                        "DNS name \"*\": a wildcard must cover at least two more labels, as in *.example.com"),
                Arguments.of("a wildcard over a top-level domain is refused", "*.com",
                        "DNS name \"*.com\": a wildcard must cover at least two more labels, as in *.example.com"),
                Arguments.of("a trailing dot is refused", "mail.example.com.", "DNS name \"mail.example.com.\" must not end with a dot"),
                Arguments.of("a leading dot is an empty label", ".example.com", "DNS name \".example.com\" has an empty label"),
                Arguments.of("two dots in a row are an empty label", "mail..example.com", "DNS name \"mail..example.com\" has an empty label"),
                Arguments.of("an underscore is refused", "_dmarc.example.com",
                        "DNS name \"_dmarc.example.com\" contains '_'; only letters, digits and hyphens are allowed in a label"),
                Arguments.of("a space is refused", "mail example.com",
                        "DNS name \"mail example.com\" contains whitespace or control characters"),
                Arguments.of("a non-ASCII name is refused with a hint", "bücher.example",
                        "DNS name \"bücher.example\" contains non-ASCII characters; use the IDNA A-label form (xn--...)"),
                Arguments.of("a leading hyphen is refused", "-mail.example.com",
                        "DNS name \"-mail.example.com\" has a label that starts or ends with a hyphen"),
                Arguments.of("a trailing hyphen is refused", "mail-.example.com",
                        "DNS name \"mail-.example.com\" has a label that starts or ends with a hyphen"),
                Arguments.of("a 64-character label is refused", "a".repeat(64) + ".com",
                        "DNS name \"" + "a".repeat(64) + ".com\" has a label of 64 characters; the limit is 63"),
                Arguments.of("a 254-character name is refused", name253() + "a",
                        "DNS name \"" + name253() + "a\" is 254 characters long; the limit is 253"),
                Arguments.of("an IPv4 address is not a DNS name", "192.0.2.1",
                        "DNS name \"192.0.2.1\" is an IP address; give it as an IP address, not a DNS name"),
                Arguments.of("an IPv6 address is not a DNS name", "::1",
                        "DNS name \"::1\" is an IP address; give it as an IP address, not a DNS name"),
                Arguments.of("an all-numeric last label is refused", "256.0.0.1",
                        "DNS name \"256.0.0.1\" ends in an all-numeric label, which no DNS name has"),
                Arguments.of("a URL is refused", "https://mail.example.com",
                        "DNS name \"https://mail.example.com\" contains ':'; only letters, digits and hyphens are allowed in a label"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedDnsNames")
    void refusesDnsName(String sentence, String raw, String message) {
        assertThatThrownBy(() -> SubjectAltNames.dnsName(raw)).isInstanceOf(CaException.class).hasMessage(message);
    }

    static Stream<Arguments> acceptedIps() {
        return Stream.of(
                Arguments.of("an IPv4 address", "192.0.2.1", "192.0.2.1"),
                Arguments.of("IPv4 zero and broadcast", "0.0.0.0", "0.0.0.0"),
                Arguments.of("IPv6 loopback", "::1", "::1"),
                Arguments.of("IPv6 written in full is compressed", "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
                Arguments.of("IPv6 compresses the longest zero run", "2001:db8:0:0:1:0:0:0", "2001:db8:0:0:1::"),
                Arguments.of("a single zero group is not compressed", "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
                Arguments.of("IPv4-mapped IPv6 stays IPv6", "::ffff:192.0.2.1", "::ffff:c000:201"));
    }

    @ParameterizedTest(name = "{0} is accepted as {2}")
    @MethodSource("acceptedIps")
    void acceptsIp(String sentence, String raw, String text) {
        assertThat(SubjectAltNames.ipText(SubjectAltNames.ipAddress(raw))).isEqualTo(text);
    }

    static Stream<Arguments> refusedIps() {
        return Stream.of(
                Arguments.of("a host name is not looked up", "localhost", "IP address \"localhost\" is not an IPv4 or IPv6 literal"),
                Arguments.of("a DNS name is not looked up", "mail.example.com",
                        "IP address \"mail.example.com\" is not an IPv4 or IPv6 literal"),
                Arguments.of("an octet over 255 is refused", "192.0.2.256", "IP address \"192.0.2.256\" is not an IPv4 or IPv6 literal"),
                Arguments.of("three octets are refused", "192.0.2", "IP address \"192.0.2\" is not an IPv4 or IPv6 literal"),
                Arguments.of("a leading zero (octal to some parsers) is refused", "192.0.02.1",
                        "IP address \"192.0.02.1\" has an octet with a leading zero"),
                Arguments.of("a CIDR range is refused", "10.0.0.0/8", "IP address \"10.0.0.0/8\" is not an IPv4 or IPv6 literal"),
                Arguments.of("an IPv6 zone id is refused", "fe80::1%eth0", "IP address \"fe80::1%eth0\" is not an IPv4 or IPv6 literal"),
                Arguments.of("IPv6 in brackets is refused", "[::1]", "IP address \"[::1]\" is not an IPv4 or IPv6 literal"),
                Arguments.of("two double colons are refused", "1::2::3", "IP address \"1::2::3\" is not an IPv4 or IPv6 literal"),
                Arguments.of("an empty address is refused", "", "empty IP address"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedIps")
    void refusesIp(String sentence, String raw, String message) {
        assertThatThrownBy(() -> SubjectAltNames.ipAddress(raw)).isInstanceOf(CaException.class).hasMessage(message);
    }

    @Test
    @DisplayName("issuing refuses the first bad name and issues nothing")
    void issueRefusesBadName() {
        CertificateAuthority ca = CertificateAuthority.create(CaSpec.defaults(), Clock.systemUTC());
        assertThatThrownBy(() -> ca.issue(LeafSpec.of(List.of("ok.example.com", "a.*.example.com"), List.of())))
                .isInstanceOf(CaException.class)
                .hasMessage("DNS name \"a.*.example.com\": a wildcard must be the whole left-most label, as in *.example.com");
        assertThatThrownBy(() -> ca.issue(LeafSpec.of(List.of("ok.example.com"), List.of("mail.example.com"))))
                .isInstanceOf(CaException.class)
                .hasMessage("IP address \"mail.example.com\" is not an IPv4 or IPv6 literal");
    }

    @Test
    @DisplayName("duplicate names, in any case or IP spelling, collapse to one SAN entry")
    void duplicatesCollapse() {
        SubjectAltNames names = SubjectAltNames.of(LeafSpec.of(List.of("a.example.com", "A.EXAMPLE.com"), List.of("::1", "0:0::1")));
        assertThat(names.dnsNames()).containsExactly("a.example.com");
        assertThat(names.ipAddresses()).containsExactly("::1");
    }

    @Test
    @DisplayName("key algorithm ids parse, and a bad one lists the valid ids")
    void keyAlgorithmIds() {
        for (KeyAlgorithm k : KeyAlgorithm.values()) {
            assertThat(KeyAlgorithm.parse(k.id())).isEqualTo(k);
        }
        assertThat(KeyAlgorithm.parse("RSA-3072")).isEqualTo(KeyAlgorithm.RSA_3072);
        assertThatThrownBy(() -> KeyAlgorithm.parse("rsa-1024")).isInstanceOf(CaException.class)
                .hasMessage("unknown key algorithm \"rsa-1024\" (valid: ecdsa-p256, rsa-2048, rsa-3072, rsa-4096)");
    }
}
