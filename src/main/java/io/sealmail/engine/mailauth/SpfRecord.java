package io.sealmail.engine.mailauth;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A parsed SPF record (RFC 7208 §4.6, §12 ABNF). Any syntax error anywhere makes the whole record a permerror
 * (§4.6), so the record is parsed completely before evaluation starts.
 */
record SpfRecord(List<Directive> directives, String redirect, String exp) {
    /** A TXT record holds at most a few KiB in practice; the RFC recommends answers under 512 octets (§3.4). */
    static final int MAX_LENGTH = 4096;
    static final int MAX_TERMS = 256;
    private static final Pattern MODIFIER = Pattern.compile("[A-Za-z][A-Za-z0-9._-]*=.*", Pattern.DOTALL);

    record Directive(AuthResult qualifier, String mechanism, String domainSpec, InetAddress network, int prefix4, int prefix6) {
    }

    static SpfRecord parse(String text) throws MailAuthSyntaxException {
        if (text.length() > MAX_LENGTH) {
            throw new MailAuthSyntaxException("record longer than " + MAX_LENGTH + " characters");
        }
        String[] terms = text.substring(6).split(" +");
        if (terms.length > MAX_TERMS) {
            throw new MailAuthSyntaxException("more than " + MAX_TERMS + " terms");
        }
        List<Directive> directives = new ArrayList<>();
        String redirect = null;
        String exp = null;
        for (String term : terms) {
            if (term.isEmpty()) {
                continue;
            }
            if (MODIFIER.matcher(term).matches()) {
                int eq = term.indexOf('=');
                String name = term.substring(0, eq).toLowerCase(Locale.ROOT);
                String value = term.substring(eq + 1);
                SpfMacro.validate(value, false);
                if (name.equals("redirect")) {
                    if (redirect != null) {
                        throw new MailAuthSyntaxException("two redirect= modifiers");
                    }
                    if (value.isEmpty()) {
                        throw new MailAuthSyntaxException("empty redirect=");
                    }
                    redirect = value;
                } else if (name.equals("exp")) {
                    if (exp != null) {
                        throw new MailAuthSyntaxException("two exp= modifiers");
                    }
                    exp = value;
                }
                // §6: unknown modifiers are ignored.
                continue;
            }
            directives.add(directive(term));
        }
        return new SpfRecord(List.copyOf(directives), redirect, exp);
    }

    private static Directive directive(String term) throws MailAuthSyntaxException {
        AuthResult qualifier = switch (term.charAt(0)) {
            case '+' -> AuthResult.PASS;
            case '-' -> AuthResult.FAIL;
            case '~' -> AuthResult.SOFTFAIL;
            case '?' -> AuthResult.NEUTRAL;
            default -> null;
        };
        String rest = qualifier == null ? term : term.substring(1);
        if (qualifier == null) {
            qualifier = AuthResult.PASS;
        }
        int end = 0;
        while (end < rest.length() && Character.isLetterOrDigit(rest.charAt(end))) {
            end++;
        }
        String name = rest.substring(0, end).toLowerCase(Locale.ROOT);
        String arg = rest.substring(end);
        switch (name) {
            case "all":
                if (!arg.isEmpty()) {
                    throw new MailAuthSyntaxException("'all' takes no argument");
                }
                return new Directive(qualifier, name, null, null, 32, 128);
            case "include":
            case "exists":
                if (!arg.startsWith(":") || arg.length() == 1) {
                    throw new MailAuthSyntaxException("'" + name + "' needs a domain");
                }
                SpfMacro.validate(arg.substring(1), false);
                return new Directive(qualifier, name, arg.substring(1), null, 32, 128);
            case "a":
            case "mx":
            case "ptr": {
                int slash = name.equals("ptr") ? -1 : SpfMacro.indexOutsideMacros(arg, '/');
                String spec = slash < 0 ? arg : arg.substring(0, slash);
                String cidr = slash < 0 ? "" : arg.substring(slash);
                String domainSpec = null;
                if (!spec.isEmpty()) {
                    if (!spec.startsWith(":") || spec.length() == 1) {
                        throw new MailAuthSyntaxException("bad argument to '" + name + "'");
                    }
                    domainSpec = spec.substring(1);
                    SpfMacro.validate(domainSpec, false);
                }
                int[] prefixes = dualCidr(cidr);
                return new Directive(qualifier, name, domainSpec, null, prefixes[0], prefixes[1]);
            }
            case "ip4":
            case "ip6": {
                if (!arg.startsWith(":")) {
                    throw new MailAuthSyntaxException("'" + name + "' needs an address");
                }
                String value = arg.substring(1);
                int slash = value.indexOf('/');
                String address = slash < 0 ? value : value.substring(0, slash);
                boolean v4 = name.equals("ip4");
                int max = v4 ? 32 : 128;
                int prefix = slash < 0 ? max : cidrLength(value.substring(slash + 1), max);
                InetAddress network = SpfCheck.parseAddress(address, v4);
                if (network == null) {
                    throw new MailAuthSyntaxException("bad address in " + name + ":" + TagList.abbreviate(address));
                }
                // ::ffff:a.b.c.d/n in ip6 is the IPv4 network a.b.c.d/(n-96).
                int prefix4 = v4 ? prefix : Math.max(0, prefix - 96);
                return new Directive(qualifier, name, null, network, prefix4, prefix);
            }
            default:
                throw new MailAuthSyntaxException("unknown mechanism '" + TagList.abbreviate(name) + "'");
        }
    }

    /** {@code /n}, {@code //m} or {@code /n//m} after a or mx (§5.6). */
    private static int[] dualCidr(String cidr) throws MailAuthSyntaxException {
        int v4 = 32;
        int v6 = 128;
        if (cidr.isEmpty()) {
            return new int[] {v4, v6};
        }
        String rest = cidr;
        if (rest.startsWith("/") && !rest.startsWith("//")) {
            int next = rest.indexOf("//");
            v4 = cidrLength(rest.substring(1, next < 0 ? rest.length() : next), 32);
            rest = next < 0 ? "" : rest.substring(next);
        }
        if (rest.startsWith("//")) {
            v6 = cidrLength(rest.substring(2), 128);
        } else if (!rest.isEmpty()) {
            throw new MailAuthSyntaxException("bad CIDR length " + TagList.abbreviate(cidr));
        }
        return new int[] {v4, v6};
    }

    private static int cidrLength(String digits, int max) throws MailAuthSyntaxException {
        // §5.6: no leading zeros, at most the address length.
        if (!digits.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(digits) > max) {
            throw new MailAuthSyntaxException("bad CIDR length /" + TagList.abbreviate(digits));
        }
        return Integer.parseInt(digits);
    }
}
