package io.sealmail.engine.mailauth;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sealmail.config.Inbound;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Jazzer fuzz targets for every parser that reads hostile input: DKIM-Signature fields and key records, SPF
 * records and macros, DMARC records, From fields, Authentication-Results ids and whole messages through the
 * inbound checks. A target fails on any exception other than the parser's own syntax error, or on a hang.
 * Not in the default test run (the class name does not end in Test). Regression run over the seeds:
 * {@code ./mvnw -q test -Dtest=MailAuthFuzz}; fuzzing: {@code JAZZER_FUZZ=1 ./mvnw -q test -Dtest=MailAuthFuzz#spfRecord}
 * (one target at a time, {@code -Djazzer.max_duration=5m}).
 */
class MailAuthFuzz {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-03T12:00:00Z"), java.time.ZoneOffset.UTC);

    @FuzzTest(maxDuration = "5m")
    void dkimSignature(FuzzedDataProvider data) {
        String value = data.consumeRemainingAsString();
        try {
            DkimSignature.parse(new HeaderField("DKIM-Signature", "DKIM-Signature:" + value, 0, value.length() + 17));
        } catch (MailAuthSyntaxException expected) {
            // a clear syntax result is the right answer to garbage
        }
        DkimSignature.withoutSignatureValue("DKIM-Signature:" + value);
    }

    @FuzzTest(maxDuration = "5m")
    void dkimKeyRecord(FuzzedDataProvider data) {
        try {
            DkimKeyRecord record = DkimKeyRecord.parse(data.consumeRemainingAsString());
            for (DkimAlgorithm a : DkimAlgorithm.values()) {
                try {
                    a.publicKey(record.key());
                } catch (java.security.GeneralSecurityException expected) {
                    // not a key of this type
                }
            }
        } catch (MailAuthSyntaxException expected) {
            // refused with a reason
        }
    }

    @FuzzTest(maxDuration = "5m")
    void spfRecord(FuzzedDataProvider data) throws Exception {
        String record = "v=spf1 " + data.consumeRemainingAsString();
        FakeDns dns = new FakeDns().txt("fuzz.test", record.replace(",", ""));
        // Whatever the record, the check ends with a result and asks a bounded number of questions.
        SpfResult r = SpfCheck.check(new BoundedDns(dns, CLOCK, Instant.MAX), InetAddress.getByName("192.0.2.1"), "h.fuzz.test", "a@fuzz.test");
        if (r.result() == null || dns.queries.get() > 1 + SpfCheck.MAX_DNS_TERMS * (1 + SpfCheck.MAX_NAMES_PER_TERM)) {
            throw new IllegalStateException("unbounded SPF evaluation: " + r + " after " + dns.queries.get() + " questions");
        }
    }

    @FuzzTest(maxDuration = "5m")
    void spfMacro(FuzzedDataProvider data) throws Exception {
        try {
            SpfMacro.expand(data.consumeRemainingAsString(),
                    new SpfMacro.Context("user@fuzz.test", "fuzz.test", InetAddress.getByName("2001:db8::1"), "h.fuzz.test"));
        } catch (MailAuthSyntaxException expected) {
            // refused with a reason
        }
    }

    @FuzzTest(maxDuration = "5m")
    void dmarcRecord(FuzzedDataProvider data) {
        DmarcRecord.parse("v=DMARC1; " + data.consumeRemainingAsString());
    }

    @FuzzTest(maxDuration = "5m")
    void fromAndAuthenticationResults(FuzzedDataProvider data) {
        String value = data.consumeRemainingAsString();
        FromDomain.domains(value);
        AuthenticationResults.claims(new HeaderField("Authentication-Results", "Authentication-Results:" + value, 0, 0), "mx.fuzz.test");
    }

    @FuzzTest(maxDuration = "5m")
    void wholeMessage(FuzzedDataProvider data) throws Exception {
        byte[] message = data.consumeRemainingAsBytes();
        FakeDns dns = new FakeDns().txt("fuzz.test", "v=spf1 -all").txt("_dmarc.fuzz.test", "v=DMARC1; p=reject");
        InboundVerdict v = new InboundChecks("mx.fuzz.test", dns, new Inbound(true, Inbound.DmarcMode.ENFORCE, Duration.ofSeconds(5)), CLOCK)
                .check(InetAddress.getByName("192.0.2.1"), "h.fuzz.test", "a@fuzz.test", MessageSource.of(message));
        if (v.authenticationResults().getBytes(StandardCharsets.ISO_8859_1).length > 8192) {
            throw new IllegalStateException("Authentication-Results grew without bound");
        }
    }
}
