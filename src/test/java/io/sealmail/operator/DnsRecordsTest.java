package io.sealmail.operator;

import io.sealmail.ca.DkimKey;
import io.sealmail.ca.KeyAlgorithm;
import io.sealmail.operator.api.v1alpha1.DnsRecord;
import io.sealmail.operator.api.v1alpha1.DnsSpec;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DnsRecordsTest {
    private static final DkimKey RSA = DkimKey.generate(DkimKey.Algorithm.RSA_SHA256);
    private static final DkimKey ED = DkimKey.generate(DkimKey.Algorithm.ED25519_SHA256);

    private static DnsRecords.Inputs inputs(DnsSpec dns, List<String> addresses, byte[] spki) {
        return new DnsRecords.Inputs(List.of("example.com", "example.org"), "mail.example.com", dns,
                List.of(new DnsRecords.DkimPublication("s202612", RSA.recordValue()),
                        new DnsRecords.DkimPublication("s202612e", ED.recordValue())),
                addresses, spki);
    }

    @Test
    void theDefaultsListMxSpfDkimDmarcAndMtaStsForEveryDomain() {
        List<DnsRecord> records = DnsRecords.of(inputs(null, List.of(), null));
        assertThat(records).contains(
                new DnsRecord("example.com", "MX", "10 mail.example.com."),
                new DnsRecord("example.org", "MX", "10 mail.example.com."),
                new DnsRecord("example.com", "TXT", "\"v=spf1 mx -all\""),
                new DnsRecord("_dmarc.example.org", "TXT", "\"v=DMARC1; p=quarantine\""),
                new DnsRecord("s202612e._domainkey.example.org", "TXT", "\"" + ED.recordValue() + "\""));
        assertThat(records).extracting(r -> r.name).contains("_mta-sts.example.com", "_mta-sts.example.org",
                "s202612._domainkey.example.com").doesNotContain("_smtp._tls.example.com");
        assertThat(records).noneMatch(r -> r.type.equals("TLSA") || r.type.equals("A"));
        assertThat(records).hasSize(2 * 6);
    }

    @Test
    void aLongDkimRecordIsQuotedIn255OctetStringsThatJoinBackToTheKey() {
        DnsRecord dkim = DnsRecords.of(inputs(null, List.of(), null)).stream()
                .filter(r -> r.name.equals("s202612._domainkey.example.com")).findFirst().orElseThrow();
        assertThat(dkim.value).matches("(\"[^\"]{1,255}\" )+\"[^\"]{1,255}\"");
        assertThat(dkim.value.replace("\" \"", "").replace("\"", "")).isEqualTo(RSA.recordValue());
    }

    @Test
    void theMtaStsIdChangesWithThePolicyAndOnlyThen() {
        DnsSpec testing = new DnsSpec();
        DnsSpec enforce = new DnsSpec();
        enforce.mtaSts = DnsSpec.MtaStsMode.ENFORCE;
        String a = mtaStsTxt(DnsRecords.of(inputs(testing, List.of(), null)));
        String again = mtaStsTxt(DnsRecords.of(inputs(new DnsSpec(), List.of(), null)));
        String b = mtaStsTxt(DnsRecords.of(inputs(enforce, List.of(), null)));
        assertThat(a).isEqualTo(again).matches("\"v=STSv1; id=[0-9a-f]{20}\"");
        assertThat(b).isNotEqualTo(a);
        assertThat(DnsRecords.mtaStsPolicy(inputs(enforce, List.of(), null)))
                .isEqualTo("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n");

        DnsSpec none = new DnsSpec();
        none.mtaSts = DnsSpec.MtaStsMode.NONE;
        assertThat(DnsRecords.mtaStsPolicy(inputs(none, List.of(), null))).isNull();
        assertThat(DnsRecords.of(inputs(none, List.of(), null))).noneMatch(r -> r.name.startsWith("_mta-sts."));
    }

    @Test
    void reportAddressesDanePolicyAndExternalAddressesAppearWhenGiven() throws Exception {
        DnsSpec dns = new DnsSpec();
        dns.dmarcPolicy = DnsSpec.DmarcPolicy.REJECT;
        dns.dmarcReports = List.of("mailto:dmarc@example.com", "mailto:d2@example.net");
        dns.tlsReports = List.of("mailto:tls@example.com");
        dns.dane = true;
        byte[] spki = KeyAlgorithm.ECDSA_P256.generate().getPublic().getEncoded();
        List<DnsRecord> records = DnsRecords.of(inputs(dns, List.of("203.0.113.7", "2001:db8::7"), spki));
        assertThat(records).contains(
                new DnsRecord("mail.example.com", "A", "203.0.113.7"),
                new DnsRecord("mail.example.com", "AAAA", "2001:db8::7"),
                new DnsRecord("_dmarc.example.com", "TXT",
                        "\"v=DMARC1; p=reject; rua=mailto:dmarc@example.com,mailto:d2@example.net\""),
                new DnsRecord("_smtp._tls.example.org", "TXT", "\"v=TLSRPTv1; rua=mailto:tls@example.com\""),
                new DnsRecord("_25._tcp.mail.example.com", "TLSA",
                        "3 1 1 " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki))));
    }

    @Test
    void daneWithoutAServedKeyListsNoTlsaRecord() {
        DnsSpec dns = new DnsSpec();
        dns.dane = true;
        assertThat(DnsRecords.of(inputs(dns, List.of(), null))).noneMatch(r -> r.type.equals("TLSA"));
    }

    @Test
    void quotesAndBackslashesInTxtValuesAreEscaped() {
        assertThat(DnsRecords.txt("x.example", "a\"b\\c").value).isEqualTo("\"a\\\"b\\\\c\"");
    }

    private static String mtaStsTxt(List<DnsRecord> records) {
        return records.stream().filter(r -> r.name.equals("_mta-sts.example.com")).findFirst().orElseThrow().value;
    }
}
