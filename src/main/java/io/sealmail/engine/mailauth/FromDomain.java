package io.sealmail.engine.mailauth;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The author domain of a message (RFC 7489 §3.1.1: the domain of the RFC5322.From address), the identity DKIM
 * signing and DMARC are about.
 */
final class FromDomain {
    private FromDomain() {
    }

    /**
     * The one domain of the message's From field, or a reason why there is not exactly one: no From field, more
     * than one From field (RFC 5322 §3.6 allows one), or addresses of different domains.
     */
    static Result of(HeaderSection headers) {
        List<HeaderField> from = headers.all("From");
        if (from.isEmpty()) {
            return new Result(null, "no From field");
        }
        if (from.size() > 1) {
            return new Result(null, from.size() + " From fields (RFC 5322 allows one)");
        }
        Set<String> domains = new LinkedHashSet<>(domains(from.get(0).value()));
        if (domains.isEmpty()) {
            return new Result(null, "no address with a valid domain in From");
        }
        if (domains.size() > 1) {
            return new Result(null, "From has addresses of " + domains.size() + " domains");
        }
        return new Result(domains.iterator().next(), null);
    }

    record Result(String domain, String problem) {
    }

    /** The domains of every address in an RFC 5322 address list (comments, display names and groups skipped). */
    static List<String> domains(String value) {
        String text = withoutComments(value);
        List<String> domains = new ArrayList<>();
        for (String mailbox : topLevelSplit(text)) {
            String m = mailbox.strip();
            int lt = lastOutsideQuotes(m, '<');
            if (lt >= 0) {
                int gt = m.indexOf('>', lt);
                m = m.substring(lt + 1, gt < 0 ? m.length() : gt);
            } else {
                int colon = lastOutsideQuotes(m, ':'); // group "name: a@b, c@d;"
                if (colon >= 0) {
                    m = m.substring(colon + 1);
                }
            }
            m = m.replace(";", "").strip();
            int at = lastOutsideQuotes(m, '@');
            if (at < 0) {
                continue;
            }
            String domain = DomainName.normalise(m.substring(at + 1).strip());
            if (domain != null && domain.contains(".")) {
                domains.add(domain);
            }
        }
        return domains;
    }

    private static String withoutComments(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                if (depth == 0) {
                    out.append(c).append(s.charAt(i + 1));
                }
                i++;
            } else if (quoted) {
                out.append(c);
                quoted = c != '"';
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && depth > 0) {
                depth--;
            } else if (depth == 0) {
                quoted = c == '"';
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Splits at commas outside quoted strings and angle brackets. */
    private static List<String> topLevelSplit(String s) {
        List<String> parts = new ArrayList<>();
        boolean quoted = false;
        boolean angle = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '<') {
                angle = true;
            } else if (!quoted && c == '>') {
                angle = false;
            } else if (!quoted && !angle && c == ',') {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    private static int lastOutsideQuotes(String s, char wanted) {
        boolean quoted = false;
        int found = -1;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == wanted) {
                found = i;
            }
        }
        return found;
    }
}
