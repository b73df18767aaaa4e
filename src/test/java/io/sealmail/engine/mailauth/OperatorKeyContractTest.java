package io.sealmail.engine.mailauth;

import io.sealmail.ca.DkimKey;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator makes the keys ({@link DkimKey}: the {@code <name>-dkim} Secret's PEM and the TXT record it puts in
 * status.dns); the engine signs with the PEM. Signatures made with one must verify against the other's record.
 */
class OperatorKeyContractTest {
    @Test
    void keysMadeForTheSecretSignMailThatVerifiesAgainstThePublishedRecord() throws Exception {
        for (DkimKey.Algorithm algorithm : DkimKey.Algorithm.values()) {
            DkimKey made = DkimKey.generate(algorithm);
            DkimSigningKey loaded = DkimSigningKey.fromPem("example.test", "s202612", DkimAlgorithm.of(algorithm.id()), made.privateKeyPem());
            assertThat(loaded.recordText().replace(" ", "")).isEqualTo(made.recordValue().replace(" ", ""));
            byte[] message = DkimTest.bytes(DkimTest.MESSAGE);
            String signed = new DkimSigner(List.of(loaded), Clock.systemUTC()).sign(MessageSource.of(message)) + DkimTest.MESSAGE;
            FakeDns dns = new FakeDns().txt(loaded.recordName(), made.recordValue());
            DkimVerifier.Result result = DkimVerifier.verify(MessageSource.of(signed.getBytes(StandardCharsets.UTF_8)),
                    new BoundedDns(dns, Clock.systemUTC(), Instant.MAX), Clock.systemUTC());
            assertThat(result.results()).as(algorithm.id()).singleElement().extracting(DkimResult::result).isEqualTo(AuthResult.PASS);
        }
    }
}
