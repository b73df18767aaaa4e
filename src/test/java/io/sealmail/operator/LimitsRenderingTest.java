package io.sealmail.operator;

import io.sealmail.config.EngineConfigYaml;
import io.sealmail.config.Limits;
import io.sealmail.operator.api.v1alpha1.LimitsSpec;
import io.sealmail.operator.api.v1alpha1.MailServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** spec.limits as the engine's {@link Limits}, through the engine.yaml text the pod reads. */
class LimitsRenderingTest {

    private static Limits rendered(LimitsSpec limits) {
        MailServer ms = OperatorTestSupport.mailServer("ns", "mail");
        ms.getSpec().limits = limits;
        return EngineConfigYaml.read(EngineConfigYaml.write(EngineConfigRenderer.render(ms))).limits();
    }

    @Test
    void withoutLimitsTheEngineKeepsItsDefaultsAndNoQuota() {
        assertThat(rendered(null)).isEqualTo(Limits.DEFAULTS);
        assertThat(rendered(new LimitsSpec()).withDefaults()).isEqualTo(Limits.DEFAULTS);
        assertThat(Limits.DEFAULTS.quotaPerAccount()).isZero();
        assertThat(Limits.DEFAULTS.quotaMessagesPerAccount()).isZero();
    }

    @ParameterizedTest
    @CsvSource({
            "0, 0",
            "1000, 1000",
            "1.5Mi, 1572864",
            "2Gi, 2147483648",
            "10G, 10000000000",
            "0.5, 0",
            // Past the range of a long (8 EiB): the largest long, which no mailbox reaches, not a wrapped number.
            "9999999Pi, 9223372036854775807",
    })
    void theMailboxQuotaIsAQuantityInOctets(String quantity, long octets) {
        LimitsSpec spec = new LimitsSpec();
        spec.quotaPerAccount = quantity;
        spec.quotaMessagesPerAccount = 5000L;
        Limits limits = rendered(spec);
        assertThat(limits.quotaPerAccount()).isEqualTo(octets);
        assertThat(limits.quotaMessagesPerAccount()).isEqualTo(5000L);
        assertThat(limits.maxRecipients()).as("the rest keeps its default").isEqualTo(Limits.DEFAULTS.maxRecipients());
    }
}
