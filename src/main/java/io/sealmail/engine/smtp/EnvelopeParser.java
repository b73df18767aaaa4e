package io.sealmail.engine.smtp;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Parses the arguments of MAIL and RCPT: {@code FROM:<path> params} and {@code TO:<path> params}
 * (RFC 5321 §4.1.2). It also recognises the old routing forms that make a server forward mail elsewhere —
 * source routes, the percent hack, bang paths, double-@ and quoted local parts hiding an @ or % — so the
 * session can refuse them as relay attempts instead of passing them to a lookup that might strip them.
 */
final class EnvelopeParser {

    /** Address forms that ask this server to route mail on (RFC 5321 §3.6.1 and Appendix C). */
    enum RoutingTrick {
        SOURCE_ROUTE, PERCENT_HACK, BANG_PATH, DOUBLE_AT, QUOTED_ROUTING
    }

    /** @param address null for the null reverse-path {@code <>} */
    record Parsed(MailAddress address, RoutingTrick trick, Map<String, String> params) {
    }

    static final class SyntaxException extends Exception {
        SyntaxException(String message) {
            super(message);
        }
    }

    private EnvelopeParser() {
    }

    /**
     * @param arguments everything after the verb, e.g. {@code FROM:<a@b> SIZE=10}
     * @param keyword   {@code FROM} or {@code TO}
     */
    static Parsed parse(String arguments, String keyword) throws SyntaxException {
        String args = arguments.stripLeading();
        if (args.length() < keyword.length() + 1
                || !args.regionMatches(true, 0, keyword + ":", 0, keyword.length() + 1)) {
            throw new SyntaxException("expected " + keyword + ":<address>");
        }
        // Postfix tolerates a space after the colon; so do many clients' users typing by hand.
        String rest = args.substring(keyword.length() + 1).stripLeading();
        String path;
        int after;
        if (rest.startsWith("<")) {
            int close = closingBracket(rest);
            if (close < 0) {
                throw new SyntaxException("unterminated <path>");
            }
            path = rest.substring(1, close);
            after = close + 1;
        } else {
            int space = rest.indexOf(' ');
            after = space < 0 ? rest.length() : space;
            path = rest.substring(0, after);
            if (path.isEmpty()) {
                throw new SyntaxException("missing address");
            }
        }
        if (after < rest.length() && rest.charAt(after) != ' ') {
            throw new SyntaxException("garbage after the address");
        }
        Map<String, String> params = parseParams(rest.substring(after));
        if (path.isEmpty()) {
            return new Parsed(null, null, params);
        }
        RoutingTrick trick = null;
        if (path.startsWith("@")) {
            // RFC 5321 §4.1.2 A-d-l: "@relay1,@relay2:user@domain"
            int colon = path.indexOf(':');
            if (colon < 0) {
                throw new SyntaxException("bad source route");
            }
            trick = RoutingTrick.SOURCE_ROUTE;
            path = path.substring(colon + 1);
        }
        int at = lastUnquotedAt(path);
        if (at <= 0 || at == path.length() - 1) {
            throw new SyntaxException("address must be local-part@domain");
        }
        String rawLocal = path.substring(0, at);
        String domain = path.substring(at + 1);
        String local;
        if (rawLocal.startsWith("\"")) {
            local = unquote(rawLocal);
            if (trick == null && (local.contains("@") || local.contains("%") || local.contains("!"))) {
                trick = RoutingTrick.QUOTED_ROUTING;
            }
        } else {
            if (rawLocal.contains("@")) {
                trick = trick == null ? RoutingTrick.DOUBLE_AT : trick;
                local = rawLocal;
            } else {
                if (!isDotString(rawLocal)) {
                    throw new SyntaxException("bad local part");
                }
                local = rawLocal;
                if (trick == null && local.contains("%")) {
                    trick = RoutingTrick.PERCENT_HACK;
                } else if (trick == null && local.contains("!")) {
                    trick = RoutingTrick.BANG_PATH;
                }
            }
        }
        if (!isDomain(domain) && !isAddressLiteral(domain)) {
            throw new SyntaxException("bad domain");
        }
        if (local.length() > 64 || domain.length() > 255) {
            // RFC 5321 §4.5.3.1.1 and §4.5.3.1.2
            throw new SyntaxException("address too long");
        }
        return new Parsed(new MailAddress(local, domain.toLowerCase(Locale.ROOT)), trick, params);
    }

    private static int closingBracket(String s) {
        boolean quoted = false;
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '>' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    private static int lastUnquotedAt(String s) {
        boolean quoted = false;
        int at = -1;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '@' && !quoted) {
                at = i;
            }
        }
        return quoted ? -1 : at;
    }

    private static String unquote(String quoted) throws SyntaxException {
        if (quoted.length() < 2 || !quoted.endsWith("\"")) {
            throw new SyntaxException("bad quoted local part");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < quoted.length() - 1; i++) {
            char c = quoted.charAt(i);
            if (c == '\\') {
                if (++i >= quoted.length() - 1) {
                    throw new SyntaxException("bad quoted pair");
                }
                c = quoted.charAt(i);
                if (c < 0x20 || c == 0x7f) {
                    throw new SyntaxException("bad quoted pair");
                }
            } else if (c == '"' || c < 0x20 || c == 0x7f) {
                throw new SyntaxException("bad quoted local part");
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** RFC 5321 Dot-string of atext (RFC 5322 §3.2.3), UTF-8 allowed as in RFC 6531 §3.3. */
    static boolean isDotString(String s) {
        if (s.isEmpty() || s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c == '.' || isAtext(c))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAtext(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0 || c >= 0x80;
    }

    /** RFC 5321 Domain: sub-domains of letters, digits and inner hyphens; U-labels allowed (RFC 6531). */
    private static boolean isDomain(String d) {
        if (d.isEmpty() || d.length() > 255) {
            return false;
        }
        for (String label : d.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(Character.isLetterOrDigit(c) || c == '-') || (c < 0x80 && !isAsciiLetterDigitHyphen(c))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean isAsciiLetterDigitHyphen(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    }

    private static boolean isAddressLiteral(String d) {
        return d.length() > 2 && d.startsWith("[") && d.endsWith("]")
                && d.substring(1, d.length() - 1).chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '[' && c != ']' && c != '\\');
    }

    /** RFC 5321 §4.1.2 Mail-parameters: esmtp-keyword ["=" esmtp-value], separated by spaces. */
    private static Map<String, String> parseParams(String s) throws SyntaxException {
        Map<String, String> params = new LinkedHashMap<>();
        for (String token : s.trim().split(" +")) {
            if (token.isEmpty()) {
                continue;
            }
            int eq = token.indexOf('=');
            String key = (eq < 0 ? token : token.substring(0, eq)).toUpperCase(Locale.ROOT);
            String value = eq < 0 ? null : token.substring(eq + 1);
            if (key.isEmpty() || !key.chars().allMatch(c -> isAsciiLetterDigitHyphen((char) c))
                    || (value != null && value.isEmpty()) || params.containsKey(key)) {
                throw new SyntaxException("bad parameter " + token);
            }
            params.put(key, value);
        }
        return params;
    }
}
