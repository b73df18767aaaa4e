package io.sealmail.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.time.Duration;

/**
 * Checks of mail received on port 25: SPF (RFC 7208), DKIM (RFC 6376) and DMARC (RFC 7489), recorded in an
 * Authentication-Results header (RFC 8601).
 *
 * @param checks       run the checks (default true)
 * @param dmarc        {@code report-only} (default: record the results, deliver everything) or {@code enforce}
 *                     (DMARC p=reject failures get 550 5.7.1, p=quarantine failures go to Junk, temporary DNS
 *                     failures get 451, a HELO name whose SPF record fails the client gets 550 5.7.23)
 * @param checkTimeout the longest all checks of one message may take, DNS included (default 20 s, RFC 7208 §4.6.4)
 */
public record Inbound(Boolean checks, DmarcMode dmarc, Duration checkTimeout) {
    public static final Inbound DEFAULTS = new Inbound(true, DmarcMode.REPORT_ONLY, Duration.ofSeconds(20));

    public Inbound {
        checks = checks == null || checks;
        dmarc = dmarc == null ? DmarcMode.REPORT_ONLY : dmarc;
        checkTimeout = checkTimeout == null ? Duration.ofSeconds(20) : checkTimeout;
        if (checkTimeout.isNegative() || checkTimeout.isZero()) {
            throw new ConfigException("inbound.checkTimeout: " + checkTimeout + " must be a positive duration such as PT20S");
        }
    }

    public enum DmarcMode {
        REPORT_ONLY("report-only"), ENFORCE("enforce");

        private final String id;

        DmarcMode(String id) {
            this.id = id;
        }

        @JsonValue
        public String id() {
            return id;
        }

        @JsonCreator
        public static DmarcMode of(String id) {
            for (DmarcMode m : values()) {
                if (m.id.equalsIgnoreCase(id)) {
                    return m;
                }
            }
            throw new ConfigException("inbound.dmarc: '" + id + "' is not report-only or enforce");
        }
    }
}
