package io.sealmail.engine.mailauth;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** SPF macro strings (RFC 7208 §7): %{s} %{l} %{o} %{d} %{i} %{p} %{v} %{h} with transformers and delimiters. */
final class SpfMacro {
    /** An expansion longer than this is a hostile record; §7.3 truncates domains to 253 anyway. */
    private static final int MAX_EXPANSION = 2048;

    record Context(String sender, String domain, InetAddress ip, String helo) {
    }

    private SpfMacro() {
    }

    /** Checks the syntax only (at parse time, so a bad macro anywhere is a permerror before evaluation). */
    static void validate(String spec, boolean explanation) throws MailAuthSyntaxException {
        expand(spec, null, explanation);
    }

    static String expand(String spec, Context context) throws MailAuthSyntaxException {
        return expand(spec, context, false);
    }

    private static String expand(String spec, Context context, boolean explanation) throws MailAuthSyntaxException {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new MailAuthSyntaxException("invalid character in macro string");
            }
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 1 >= spec.length()) {
                throw new MailAuthSyntaxException("lone % at the end of a macro string");
            }
            char next = spec.charAt(++i);
            switch (next) {
                case '%' -> out.append('%');
                case '_' -> out.append(' ');
                case '-' -> out.append("%20");
                case '{' -> {
                    int close = spec.indexOf('}', i);
                    if (close < 0) {
                        throw new MailAuthSyntaxException("unclosed %{ in macro string");
                    }
                    String body = spec.substring(i + 1, close);
                    String value = macro(body, context, explanation);
                    if (context != null) {
                        out.append(value);
                    }
                    i = close;
                }
                default -> throw new MailAuthSyntaxException("invalid macro %" + next);
            }
            if (out.length() > MAX_EXPANSION) {
                throw new MailAuthSyntaxException("macro expansion longer than " + MAX_EXPANSION);
            }
        }
        return out.toString();
    }

    private static String macro(String body, Context context, boolean explanation) throws MailAuthSyntaxException {
        if (body.isEmpty()) {
            throw new MailAuthSyntaxException("empty macro %{}");
        }
        char letter = Character.toLowerCase(body.charAt(0));
        if ("slodipvh".indexOf(letter) < 0 && !(explanation && "crt".indexOf(letter) >= 0)) {
            throw new MailAuthSyntaxException("invalid macro letter " + body.charAt(0));
        }
        int i = 1;
        int digitsStart = i;
        while (i < body.length() && Character.isDigit(body.charAt(i))) {
            i++;
        }
        int keep = -1;
        if (i > digitsStart) {
            if (i - digitsStart > 3) {
                throw new MailAuthSyntaxException("macro transformer out of range");
            }
            keep = Integer.parseInt(body.substring(digitsStart, i));
            if (keep == 0) {
                throw new MailAuthSyntaxException("macro transformer 0"); // §7.1: zero is not allowed
            }
        }
        boolean reverse = false;
        if (i < body.length() && Character.toLowerCase(body.charAt(i)) == 'r') {
            reverse = true;
            i++;
        }
        String delimiters = body.substring(i);
        for (char d : delimiters.toCharArray()) {
            if (".-+,/_=".indexOf(d) < 0) {
                throw new MailAuthSyntaxException("invalid macro delimiter " + d);
            }
        }
        if (context == null) {
            return "";
        }
        String value = value(letter, context);
        return transform(value, keep, reverse, delimiters.isEmpty() ? "." : delimiters);
    }

    private static String value(char letter, Context c) {
        String sender = c.sender();
        int at = sender.lastIndexOf('@');
        return switch (letter) {
            case 's' -> sender;
            case 'l' -> at <= 0 ? "postmaster" : sender.substring(0, at);
            case 'o' -> sender.substring(at + 1);
            case 'd' -> c.domain();
            case 'i' -> dotted(c.ip());
            // §7.3: "p" needs PTR look-ups and is discouraged; "unknown" is the value for an unvalidated name.
            case 'p' -> "unknown";
            case 'v' -> c.ip() instanceof Inet4Address ? "in-addr" : "ip6";
            case 'h' -> c.helo();
            default -> "";
        };
    }

    /** §7.3: IPv4 in dotted quad, IPv6 as 32 dot-separated nibbles. */
    private static String dotted(InetAddress ip) {
        byte[] b = ip.getAddress();
        StringBuilder out = new StringBuilder();
        if (ip instanceof Inet4Address) {
            for (int i = 0; i < 4; i++) {
                out.append(i == 0 ? "" : ".").append(b[i] & 0xff);
            }
        } else {
            for (byte x : b) {
                out.append(out.length() == 0 ? "" : ".").append(Character.forDigit((x >> 4) & 0xf, 16))
                        .append('.').append(Character.forDigit(x & 0xf, 16));
            }
        }
        return out.toString();
    }

    private static String transform(String value, int keep, boolean reverse, String delimiters) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < value.length(); i++) {
            if (delimiters.indexOf(value.charAt(i)) >= 0) {
                parts.add(value.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(value.substring(start));
        if (reverse) {
            Collections.reverse(parts);
        }
        if (keep > 0 && keep < parts.size()) {
            parts = parts.subList(parts.size() - keep, parts.size());
        }
        return String.join(".", parts);
    }

    /** Index of {@code c} outside %{...} macros, or -1. */
    static int indexOutsideMacros(String s, char c) {
        boolean inMacro = false;
        for (int i = 0; i < s.length(); i++) {
            char x = s.charAt(i);
            if (inMacro) {
                inMacro = x != '}';
            } else if (x == '%' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                inMacro = true;
                i++;
            } else if (x == c) {
                return i;
            }
        }
        return -1;
    }
}
