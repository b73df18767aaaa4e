package io.sealmail.engine.delivery.policy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A policy file from {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} (RFC 8461 §3.2).
 *
 * @param mode          enforce, testing or none
 * @param mx            the MX patterns, lower case: {@code mail.example.com} or {@code *.example.net}
 * @param maxAgeSeconds how long the policy may be cached, at most {@link #MAX_AGE_LIMIT}
 */
public record MtaStsPolicy(MtaStsMode mode, List<String> mx, long maxAgeSeconds) {
    /** RFC 8461 §3.2: max_age has "a maximum value of 31557600" (a year). */
    public static final long MAX_AGE_LIMIT = 31_557_600L;
    /** RFC 8461 §3.3: a sender should bound the policy body; 64 KiB is the RFC's own example. */
    public static final int MAX_BYTES = 64 * 1024;

    // sts-policy-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");
    // RFC 5321 sub-domain: Let-dig [Ldh-str]
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,10}");

    public MtaStsPolicy {
        mx = List.copyOf(mx);
    }

    public Duration maxAge() {
        return Duration.ofSeconds(maxAgeSeconds);
    }

    /**
     * Parses a policy body strictly by RFC 8461 §3.2's grammar: one field per line (LF or CRLF), {@code name:value}
     * with optional blanks after the colon; version, mode and max_age required, mx required unless mode is none;
     * unknown fields ignored; of repeated fields other than mx the first counts.
     */
    public static MtaStsPolicy parse(String text) throws MtaStsSyntaxException {
        if (text.length() > MAX_BYTES) {
            throw new MtaStsSyntaxException("policy is larger than " + MAX_BYTES + " bytes");
        }
        String version = null;
        MtaStsMode mode = null;
        Long maxAge = null;
        List<String> mx = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        int last = lines.length;
        while (last > 0 && lines[last - 1].replace("\r", "").isEmpty()) {
            last--; // the optional final line terminator (several are tolerated)
        }
        if (last == 0) {
            throw new MtaStsSyntaxException("policy is empty");
        }
        for (int i = 0; i < last; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            int colon = line.indexOf(':');
            if (colon <= 0 || !FIELD_NAME.matcher(line.substring(0, colon)).matches()) {
                throw new MtaStsSyntaxException("line " + (i + 1) + " is not 'name: value': '"
                        + MtaStsRecord.shorten(line) + "'");
            }
            String name = line.substring(0, colon);
            String value = stripBlanks(line.substring(colon + 1));
            if (value.indexOf('\r') >= 0 || value.chars().anyMatch(c -> c < 0x20 && c != '\t')) {
                throw new MtaStsSyntaxException("line " + (i + 1) + " has a control character");
            }
            switch (name) {
                case "version" -> {
                    if (!value.equals("STSv1")) {
                        throw new MtaStsSyntaxException("version '" + MtaStsRecord.shorten(value) + "' is not STSv1");
                    }
                    version = version == null ? value : version;
                }
                case "mode" -> {
                    MtaStsMode parsed = switch (value) {
                        case "enforce" -> MtaStsMode.ENFORCE;
                        case "testing" -> MtaStsMode.TESTING;
                        case "none" -> MtaStsMode.NONE;
                        default -> throw new MtaStsSyntaxException("mode '" + MtaStsRecord.shorten(value)
                                + "' is not enforce, testing or none");
                    };
                    mode = mode == null ? parsed : mode;
                }
                case "max_age" -> {
                    if (!DIGITS.matcher(value).matches()) {
                        throw new MtaStsSyntaxException("max_age '" + MtaStsRecord.shorten(value)
                                + "' is not 1-10 digits");
                    }
                    // Past the RFC's maximum: cap rather than drop the policy (dropping it would be a downgrade).
                    long parsed = Math.min(Long.parseLong(value), MAX_AGE_LIMIT);
                    maxAge = maxAge == null ? parsed : maxAge;
                }
                case "mx" -> mx.add(mxPattern(value, i + 1));
                default -> {
                    // RFC 8461 §3.2: unknown fields are ignored
                }
            }
        }
        if (version == null) {
            throw new MtaStsSyntaxException("policy has no version field");
        }
        if (mode == null) {
            throw new MtaStsSyntaxException("policy has no mode field");
        }
        if (maxAge == null) {
            throw new MtaStsSyntaxException("policy has no max_age field");
        }
        if (mx.isEmpty() && mode != MtaStsMode.NONE) {
            throw new MtaStsSyntaxException("policy in mode " + mode.name().toLowerCase(Locale.ROOT) + " has no mx field");
        }
        return new MtaStsPolicy(mode, mx, maxAge);
    }

    private static String mxPattern(String value, int line) throws MtaStsSyntaxException {
        String pattern = value.toLowerCase(Locale.ROOT);
        String domain = pattern.startsWith("*.") ? pattern.substring(2) : pattern;
        if (!isDomain(domain)) {
            throw new MtaStsSyntaxException("line " + line + ": mx '" + MtaStsRecord.shorten(value)
                    + "' is not a host name or *.domain");
        }
        return pattern;
    }

    static boolean isDomain(String domain) {
        if (domain.isEmpty() || domain.length() > 253) {
            return false;
        }
        for (String label : domain.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    /** *WSP on either side: spaces and tabs only (RFC 8461's grammar), never other whitespace. */
    static String stripBlanks(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return s.substring(from, to);
    }

    /**
     * RFC 8461 §4.1: an MX host matches a pattern equal to its name, or {@code *.rest} where the host is exactly one
     * label followed by {@code rest} ({@code *.example.com} matches {@code mx1.example.com}, not
     * {@code a.b.example.com} nor {@code example.com}). Case and a trailing dot are ignored.
     */
    public boolean permits(String mxHost) {
        String host = normalize(mxHost);
        for (String pattern : mx) {
            if (pattern.startsWith("*.")) {
                String suffix = pattern.substring(1);
                if (host.endsWith(suffix) && host.length() > suffix.length()
                        && host.lastIndexOf('.', host.length() - suffix.length() - 1) < 0) {
                    return true;
                }
            } else if (host.equals(pattern)) {
                return true;
            }
        }
        return false;
    }

    static String normalize(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /** The policy in its own grammar, as cached on disk (parses back to an equal policy). */
    public String text() {
        StringBuilder out = new StringBuilder("version: STSv1\nmode: ")
                .append(mode.name().toLowerCase(Locale.ROOT)).append('\n');
        mx.forEach(m -> out.append("mx: ").append(m).append('\n'));
        return out.append("max_age: ").append(maxAgeSeconds).append('\n').toString();
    }
}
